"""The shop system reads the orders taken in the chat and reports what happens to them.

``GET /orders`` pages through orders by the time they last changed (oldest
first), so a shop system can poll with ``updated_since`` and follow
``next_cursor``. ``POST /orders/{number}/status`` moves an order on (shipped,
ready, delivered, cancelled, paid): the customer hears about it in the chat,
and sending the same status again changes nothing.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from theke.commerce import lifecycle
from theke.commerce.order_json import order_json
from theke.server.api.auth import Caller
from theke.server.deps import read_json, runtime_of
from theke.server.errors import ApiError
from theke.store import orders
from theke.store.orders import Order
from theke.store.schema import utcnow

__all__ = ["decode_cursor", "encode_cursor", "parse_since", "router"]

router = APIRouter(tags=["shop API"])

_log = structlog.get_logger("theke.api")
_SINCE_FORMAT = "ISO 8601 with a time zone, like 2024-05-01T12:00:00Z"


class _StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str
    carrier: str | None = Field(default=None, max_length=100)
    tracking_number: str | None = Field(default=None, max_length=100)
    tracking_url: str | None = Field(default=None, max_length=2048)


@router.get("/orders")
async def list_orders(
    request: Request,
    _caller: Caller,
    updated_since: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: str | None = None,
) -> dict[str, Any]:
    """Orders changed at or after ``updated_since``, oldest change first, ``limit`` a page."""
    since = parse_since(updated_since) if updated_since is not None else None
    after = decode_cursor(cursor) if cursor is not None else None
    runtime = runtime_of(request)
    page = await runtime.db.read(lambda conn: orders.changed(conn, since, after, limit + 1))
    more = len(page) > limit
    page = page[:limit]
    last = page[-1] if more else None
    return {
        "orders": [order_json(order) for order in page],
        "next_cursor": encode_cursor(last.updated_at, last.id) if last else None,
    }


@router.get("/orders/{number}")
async def get_order(number: str, request: Request, _caller: Caller) -> dict[str, Any]:
    """One order by its number (``SC-123456``, ``sc123456``)."""
    order = await runtime_of(request).db.read(lambda conn: orders.by_number(conn, number))
    if order is None:
        raise _unknown(number)
    return order_json(order)


@router.post("/orders/{number}/status")
async def post_status(number: str, request: Request, caller: Caller) -> dict[str, Any]:
    """Move the order to a new status; the same status again answers the order unchanged."""
    body = await read_json(request, _StatusChange)
    _check(body)
    runtime = runtime_of(request)
    config = runtime.bot.config

    def apply(conn: Connection) -> Order | None:
        order = orders.by_number(conn, number)
        if order is None:
            return None
        return lifecycle.set_status(
            conn,
            order,
            body.status,
            config,
            utcnow(),
            carrier=body.carrier,
            tracking_number=body.tracking_number,
            tracking_url=body.tracking_url,
        )

    try:
        order = await runtime.db.write(apply)
    except lifecycle.StatusError as exc:
        raise ApiError(409, "invalid_transition", str(exc)) from exc
    if order is None:
        raise _unknown(number)
    await runtime.db.read(runtime.catalog.sync)  # paid, shipped, cancelled move stock
    await runtime.signals.publish("outbox")
    _log.info("theke.api.order_status", token_name=caller, order=order.number, status=order.status)
    return order_json(order)


def _check(body: _StatusChange) -> None:
    if body.status not in lifecycle.STATUSES:
        valid = ", ".join(lifecycle.STATUSES)
        raise ApiError(
            400, "unknown_status", f"status {body.status[:40]!r} is unknown; use one of: {valid}"
        )
    url = body.tracking_url
    if url is not None and not url.startswith(("https://", "http://")):
        raise ApiError(400, "bad_request", "tracking_url: send a web address, like https://...")


def _unknown(number: str) -> ApiError:
    return ApiError(404, "unknown_order", f"there is no order {number[:40]!r}")


def parse_since(text: str) -> datetime:
    """``updated_since`` as a UTC time; a time without a zone is read as UTC."""
    if "T" in text and " " in text:  # an unencoded "+01:00" arrives as " 01:00"
        text = text.replace(" ", "+")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ApiError(
            400, "bad_updated_since", f"updated_since {text[:40]!r} is not {_SINCE_FORMAT}"
        ) from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def encode_cursor(updated_at: datetime, order_id: str) -> str:
    """The opaque cursor after the order (``updated_at``, ``order_id``)."""
    raw = json.dumps([updated_at.astimezone(UTC).isoformat(), order_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The (updated_at, id) a cursor holds; 400 ``bad_cursor`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, order_id = json.loads(raw)
        when = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise ApiError(400, "bad_cursor", "the cursor is not one this API gave out") from exc
    if not isinstance(order_id, str) or when.tzinfo is None:
        raise ApiError(400, "bad_cursor", "the cursor is not one this API gave out")
    return when.astimezone(UTC), order_id
