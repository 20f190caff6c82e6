"""Importing a catalog file into the database, and the catalog a process starts with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Connection

from theke.commerce._records import to_record
from theke.commerce.cache import CatalogCache
from theke.commerce.csvfile import read_products
from theke.commerce.products import Product
from theke.commerce.restock import notify_restocked
from theke.commerce.search import CatalogIndex
from theke.errors import BotFolderError
from theke.store.catalog import product_count, upsert_products
from theke.store.database import Database
from theke.store.schema import utcnow

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["CATALOG_FILE", "ImportResult", "catalog_from_folder", "import_products", "open_catalog"]

CATALOG_FILE = Path("catalog") / "products.csv"
"""Where a bot folder keeps its catalog."""

_log = structlog.get_logger("theke.commerce.importer")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """How many products a write stored, the catalog seq it created, and how many waiting
    customers were told their size is back."""

    imported: int
    seq: int
    told: int = 0


def import_products(
    conn: Connection,
    products: Sequence[Product],
    *,
    progress: Callable[[int], None] | None = None,
    config: BotConfig | None = None,
) -> ImportResult:
    """Insert or replace ``products`` in one transaction.

    ``progress`` is called with the number of products written after each batch. With
    the bot's ``config``, customers waiting for a size now in stock are told (once each).
    """
    seq = upsert_products(conn, [to_record(product) for product in products], progress=progress)
    told = notify_restocked(conn, seq, config, utcnow()) if config is not None else 0
    return ImportResult(imported=len(products), seq=seq, told=told)


async def open_catalog(db: Database, bot_folder: Path) -> CatalogCache:
    """The catalog cache, synced once; an empty catalog is first filled from the bot folder.

    A catalog file with errors is logged, never fatal: the bot starts without
    the products it could not read.
    """
    path = bot_folder / CATALOG_FILE
    if path.is_file() and await db.read(product_count) == 0:
        await _import_file(db, path)
    cache = CatalogCache()
    await db.read(cache.sync)
    return cache


async def _import_file(db: Database, path: Path) -> None:
    try:
        file = await asyncio.to_thread(read_products, path)
    except BotFolderError as exc:
        _log.warning("theke.commerce.catalog_file_rejected", path=str(path), error=str(exc))
        return

    def fill_if_empty(conn: Connection) -> ImportResult | None:
        return import_products(conn, file.products) if product_count(conn) == 0 else None

    result = await db.write(fill_if_empty)
    _log.info(
        "theke.commerce.catalog_imported",
        path=str(path),
        imported=result.imported if result else 0,
        rejected=len(file.rejected),
    )


def catalog_from_folder(bot_folder: Path) -> CatalogIndex:
    """The bot folder's catalog file in memory, without a database (rejected rows are left out)."""
    path = bot_folder / CATALOG_FILE
    if not path.is_file():
        return CatalogIndex()
    return CatalogIndex.build(read_products(path).products)
