"""The product catalog: products, their sizes with stock, and the catalog's sequence number.

What a customer can buy of a size is its ``stock`` minus what unpaid orders hold
(``reserved``); the cache and the search see only that (:func:`changes_since`). An
order reserves (:func:`reserve`), a paid one turns its reservation into a sale
(:func:`sell`), a lapsed or cancelled one gives it back (:func:`release`). The shop
system's stock numbers (import, API) replace ``stock`` and leave ``reserved`` alone.

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

from sqlalchemy import Connection, RowMapping, and_, bindparam, case, delete, func, select, update

from theke.errors import StoreError
from theke.store._dialect import upsert
from theke.store.schema import catalog_state, product_sizes, products

__all__ = [
    "CatalogChanges",
    "Line",
    "OutOfStock",
    "ProductRecord",
    "StockChange",
    "UnknownProduct",
    "catalog_seq",
    "changes_since",
    "deactivate_products",
    "product_count",
    "records",
    "release",
    "reserve",
    "restocked",
    "sell",
    "set_stock",
    "set_stocks",
    "upsert_products",
]

_BATCH = 1000
_STATE_ID = 1
_AVAILABLE = case(
    (
        product_sizes.c.stock > product_sizes.c.reserved,
        product_sizes.c.stock - product_sizes.c.reserved,
    ),
    else_=0,
).label("stock")


class UnknownProduct(StoreError):
    """A stock change names a product the catalog does not have."""


class OutOfStock(StoreError):
    """An order asks for more pairs of a size than are left to buy."""

    def __init__(self, sku: str, size: str, available: int) -> None:
        super().__init__(f"{sku} in size {size}: only {available} left")
        self.sku = sku
        self.size = size
        self.available = available


@dataclass(frozen=True, slots=True)
class Line:
    """Pairs of one size of one product, as an order holds them."""

    sku: str
    size: str
    quantity: int


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


def reserve(conn: Connection, lines: Sequence[Line]) -> int:
    """Hold ``lines`` for an order; returns the new seq.

    Raises :class:`OutOfStock` (and changes nothing the caller keeps: roll back) when a
    size has fewer pairs left than asked for. Each update checks and takes in one
    statement, so two orders for the last pair cannot both get it.
    """
    seq = _bump(conn)
    for line in _merged(lines):
        left = product_sizes.c.stock - product_sizes.c.reserved
        taken = conn.execute(
            update(product_sizes)
            .where(
                product_sizes.c.sku == line.sku,
                product_sizes.c.size == line.size,
                left >= line.quantity,
            )
            .values(reserved=product_sizes.c.reserved + line.quantity, seq=seq)
        )
        if not taken.rowcount:
            raise OutOfStock(line.sku, line.size, _available(conn, line.sku, line.size))
    return seq


def release(conn: Connection, lines: Sequence[Line]) -> int:
    """Give back what an unpaid order held; returns the new seq."""
    return _change_held(conn, lines, sold=False)


def sell(conn: Connection, lines: Sequence[Line]) -> int:
    """A paid order: its held pairs leave the stock; returns the new seq."""
    return _change_held(conn, lines, sold=True)


def _change_held(conn: Connection, lines: Sequence[Line], *, sold: bool) -> int:
    seq = _bump(conn)
    for line in _merged(lines):
        reserved = case(
            (product_sizes.c.reserved > line.quantity, product_sizes.c.reserved - line.quantity),
            else_=0,
        )
        values: dict[str, Any] = {"reserved": reserved, "seq": seq}
        if sold:
            values["stock"] = case(
                (product_sizes.c.stock > line.quantity, product_sizes.c.stock - line.quantity),
                else_=0,
            )
        conn.execute(
            update(product_sizes)
            .where(product_sizes.c.sku == line.sku, product_sizes.c.size == line.size)
            .values(values)
        )
    return seq


def _merged(lines: Sequence[Line]) -> list[Line]:
    """One line per size, in a fixed order (two orders lock rows in the same order)."""
    total: dict[tuple[str, str], int] = {}
    for line in lines:
        total[(line.sku, line.size)] = total.get((line.sku, line.size), 0) + line.quantity
    return [Line(sku, size, quantity) for (sku, size), quantity in sorted(total.items())]


def _available(conn: Connection, sku: str, size: str) -> int:
    found = conn.execute(
        select(_AVAILABLE).where(product_sizes.c.sku == sku, product_sizes.c.size == size)
    ).scalar_one_or_none()
    return int(found or 0)


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
        select(product_sizes.c.sku, product_sizes.c.size, _AVAILABLE)
        .join(products, products.c.sku == product_sizes.c.sku)
        .where(product_sizes.c.seq > since, product_sizes.c.seq <= seq, products.c.seq <= since)
    )
    changes = tuple(StockChange(sku, size, stock) for sku, size, stock in stock)
    return CatalogChanges(since=since, seq=seq, products=records, stock=changes)


def records(conn: Connection, skus: Sequence[str]) -> dict[str, ProductRecord]:
    """The products of ``skus`` (active or not), with what is left to buy of each size."""
    if not skus:
        return {}
    window = products.c.sku.in_(sorted(set(skus)))
    sizes = _sizes_of(conn, window)
    found = conn.execute(select(products).where(window)).mappings()
    return {row["sku"]: _record(row, sizes.get(row["sku"], ())) for row in found}


def restocked(conn: Connection, seq: int) -> list[tuple[str, str]]:
    """The (sku, size) pairs written at ``seq`` that can be bought now."""
    found = conn.execute(
        select(product_sizes.c.sku, product_sizes.c.size)
        .join(products, products.c.sku == product_sizes.c.sku)
        .where(
            product_sizes.c.seq == seq,
            product_sizes.c.stock > product_sizes.c.reserved,
            products.c.active,
        )
    )
    return [(sku, size) for sku, size in found]


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
    within = product_sizes.c.sku.in_(bindparam("skus", skus, expanding=True))
    held = {
        (sku, size): reserved
        for sku, size, reserved in conn.execute(
            select(product_sizes.c.sku, product_sizes.c.size, product_sizes.c.reserved).where(
                within, product_sizes.c.reserved > 0
            )
        )
    }
    conn.execute(delete(product_sizes).where(within))
    rows = [
        {
            "sku": record.sku,
            "size": size,
            "stock": stock,
            "reserved": held.get((record.sku, size), 0),
            "seq": seq,
        }
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
        select(product_sizes.c.sku, product_sizes.c.size, _AVAILABLE)
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
