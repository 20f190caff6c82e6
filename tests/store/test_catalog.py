"""The catalog's tables: products, stock and the seq every write bumps, on both databases."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from theke.store import catalog
from theke.store.catalog import (
    ProductRecord,
    StockChange,
    UnknownProduct,
    catalog_seq,
    changes_since,
    deactivate_products,
    product_count,
    set_stock,
    set_stocks,
    upsert_products,
)
from theke.store.database import Database


def _record(
    sku: str, sizes: tuple[tuple[str, int], ...] = (("42", 1),), **kw: object
) -> ProductRecord:
    values: dict[str, object] = {
        "sku": sku,
        "name": f"Schuh {sku}",
        "category": "running",
        "price_cents": 8999,
        "currency": "EUR",
        "sizes": sizes,
        "brand": "Nike",
        "popularity": 3.5,
        "data": {"colors": ["black"], "names": {"en": "Shoe"}},
    }
    values.update(kw)
    return ProductRecord(**values)  # type: ignore[arg-type]


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.engine.dispose()


def test_an_empty_catalog_has_seq_zero_and_no_products(db: Database) -> None:
    assert db.read_now(catalog_seq) == 0
    assert db.read_now(product_count) == 0
    assert db.read_now(lambda conn: changes_since(conn, 0)).products == ()


def test_an_import_is_read_back_whole_with_the_seq_it_created(db: Database) -> None:
    records = [_record("A", (("42", 3), ("42.5", 0))), _record("B", brand=None, popularity=0.0)]
    done: list[int] = []
    seq = db.write_now(lambda conn: upsert_products(conn, records, progress=done.append))
    assert seq == 1 and done == [2]
    changes = db.read_now(lambda conn: changes_since(conn, 0))
    assert changes.seq == 1
    by_sku = {record.sku: record for record in changes.products}
    assert sorted(by_sku["A"].sizes) == [("42", 3), ("42.5", 0)]
    assert by_sku["A"].data == {"colors": ["black"], "names": {"en": "Shoe"}}
    assert by_sku["B"].brand is None and by_sku["A"].popularity == 3.5
    assert db.read_now(product_count) == 2


def test_every_write_bumps_the_seq_by_one(db: Database) -> None:
    first = db.write_now(lambda conn: upsert_products(conn, [_record("A")]))
    second = db.write_now(lambda conn: set_stock(conn, "A", "42", 0))
    third = db.write_now(lambda conn: set_stocks(conn, [StockChange("A", "43", 2)]))
    assert (first, second, third) == (1, 2, 3)
    assert db.read_now(catalog_seq) == 3


def test_a_stock_change_is_read_as_a_stock_change_not_a_product(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A"), _record("B")]))
    db.write_now(lambda conn: set_stock(conn, "B", "42", 7))
    changes = db.read_now(lambda conn: changes_since(conn, 1))
    assert (changes.since, changes.seq) == (1, 2)
    assert changes.products == ()
    assert changes.stock == (StockChange("B", "42", 7),)
    assert db.read_now(lambda conn: changes_since(conn, 2)).stock == ()


def test_a_replaced_product_comes_with_exactly_its_new_sizes(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A", (("41", 1), ("42", 1)))]))
    db.write_now(lambda conn: set_stock(conn, "A", "41", 5))
    db.write_now(lambda conn: upsert_products(conn, [_record("A", (("43", 2),), name="Neu")]))
    changes = db.read_now(lambda conn: changes_since(conn, 2))
    assert [(r.name, r.sizes) for r in changes.products] == [("Neu", (("43", 2),))]
    assert changes.stock == ()


def test_stock_for_an_unknown_product_or_below_zero_is_refused(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A")]))
    with pytest.raises(UnknownProduct, match="'NOPE'"):
        db.write_now(lambda conn: set_stock(conn, "NOPE", "42", 1))
    with pytest.raises(ValueError, match="0 or more"):
        db.write_now(lambda conn: set_stock(conn, "A", "42", -1))
    assert db.read_now(catalog_seq) == 1


def test_a_deactivated_product_leaves_the_count_and_is_reported(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A"), _record("B")]))
    seq = db.write_now(lambda conn: deactivate_products(conn, ["A"]))
    assert db.read_now(product_count) == 1
    changes = db.read_now(lambda conn: changes_since(conn, 1))
    assert changes.seq == seq
    assert [(r.sku, r.active) for r in changes.products] == [("A", False)]
    db.write_now(lambda conn: upsert_products(conn, [_record("A")]))
    assert db.read_now(product_count) == 2


def test_large_imports_are_written_in_batches(db: Database) -> None:
    records = [_record(f"P{i:05d}", (("40", i % 3), ("41", 1))) for i in range(2500)]
    batches: list[int] = []
    db.write_now(lambda conn: upsert_products(conn, records, progress=batches.append))
    assert batches == [1000, 1000, 500]
    assert len(db.read_now(lambda conn: changes_since(conn, 0)).products) == 2500


def test_concurrent_writers_each_get_their_own_seq(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A")]))
    seqs: list[int] = []
    lock = threading.Lock()

    def writer(stock: int) -> None:
        seq = db.write_now(lambda conn: set_stock(conn, "A", "42", stock))
        with lock:
            seqs.append(seq)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seqs) == list(range(2, 10))
    assert db.read_now(catalog_seq) == 9


def test_reserved_pairs_are_not_for_sale_and_survive_a_stock_import(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A", sizes=(("42", 2), ("43", 1)))]))
    db.write_now(lambda conn: catalog.reserve(conn, [catalog.Line("A", "42", 2)]))
    changes = db.read_now(lambda conn: changes_since(conn, 0))
    assert dict(changes.products[0].sizes) == {"42": 0, "43": 1}  # what customers can buy
    db.write_now(lambda conn: upsert_products(conn, [_record("A", sizes=(("42", 5), ("43", 1)))]))
    left = db.read_now(lambda conn: dict(catalog.records(conn, ["A"])["A"].sizes))
    assert left == {"42": 3, "43": 1}  # the shop's new count, minus what orders still hold
    db.write_now(lambda conn: catalog.sell(conn, [catalog.Line("A", "42", 2)]))
    left = db.read_now(lambda conn: dict(catalog.records(conn, ["A"])["A"].sizes))
    assert left == {"42": 3, "43": 1}  # sold: out of the stock and out of the hold
    db.write_now(lambda conn: catalog.release(conn, [catalog.Line("A", "42", 9)]))
    left = db.read_now(lambda conn: dict(catalog.records(conn, ["A"])["A"].sizes))
    assert left == {"42": 3, "43": 1}  # nothing held: releasing more never adds stock


def test_an_order_for_more_than_is_left_reserves_nothing_at_all(db: Database) -> None:
    db.write_now(lambda conn: upsert_products(conn, [_record("A", sizes=(("42", 2), ("43", 1)))]))

    def greedy(conn: Any) -> None:
        with conn.begin_nested():
            catalog.reserve(conn, [catalog.Line("A", "42", 1), catalog.Line("A", "43", 2)])

    with pytest.raises(catalog.OutOfStock) as refused:
        db.write_now(greedy)
    assert (refused.value.sku, refused.value.size, refused.value.available) == ("A", "43", 1)

    def greedy_then_fine(conn: Any) -> None:
        try:
            greedy(conn)
        except catalog.OutOfStock:
            pass  # the savepoint undid the pair of 42; the transaction goes on

    db.write_now(greedy_then_fine)
    left = db.read_now(lambda conn: dict(catalog.records(conn, ["A"])["A"].sizes))
    assert left == {"42": 2, "43": 1}
