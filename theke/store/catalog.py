"""The product catalog: products, their sizes with stock, and the catalog's sequence number.

The database is the catalog's system of record. Every write transaction
bumps ``catalog_state.seq`` by one and stamps the rows it changed with the
new value; :func:`changes_since` gives a cache exactly what changed after
the seq it holds. The bump takes the row lock on ``catalog_state``, so
writers commit in seq order and a reader never sees seq N before N-1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, delete, func, select, update

from theke.errors import StoreError
from theke.store._dialect import upsert
from theke.store.schema import catalog_state, product_sizes, products

__all__ = [
    "CatalogChanges",
    "ProductRecord",
    "StockChange",
    "UnknownProduct",
    "catalog_seq",
    "changes_since",
    "deactivate_products",
    "product_count",
    "set_stock",
    "set_stocks",
    "upsert_products",
]

_BATCH = 1000
_STATE_ID = 1


class UnknownProduct(StoreError):
    """A stock change names a product the catalog does not have."""


@dataclass(frozen=True, slots=True)
class ProductRecord:
    """A product as the database keeps it; ``data`` holds what has no column of its own."""

    sku: str
    name: str
    category: str
    price_cents: int
    currency: str
    sizes: tuple[tuple[str, int], ...]
    brand: str | None = None
    popularity: float = 0.0
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)
    active: bool = True


@dataclass(frozen=True, slots=True)
class StockChange:
    """The stock of one size of one product."""

    sku: str
    size: str
    stock: int


@dataclass(frozen=True, slots=True)
class CatalogChanges:
    """What changed after ``since``, up to and including ``seq``.

    ``products`` are the products whose row changed (with all their sizes);
    ``stock`` the stock changes of the other products.
    """

    since: int
    seq: int
    products: tuple[ProductRecord, ...] = ()
    stock: tuple[StockChange, ...] = ()


def catalog_seq(conn: Connection) -> int:
    """The seq of the newest catalog write (0 for a catalog never written)."""
    found = conn.execute(select(catalog_state.c.seq).where(catalog_state.c.id == _STATE_ID))
    return int(found.scalar_one_or_none() or 0)


def product_count(conn: Connection) -> int:
    """How many active products the catalog has."""
    found = conn.execute(select(func.count()).select_from(products).where(products.c.active))
    return int(found.scalar_one())


def upsert_products(
    conn: Connection,
    records: Sequence[ProductRecord],
    *,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert or replace ``records`` (each with exactly its sizes); returns the new seq.

    ``progress`` is called with the number of products written after each batch.
    """
    if not records:
        return catalog_seq(conn)
    seq = _bump(conn)
    for chunk in _chunks(records):
        _write_chunk(conn, chunk, seq)
        if progress is not None:
            progress(len(chunk))
    return seq


def set_stock(conn: Connection, sku: str, size: str, stock: int) -> int:
    """Set the stock of one size of a product; returns the new seq."""
    return set_stocks(conn, [StockChange(sku, size, stock)])


def set_stocks(conn: Connection, changes: Sequence[StockChange]) -> int:
    """Set the stock of sizes of existing products in one transaction; returns the new seq.

    A size the product did not have yet is added. Raises :class:`UnknownProduct`
    for a sku the catalog does not have, ``ValueError`` for a negative stock.
    """
    if any(change.stock < 0 for change in changes):
        raise ValueError("stock must be 0 or more")
    skus = sorted({change.sku for change in changes})
    known = set(conn.execute(select(products.c.sku).where(products.c.sku.in_(skus))).scalars())
    missing = [sku for sku in skus if sku not in known]
    if missing:
        raise UnknownProduct(f"the catalog has no product with the sku {missing[0]!r}")
    if not changes:
        return catalog_seq(conn)
    seq = _bump(conn)
    statement = upsert(conn, product_sizes)
    statement = statement.on_conflict_do_update(
        index_elements=["sku", "size"],
        set_={"stock": statement.excluded.stock, "seq": statement.excluded.seq},
    )
    rows = [{"sku": c.sku, "size": c.size, "stock": c.stock, "seq": seq} for c in changes]
    conn.execute(statement, rows)
    return seq


