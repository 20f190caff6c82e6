"""The in-memory catalog follows the database: never stale, never half-updated."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from functools import partial

import pytest
from sqlalchemy import Connection, text

from theke.commerce import CatalogCache, Query, generate_products, import_products
from theke.store.catalog import deactivate_products, set_stock
from theke.store.database import Database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.engine.dispose()


def _skus(cache: CatalogCache, **query: object) -> list[str]:
    return [hit.product.sku for hit in cache.index.search(Query(**query))]  # type: ignore[arg-type]


def test_a_sync_loads_the_catalog_and_later_syncs_only_what_changed(db: Database) -> None:
    products = generate_products(60, seed=1)
    db.write_now(lambda conn: import_products(conn, products))
    cache = CatalogCache()
    first = db.read_now(cache.sync)
    assert first.seq == 1 and len(first) == 60
    assert {p.sku: p for p in first} == {p.sku: p for p in products}
    assert db.read_now(cache.sync) is first  # nothing new: the same snapshot

    sku = next(p.sku for p in products if p.in_stock)
    size = next(p for p in products if p.sku == sku).in_stock[0]
    db.write_now(lambda conn: set_stock(conn, sku, size, 0))
    second = db.read_now(cache.sync)
    assert second.seq == 2
    assert second.product(sku).stock(size) == 0  # type: ignore[union-attr]
    assert second.text is first.text and second.columns is first.columns  # not rebuilt
    assert first.product(sku).stock(size) > 0  # type: ignore[union-attr]


def test_changed_and_removed_products_reach_the_cache(db: Database) -> None:
    products = generate_products(10, seed=2)
    db.write_now(lambda conn: import_products(conn, products))
    cache = CatalogCache()
    db.read_now(cache.sync)
    renamed = replace(products[0], name="Zauberschuh")
    db.write_now(lambda conn: import_products(conn, [renamed]))
    db.write_now(lambda conn: deactivate_products(conn, [products[1].sku]))
    index = db.read_now(cache.sync)
    assert index.seq == 3 and len(index) == 9
    assert index.product(products[1].sku) is None
    if renamed.in_stock:
        assert _skus(cache, text="zauberschuh") == [renamed.sku]


def test_a_catalog_emptied_and_written_anew_is_loaded_from_scratch(db: Database) -> None:
    db.write_now(lambda conn: import_products(conn, generate_products(5, seed=3)))
    db.write_now(lambda conn: import_products(conn, generate_products(5, seed=4)))
    cache = CatalogCache()
    assert db.read_now(cache.sync).seq == 2
    db.write_now(lambda conn: _empty_catalog(conn))
    db.write_now(lambda conn: import_products(conn, generate_products(3, seed=5)))
    index = db.read_now(cache.sync)
    assert (index.seq, len(index)) == (1, 3)


def test_searches_in_other_threads_see_whole_snapshots(db: Database) -> None:
    products = generate_products(200, seed=6)
    db.write_now(lambda conn: import_products(conn, products))
    cache = CatalogCache()
    db.read_now(cache.sync)
    target = products[0]
    stop = threading.Event()
    torn: list[int] = []

    def reader() -> None:
        while not stop.is_set():
            index = cache.index
            product = index.product(target.sku)
            hits = index.search(Query(text=target.name, limit=200))
            found = [hit for hit in hits if hit.product.sku == target.sku]
            if product is not None and found and found[0].product != product:
                torn.append(index.seq)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for stock in range(1, 30):
            db.write_now(partial(_set, sku=target.sku, stock=stock))
            db.read_now(cache.sync)
    finally:
        stop.set()
        thread.join()
    assert torn == []
    assert cache.index.product(target.sku).stock("40") == 29  # type: ignore[union-attr]


def _set(conn: Connection, *, sku: str, stock: int) -> int:
    return set_stock(conn, sku, "40", stock)


def _empty_catalog(conn: Connection) -> None:
    for table in ("product_sizes", "products", "catalog_state"):
        conn.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names
