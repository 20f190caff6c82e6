"""The shop system writes the catalog: products (upsert) and stock.

Every write is one transaction that also queues the back-in-stock messages
its new stock makes due; after the commit the worker is woken to send them
and this process's catalog snapshot catches up, so the next answer in the
chat already knows the new stock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, StrictInt
from sqlalchemy import Connection

from theke.commerce._records import to_record
from theke.commerce.products import normalize_size
from theke.commerce.restock import notify_restocked
from theke.runtime import Runtime
from theke.server.api._product_json import parse_products
from theke.server.api.auth import Caller
from theke.server.deps import read_json, runtime_of
from theke.server.errors import ApiError
from theke.store.catalog import StockChange, UnknownProduct, set_stocks, upsert_products
from theke.store.schema import utcnow

__all__ = ["MAX_CHANGES", "MAX_PRODUCTS", "router"]

router = APIRouter(tags=["shop API"])

MAX_PRODUCTS = 1000
MAX_CHANGES = 5000
_MAX_STOCK = 1_000_000_000

_log = structlog.get_logger("theke.api")


class _Products(BaseModel):
    model_config = ConfigDict(extra="forbid")
    products: list[Any]


class _Sizes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sizes: dict[str, StrictInt]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    size: str | float
    stock: StrictInt


class _Changes(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: list[_Change]


@router.put("/products")
async def put_products(request: Request, caller: Caller) -> JSONResponse:
    """Insert or replace products; the valid ones are stored even when others are rejected."""
    body = await read_json(request, _Products)
    if len(body.products) > MAX_PRODUCTS:
        raise ApiError(400, "too_many_products", f"send at most {MAX_PRODUCTS} products per call")
    products, rejected = parse_products(body.products)
    records = [to_record(product) for product in products]
    told = 0
    if records:
        told = await _write_catalog(runtime_of(request), lambda c: upsert_products(c, records))
    _log.info(
        "theke.api.products_upserted",
        token_name=caller,
        upserted=len(records),
        rejected=len(rejected),
        notified=told,
    )
    answer = {"upserted": len(records), "rejected": [item.to_json() for item in rejected]}
    return JSONResponse(answer, status_code=422 if rejected else 200)


@router.patch("/products/{sku}/stock")
async def patch_stock(sku: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Set the stock of sizes of one product (a size it did not have is added)."""
    body = await read_json(request, _Sizes)
    if not body.sizes:
        raise ApiError(400, "bad_request", 'sizes: send at least one size, like {"43": 5}')
    changes: dict[str, StockChange] = {}
    for raw, stock in body.sizes.items():
        change = _change(sku, raw, stock, where="sizes")
        if change.size in changes:
            raise ApiError(400, "bad_size", f"sizes: {change.size} appears twice")
        changes[change.size] = change
    told = await _write_stock(request, list(changes.values()))
    _log.info("theke.api.stock_set", token_name=caller, sku=sku, sizes=len(changes), notified=told)
    return {
        "sku": sku,
        "sizes": {size: change.stock for size, change in changes.items()},
        "notified": told,
    }


@router.post("/stock")
async def post_stock(request: Request, caller: Caller) -> dict[str, Any]:
    """Set the stock of many sizes of many products at once; a later change of a size wins."""
    body = await read_json(request, _Changes)
    if not body.changes:
        raise ApiError(400, "bad_request", "changes: send at least one change")
    if len(body.changes) > MAX_CHANGES:
        raise ApiError(400, "too_many_changes", f"send at most {MAX_CHANGES} changes per call")
    changes: dict[tuple[str, str], StockChange] = {}
    for index, item in enumerate(body.changes):
        change = _change(item.sku, item.size, item.stock, where=f"changes.{index}")
        changes[(change.sku, change.size)] = change
    told = await _write_stock(request, list(changes.values()))
    _log.info("theke.api.stock_set", token_name=caller, sizes=len(changes), notified=told)
    return {"updated": len(changes), "notified": told}


def _change(sku: str, raw_size: str | float, stock: int, *, where: str) -> StockChange:
    size = normalize_size(raw_size)
    if size is None:
        raise ApiError(400, "bad_size", f"{where}: `{str(raw_size)[:40]}` is not a shoe size")
    if not 0 <= stock <= _MAX_STOCK:
        raise ApiError(
            400,
            "bad_stock",
            f"{where}: the stock of {size} is {stock}; send a whole number of 0 or more",
        )
    return StockChange(sku, size, stock)


async def _write_stock(request: Request, changes: list[StockChange]) -> int:
    try:
        return await _write_catalog(runtime_of(request), lambda c: set_stocks(c, changes))
    except UnknownProduct as exc:
        raise ApiError(404, "unknown_product", str(exc)) from exc


async def _write_catalog(runtime: Runtime, write: Callable[[Connection], int]) -> int:
    """Run ``write`` (returns the new catalog seq) with its restock messages; returns how many
    customers are told. Then wake the sender and bring this process's catalog up to date."""
    config = runtime.bot.config

    def work(conn: Connection) -> int:
        return notify_restocked(conn, write(conn), config, utcnow())

    told = await runtime.db.write(work)
    await runtime.db.read(runtime.catalog.sync)
    if told:
        await runtime.signals.publish("outbox")
    return told
