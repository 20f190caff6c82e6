"""Product search over an in-memory, immutable snapshot of the catalog.

A :class:`CatalogIndex` keeps the catalog as column arrays (category, brand,
colours, price, popularity) and a products × sizes stock matrix; a query is
a few boolean masks over them, so 100,000 products are searched in well
under a millisecond. Sold-out products are never found. Results are ranked
by text match, then by how many sizes are in stock, then by popularity.

A snapshot is never changed: :meth:`CatalogIndex.with_stock` and
:meth:`CatalogIndex.with_products` return a new one that shares what did not
change, so a reader in another thread always sees one consistent catalog.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from theke.commerce._columns import Columns, Filter, Mask
from theke.commerce._stock import StockMatrix
from theke.commerce._text import Document, TextIndex
from theke.commerce.products import Product, SizeStock, normalize_colour, normalize_size
from theke.nlu.normalize import fold

__all__ = ["CatalogIndex", "Hit", "Query"]

_TEXT_STEPS = 1000  # text scores are compared to a thousandth
_WALK = 4096  # more matches than this: walk the ranked rows instead of sorting the matches
_CHUNK = 2048
_LEVELS = 4  # text score levels picked one by one before sorting the rest
_COMPACT = 0.25  # rebuild once a quarter of the rows are replaced products


@dataclass(frozen=True, slots=True)
class Query:
    """What a customer is looking for; every criterion given must hold.

    Prices are in the products' currency and inclusive; ``size`` is a shoe
    size ("43", "42.5" or 43.0). ``brands`` and ``colors`` match any of them.
    """

    category: str | None = None
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    size: str | float | None = None
    text: str | None = None
    limit: int = 10


@dataclass(frozen=True, slots=True)
class Hit:
    """A product found, its sizes in stock (smallest first), and its text match score."""

    product: Product
    sizes_in_stock: tuple[str, ...]
    score: float


@dataclass(frozen=True, slots=True)
class CatalogIndex:
    """An immutable snapshot of the catalog at sequence number ``seq``, ready to search."""

    seq: int = 0
    products: tuple[Product, ...] = ()
    """One product per row; replaced and removed products keep their (dead) row."""
    rows: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    """The live row of each sku."""
    columns: Columns = field(default_factory=Columns)
    stock: StockMatrix = field(default_factory=StockMatrix)
    text: TextIndex = field(default_factory=TextIndex)
    available: Mask = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    """Live rows with at least one size in stock."""
    ranked: npt.NDArray[np.intp] = field(default_factory=lambda: np.zeros(0, dtype=np.intp))
    """All rows, best first by sizes in stock, then popularity."""

    @classmethod
    def build(cls, products: Iterable[Product], seq: int = 0) -> CatalogIndex:
        """The index of ``products`` (a later product with the same sku wins)."""
        latest = {product.sku: product for product in products}
        return cls(seq=seq)._appended(list(latest.values()), seq)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Product]:
        """The live products, in catalog order."""
        return (self.products[row] for row in self.rows.values())

    def product(self, sku: str) -> Product | None:
        """The product with ``sku``, or ``None`` when the catalog has none."""
        row = self.rows.get(sku)
        return None if row is None else self.products[row]

    def search(self, query: Query) -> tuple[Hit, ...]:
        """Up to ``query.limit`` products in stock that match ``query``, best first."""
        if query.limit <= 0 or not self.rows:
            return ()
        mask = self._mask(query)
        if mask is None:
            return ()
        scores = self.text.score(query.text) if query.text else None
        if scores is not None:
            mask &= scores > 0
        best = self._best(mask, scores, query.limit)
        return tuple(
            Hit(self.products[row], self.stock.sizes_in_stock(row), _score(scores, row))
            for row in best.tolist()
        )

    def with_stock(self, changes: Iterable[tuple[str, str, int]], seq: int) -> CatalogIndex:
        """A snapshot with the stock ``(sku, size, stock)`` changes applied; no rebuild."""
        cells = [(self.rows[sku], size, stock) for sku, size, stock in changes if sku in self.rows]
        if not cells:
            return replace(self, seq=seq)
        matrix = self.stock.with_cells(cells)
        available, ranked = _ranking(self.columns, matrix)
        products = _restocked(self.products, cells, matrix)
        return replace(
            self, seq=seq, products=products, stock=matrix, available=available, ranked=ranked
        )

    def with_products(
        self, products: Sequence[Product], seq: int, removed: Iterable[str] = ()
    ) -> CatalogIndex:
        """A snapshot with ``products`` added or replaced and the ``removed`` skus gone."""
        latest = list({product.sku: product for product in products}.values())
        gone = {product.sku for product in latest} | set(removed)
        dead = [self.rows[sku] for sku in gone if sku in self.rows]
        dead_after = len(self.products) - len(self.rows) + len(dead)
        if dead_after > _COMPACT * (len(self.products) + len(latest)):
            kept = (product for product in self if product.sku not in gone)
            return CatalogIndex.build([*kept, *latest], seq)
        rows = {sku: row for sku, row in self.rows.items() if sku not in gone}
        retired = replace(self, rows=MappingProxyType(rows), columns=self.columns.retire(dead))
        return retired._appended(latest, seq)

    def _appended(self, products: Sequence[Product], seq: int) -> CatalogIndex:
        first = len(self.products)
        rows = dict(self.rows)
        rows.update((product.sku, first + i) for i, product in enumerate(products))
        columns = self.columns.append(products)
        stock = self.stock.append([[(s.size, s.stock) for s in p.sizes] for p in products])
        available, ranked = _ranking(columns, stock)
        return CatalogIndex(
            seq=seq,
            products=(*self.products, *products),
            rows=MappingProxyType(rows),
            columns=columns,
            stock=stock,
            text=self.text.append([_document(product) for product in products]),
            available=available,
            ranked=ranked,
        )

    def _mask(self, query: Query) -> Mask | None:
        """Rows in stock that pass the query's filters; ``None`` when none can."""
        columns = self.columns
        mask = self.available.copy()
        filters: tuple[Filter, ...] = (
            columns.category_is(query.category) if query.category else None,
            columns.brand_in([fold(brand).strip() for brand in query.brands]),
            columns.colour_in([normalize_colour(c) or c for c in query.colors]),
            columns.price_between(_cents(query.price_min, up=True), _cents(query.price_max)),
            self._size(query.size),
        )
        for found in filters:
            if found is False:
                return None
            if found is not None:
                mask &= found
        return mask

    def _size(self, size: str | float | None) -> Filter:
        if size is None or size == "":
            return None
        label = normalize_size(size)
        column = self.stock.column(label) if label is not None else None
        return False if column is None else column > 0

    def _best(
        self, mask: Mask, scores: npt.NDArray[np.float32] | None, limit: int
    ) -> npt.NDArray[np.intp]:
        """The ``limit`` best rows of ``mask``: by text score, then by the static ranking."""
        if scores is None:
            return self._by_rank(mask, limit)
        candidates = np.flatnonzero(mask)
        levels = np.rint(scores[candidates] * _TEXT_STEPS).astype(np.int64)
        best: list[npt.NDArray[np.intp]] = []
        left = limit
        for _ in range(_LEVELS):  # the few best text scores, one level at a time
            if not left or not candidates.size:
                return np.concatenate(best) if best else candidates
            top = levels == levels.max()
            best.append(self._rows_by_rank(candidates[top], left))
            left -= best[-1].size
            candidates, levels = candidates[~top], levels[~top]
        step = len(self.products) * (len(self.stock.labels) + 1)  # more than any static key
        rest = candidates[_top(levels * step + self._keys(candidates), left)]
        return np.concatenate([*best, rest])

    def _by_rank(self, mask: Mask, limit: int) -> npt.NDArray[np.intp]:
        """The ``limit`` best rows in ``mask`` by sizes in stock, then popularity."""
        if np.count_nonzero(mask) > _WALK:
            return _walk(self.ranked, mask, limit)
        rows = np.flatnonzero(mask)
        return rows[_top(self._keys(rows), limit)]

    def _rows_by_rank(self, rows: npt.NDArray[np.intp], limit: int) -> npt.NDArray[np.intp]:
        """The ``limit`` best of ``rows`` by sizes in stock, then popularity."""
        if rows.size > _WALK:
            wanted = np.zeros(len(self.products), dtype=np.bool_)
            wanted[rows] = True
            return _walk(self.ranked, wanted, limit)
        return rows[_top(self._keys(rows), limit)]

    def _keys(self, rows: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        """Static sort keys, larger is better: sizes in stock, then popularity."""
        keys = self.stock.in_stock[rows].astype(np.int64) * len(self.products)
        keys += self.columns.popularity_rank[rows]
        return keys


def _ranking(columns: Columns, stock: StockMatrix) -> tuple[Mask, npt.NDArray[np.intp]]:
    """The rows a search may find, and all rows best first (without a text to match)."""
    keys = stock.in_stock.astype(np.int64) * max(len(columns.active), 1)
    keys += columns.popularity_rank
    return columns.active & (stock.in_stock > 0), np.argsort(-keys, kind="stable")


def _walk(ranked: npt.NDArray[np.intp], mask: Mask, limit: int) -> npt.NDArray[np.intp]:
    """The first ``limit`` rows of ``ranked`` in ``mask`` (for masks that let many rows pass)."""
    found: list[npt.NDArray[np.intp]] = []
    count = 0
    for start in range(0, ranked.size, _CHUNK):
        part = ranked[start : start + _CHUNK]
        found.append(part[mask[part]])
        count += found[-1].size
        if count >= limit:
            break
    return np.concatenate(found)[:limit] if found else np.zeros(0, dtype=np.intp)


def _top(keys: npt.NDArray[np.int64], limit: int) -> npt.NDArray[np.intp]:
    """Positions of the ``limit`` largest keys, largest first (ties: catalog order)."""
    if keys.size > limit:
        part = np.argpartition(-keys, limit - 1)[:limit]
        return part[np.lexsort((part, -keys[part]))]
    return np.lexsort((np.arange(keys.size), -keys))


def _score(scores: npt.NDArray[np.float32] | None, row: int) -> float:
    return 0.0 if scores is None else round(float(scores[row]), 3)


def _cents(price: float | None, *, up: bool = False) -> int | None:
    """A query price in cents, rounded inwards: a bound of 89.999 admits 90.00, not 89.99."""
    if price is None or not math.isfinite(price):
        return None
    cents = round(price * 100, 6)
    return int(math.ceil(cents) if up else math.floor(cents))


def _document(product: Product) -> Document:
    """The words a product is found by: names and brand, then descriptions."""
    titles = [product.name, *product.names.values()]
    if product.brand:
        titles.append(product.brand)
    bodies = [*product.descriptions.values()]
    if product.description:
        bodies.append(product.description)
    return titles, bodies


def _restocked(
    products: Sequence[Product], cells: Sequence[tuple[int, str, int]], matrix: StockMatrix
) -> tuple[Product, ...]:
    """``products`` with the stock of the changed rows' sizes as in ``cells``."""
    changed = list(products)
    by_row: dict[int, dict[str, int]] = {}
    for row, size, stock in cells:
        by_row.setdefault(row, {entry.size: entry.stock for entry in changed[row].sizes})
        by_row[row][size] = stock
    for row, sizes in by_row.items():
        entries = tuple(SizeStock(size, sizes[size]) for size in _ordered(matrix, sizes))
        changed[row] = replace(changed[row], sizes=entries)
    return tuple(changed)


def _ordered(stock: StockMatrix, sizes: Mapping[str, int]) -> list[str]:
    rank = {stock.labels[column]: place for place, column in enumerate(stock.order)}
    return sorted(sizes, key=lambda size: rank.get(size, len(rank)))