def deactivate_products(conn: Connection, skus: Sequence[str]) -> int:
    """Take products out of the catalog (they stay in the database); returns the new seq."""
    if not skus:
        return catalog_seq(conn)
    seq = _bump(conn)
    for chunk in _chunks(list(skus)):
        conn.execute(
            update(products).where(products.c.sku.in_(chunk)).values(active=False, seq=seq)
        )
    return seq


def changes_since(conn: Connection, since: int) -> CatalogChanges:
    """Everything written after ``since``: changed products in full, other stock changes."""
    seq = catalog_seq(conn)
    if seq <= since:
        return CatalogChanges(since=since, seq=seq)
    window = and_(products.c.seq > since, products.c.seq <= seq)
    sizes = _sizes_of(conn, window)
    found = conn.execute(select(products).where(window).order_by(products.c.sku)).mappings()
    records = tuple(_record(row, sizes.get(row["sku"], ())) for row in found)
    stock = conn.execute(
        select(product_sizes.c.sku, product_sizes.c.size, product_sizes.c.stock)
        .join(products, products.c.sku == product_sizes.c.sku)
        .where(product_sizes.c.seq > since, product_sizes.c.seq <= seq, products.c.seq <= since)
    )
    changes = tuple(StockChange(sku, size, stock) for sku, size, stock in stock)
    return CatalogChanges(since=since, seq=seq, products=records, stock=changes)


def _bump(conn: Connection) -> int:
    """The next seq, taken under the row lock of ``catalog_state`` (created on first use)."""
    statement = upsert(conn, catalog_state).values(id=_STATE_ID, seq=1)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={"seq": catalog_state.c.seq + 1}
    ).returning(catalog_state.c.seq)
    return int(conn.execute(statement).scalar_one())


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _write_chunk(conn: Connection, chunk: Sequence[ProductRecord], seq: int) -> None:
    conn.execute(_upsert_products(conn), [_product_row(record, seq) for record in chunk])
    skus = [record.sku for record in chunk]
    conn.execute(
        delete(product_sizes).where(
            product_sizes.c.sku.in_(bindparam("skus", skus, expanding=True))
        )
    )
    rows = [
        {"sku": record.sku, "size": size, "stock": stock, "seq": seq}
        for record in chunk
        for size, stock in record.sizes
    ]
    if rows:
        conn.execute(product_sizes.insert(), rows)


def _upsert_products(conn: Connection) -> Any:
    statement = upsert(conn, products)
    replaced = [column.name for column in products.columns if column.name != "sku"]
    return statement.on_conflict_do_update(
        index_elements=["sku"], set_={name: statement.excluded[name] for name in replaced}
    )


def _product_row(record: ProductRecord, seq: int) -> dict[str, Any]:
    return {
        "sku": record.sku,
        "name": record.name,
        "brand": record.brand,
        "category": record.category,
        "price_cents": record.price_cents,
        "currency": record.currency,
        "popularity": record.popularity,
        "data": dict(record.data),
        "seq": seq,
        "active": record.active,
    }


def _sizes_of(conn: Connection, window: Any) -> dict[str, list[tuple[str, int]]]:
    found = conn.execute(
        select(product_sizes.c.sku, product_sizes.c.size, product_sizes.c.stock)
        .join(products, products.c.sku == product_sizes.c.sku)
        .where(window)
    )
    sizes: dict[str, list[tuple[str, int]]] = {}
    for sku, size, stock in found:
        sizes.setdefault(sku, []).append((size, stock))
    return sizes


def _record(row: RowMapping, sizes: Sequence[tuple[str, int]]) -> ProductRecord:
    return ProductRecord(
        sku=row["sku"],
        name=row["name"],
        category=row["category"],
        price_cents=int(row["price_cents"]),
        currency=row["currency"],
        sizes=tuple(sizes),
        brand=row["brand"],
        popularity=float(row["popularity"]),
        data=dict(row["data"] or {}),
        active=bool(row["active"]),
    )
