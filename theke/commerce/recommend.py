"""Personal product recommendations from what a customer viewed, carted and bought.

A :class:`Taste` is read from a customer's profile (tolerantly: profiles are
JSON written over years by many versions). :func:`recommend` scores every
product of a :class:`~theke.commerce.search.CatalogIndex` snapshot in a few
vectorised steps:

- affinity to the product's category, brand and colours, learned from the
  history (a purchase weighs 3, a cart add 2, a view 1; each older entry of
  a list counts 0.8 times the one before) and from stated preferences;
- a price near what the customer looks at (a bell curve over log prices), and
  a penalty outside a stated budget;
- a boost for products the customer viewed or carted and did not buy;
- a small popularity prior.

Only products in stock (in the customer's size, when it is known) are
recommended, never one they bought, and ties go to the smaller sku. A taste
with nothing to learn from gets :func:`popular`. :func:`similar` offers
alternatives to a sold-out product.

The per-product arrays come from the snapshot's columns; what is derived from
them (colour matrix, log prices, the popularity order) is computed once per
catalog version and kept for the last few versions.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from theke.commerce._columns import Columns
from theke.commerce.products import Product, normalize_colour, normalize_size
from theke.commerce.search import CatalogIndex
from theke.nlu.normalize import fold

__all__ = ["Taste", "popular", "recommend", "similar"]

Floats = npt.NDArray[np.float64]
Rows = npt.NDArray[np.intp]
Mask = npt.NDArray[np.bool_]

_KINDS = (("bought", 3.0), ("carted", 2.0), ("viewed", 1.0))
"""The history lists of a profile and what one entry of each weighs."""
_DECAY = 0.8  # each older entry of a list weighs this much of the one before
_HISTORY = 50  # entries read from each list
_WORDS = 20  # entries read from each list of stated preferences
_STATED = 0.8  # affinity of a category, brand or colour the customer named

_W_CATEGORY, _W_BRAND, _W_COLOUR = 1.0, 0.8, 0.4
_W_PRICE, _PRICE_SD_MIN, _PRICE_SD_STATED = 0.6, 0.25, 0.35
_W_BUDGET = 5.0  # more than all gains together: outside the budget comes after within it
_W_SEEN = 1.2  # boost for a product viewed or carted, not bought
_W_POPULAR = 0.5

_SIMILAR_PRICE = 2.0  # penalty per unit of |log price ratio|
_SIMILAR_FAR = 1.0  # extra penalty outside a factor of _SIMILAR_SPAN in price
_SIMILAR_SPAN = math.log(1.5)
_SIMILAR_BRAND, _SIMILAR_COLOUR, _SIMILAR_POPULAR = 0.5, 0.3, 0.1

_CACHED = 2  # catalog versions whose derived arrays are kept
_CHUNK = 1024


@dataclass(frozen=True, slots=True)
class Taste:
    """What we know of a customer's taste: history (newest first) and stated preferences.

    Sizes are normalised ("42,5" → "42.5"), colours are colour keys ("schwarz"
    → "black"), categories lower case; ``budget_min``/``budget_max`` in euros.
    """

    viewed: tuple[str, ...] = ()
    carted: tuple[str, ...] = ()
    bought: tuple[str, ...] = ()
    size: str | None = None
    brands: tuple[str, ...] = ()
    colors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    budget_min: float | None = None
    budget_max: float | None = None

    @classmethod
    def from_profile(cls, profile: Mapping[str, Any]) -> Taste:
        """The taste kept in a profile dict; values of the wrong shape are ignored.

        Besides the plain keys (``size``, ``brands``, ``colors``, ``categories``,
        ``budget``), it reads what conversations leave in a profile: the slots flows
        remember (``remembered``: ``size``, ``budget``) and the values a customer chose
        (``likes``: counts per category, brand and colour, most chosen first).
        """
        if not isinstance(profile, Mapping):
            return cls()
        remembered = profile.get("remembered")
        kept: Mapping[str, Any] = remembered if isinstance(remembered, Mapping) else {}
        low, high = _budget(profile.get("budget") or kept.get("budget"))
        categories = _words(profile.get("categories")) or _liked(profile, "category")
        return cls(
            viewed=_skus(profile.get("viewed")),
            carted=_skus(profile.get("carted")),
            bought=_skus(profile.get("bought")),
            size=_size(profile.get("size")) or _size(kept.get("size")),
            brands=_words(profile.get("brands")) or _liked(profile, "brand"),
            colors=_colours(profile.get("colors")) or _colours(list(_liked(profile, "color"))),
            categories=tuple(dict.fromkeys(w.lower() for w in categories)),
            budget_min=low,
            budget_max=high,
        )

    @property
    def empty(self) -> bool:
        """Nothing to personalise on: no history, no stated preference (a size is a filter)."""
        stated = self.brands or self.colors or self.categories
        history = self.viewed or self.carted or self.bought
        return not (stated or history) and self.budget_min is None and self.budget_max is None


def recommend(
    index: CatalogIndex,
    taste: Taste,
    *,
    limit: int = 10,
    exclude: Collection[str] = (),
    keep_bought: bool = False,
) -> list[Product]:
    """Up to ``limit`` products in stock (in ``taste.size``) for this customer, best first.

    Products they bought are left out unless ``keep_bought``; so are the skus
    in ``exclude``. Without anything to learn from this is :func:`popular`.
    """
    catalog = _catalog(index)
    signals = _Signals.learn(index, catalog, taste)
    if signals is None:
        return popular(index, limit=limit, size=taste.size, exclude=exclude)
    mask = _offerable(index, taste.size, exclude)
    if mask is None or limit <= 0:
        return []
    if not keep_bought:
        mask[signals.bought] = False
    return _best(index, catalog, signals.score(catalog, taste), mask, limit)


def popular(
    index: CatalogIndex,
    *,
    limit: int = 10,
    size: str | None = None,
    exclude: Collection[str] = (),
) -> list[Product]:
    """The ``limit`` most popular products in stock (in ``size``), ties by sku."""
    mask = _offerable(index, size, exclude)
    if mask is None or limit <= 0:
        return []
    order = _catalog(index).by_popularity
    found: list[Rows] = []
    for start in range(0, order.size, _CHUNK):
        part = order[start : start + _CHUNK]
        found.append(part[mask[part]])
        if sum(rows.size for rows in found) >= limit:
            break
    rows = np.concatenate(found)[:limit] if found else np.zeros(0, dtype=np.intp)
    return [index.products[row] for row in rows.tolist()]


def similar(
    index: CatalogIndex, product: Product, *, size: str | None = None, limit: int = 5
) -> list[Product]:
    """Alternatives to ``product`` (say, sold out): same category, in stock (in ``size``).

    Ranked by a price near the product's, then a shared brand and colours,
    then popularity; ties by sku. The product itself is never among them.
    """
    catalog = _catalog(index)
    code = catalog.columns.categories.get(product.category)
    mask = _offerable(index, size, (product.sku,))
    if mask is None or code is None or limit <= 0:
        return []
    mask &= catalog.category == code
    distance = np.abs(catalog.log_price - math.log(max(product.price_cents, 1)))
    score = _SIMILAR_POPULAR * catalog.prior - _SIMILAR_PRICE * distance
    score -= _SIMILAR_FAR * (distance > _SIMILAR_SPAN)
    brand = catalog.columns.brands.get(fold(product.brand or "").strip())
    if brand is not None:
        score += _SIMILAR_BRAND * (catalog.brand == brand)
    colours = _colour_vector(catalog, product.colors)
    if colours.any():
        score += _SIMILAR_COLOUR * (catalog.colours @ colours) / float(colours.sum())
    return _best(index, catalog, score, mask, limit)


# --- what is derived from a catalog version, once ---------------------------------------


@dataclass(frozen=True, slots=True)
class _Catalog:
    """Per product row of one catalog version: the arrays the scores are made of."""

    columns: Columns
    category: npt.NDArray[np.int32]
    brand: npt.NDArray[np.int32]
    colours: npt.NDArray[np.float64]
    """Rows × colour bits, 1.0 where the product has the colour."""
    log_price: Floats
    prior: Floats
    """Popularity as a share of products less popular, 0 to <1; ties are equal."""
    sku_rank: npt.NDArray[np.int64]
    by_popularity: Rows
    """All rows, most popular first, ties by sku."""

    @classmethod
    def of(cls, index: CatalogIndex) -> _Catalog:
        columns = index.columns
        skus = [product.sku for product in index.products]
        sku_rank = np.empty(len(skus), dtype=np.int64)
        sku_rank[sorted(range(len(skus)), key=skus.__getitem__)] = np.arange(len(skus))
        popularity = columns.popularity
        bits = np.arange(len(columns.colour_bits), dtype=np.int64)
        return cls(
            columns=columns,
            category=columns.category,
            brand=columns.brand,
            colours=((columns.colours[:, None] >> bits) & 1).astype(np.float64),
            log_price=np.log(np.maximum(columns.price, 1)).astype(np.float64),
            prior=np.searchsorted(np.sort(popularity), popularity) / max(len(skus), 1),
            sku_rank=sku_rank,
            by_popularity=np.lexsort((sku_rank, -popularity)).astype(np.intp),
        )


_cache: list[_Catalog] = []
_cache_lock = threading.Lock()


def _catalog(index: CatalogIndex) -> _Catalog:
    """The derived arrays of ``index``'s catalog version (stock changes keep the version)."""
    with _cache_lock:
        for catalog in _cache:
            if catalog.columns is index.columns and catalog.sku_rank.size == len(index.products):
                return catalog
    catalog = _Catalog.of(index)
    with _cache_lock:
        _cache.insert(0, catalog)
        del _cache[_CACHED:]
    return catalog


def _offerable(index: CatalogIndex, size: str | None, exclude: Iterable[str]) -> Mask | None:
    """Live rows in stock (in ``size``) and not excluded; ``None`` when the size is unknown."""
    mask = index.available.copy()
    if size:
        label = normalize_size(size)
        column = index.stock.column(label) if label is not None else None
        if column is None:
            return None
        mask &= column > 0
    for sku in exclude:
        row = index.rows.get(sku)
        if row is not None:
            mask[row] = False
    return mask


def _best(
    index: CatalogIndex, catalog: _Catalog, score: Floats, mask: Mask, limit: int
) -> list[Product]:
    """The ``limit`` best-scored rows of ``mask``, ties by sku, as products."""
    rows = np.flatnonzero(mask)
    scores = score[rows]
    if rows.size > limit:
        cut = np.partition(scores, rows.size - limit)[rows.size - limit]
        keep = scores >= cut
        rows, scores = rows[keep], scores[keep]
    order = np.lexsort((catalog.sku_rank[rows], -scores))[:limit]
    return [index.products[row] for row in rows[order].tolist()]


def _colour_vector(catalog: _Catalog, colours: Iterable[str]) -> Floats:
    vector = np.zeros(catalog.colours.shape[1], dtype=np.float64)
    for colour in colours:
        bit = catalog.columns.colour_bits.get(colour)
        if bit is not None:
            vector[bit] = 1.0
    return vector


# --- what is learned from a taste ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Signals:
    """A taste turned into affinities over the catalog's codes."""

    categories: Floats
    brands: Floats
    """One more entry than brands: products without a brand (code -1) read the last, 0."""
    colours: Floats
    price: tuple[float, float] | None
    """Mean and spread of the log prices the customer looks at."""
    seen: dict[int, float]
    bought: list[int]

    @classmethod
    def learn(cls, index: CatalogIndex, catalog: _Catalog, taste: Taste) -> _Signals | None:
        """The signals of ``taste``; ``None`` when it has none this catalog can use."""
        rows, weights, seen, bought = _history(index, taste)
        columns = catalog.columns
        categories = _affinity(catalog.category[rows], weights, len(columns.categories) + 1)
        brands = _affinity(catalog.brand[rows], weights, len(columns.brands) + 1)
        colours = catalog.colours[rows].T @ weights / max(float(weights.sum()), 1e-9)
        _state(categories, (columns.categories.get(c) for c in taste.categories))
        _state(brands, (columns.brands.get(fold(b).strip()) for b in taste.brands))
        _state(colours, (columns.colour_bits.get(c) for c in taste.colors))
        price = _price(catalog.log_price[rows], weights, taste)
        if not (rows.size or categories.any() or brands.any() or colours.any() or price):
            return None
        return cls(categories, brands, colours, price, seen, bought)

    def score(self, catalog: _Catalog, taste: Taste) -> Floats:
        """Every row's score for this customer."""
        score = _W_POPULAR * catalog.prior
        score += _W_CATEGORY * self.categories[catalog.category]
        score += _W_BRAND * self.brands[catalog.brand]
        score += _W_COLOUR * np.minimum(catalog.colours @ self.colours, 1.0)
        if self.price is not None:
            mean, spread = self.price
            score += _W_PRICE * np.exp(-0.5 * ((catalog.log_price - mean) / spread) ** 2)
        score -= _W_BUDGET * _outside_budget(catalog, taste)
        for row, weight in self.seen.items():
            score[row] += _W_SEEN * (1.0 - math.exp(-weight))
        return score


def _history(index: CatalogIndex, taste: Taste) -> tuple[Rows, Floats, dict[int, float], list[int]]:
    """Rows and weights of the history's products in this catalog; seen and bought rows."""
    rows: list[int] = []
    weights: list[float] = []
    seen: dict[int, float] = {}
    for kind, weight in _KINDS:
        for age, sku in enumerate(getattr(taste, kind)[:_HISTORY]):
            row = index.rows.get(sku)
            if row is not None:
                rows.append(row)
                weights.append(weight * _DECAY**age)
                if kind != "bought":
                    seen[row] = seen.get(row, 0.0) + weights[-1]
    bought = [row for row in (index.rows.get(sku) for sku in taste.bought) if row is not None]
    for row in bought:
        seen.pop(row, None)
    return np.array(rows, dtype=np.intp), np.array(weights, dtype=np.float64), seen, bought


def _affinity(codes: npt.NDArray[np.int32], weights: Floats, size: int) -> Floats:
    """The share of the weight on each code; code -1 (none) lands in the last, zeroed entry."""
    if not codes.size:
        return np.zeros(size, dtype=np.float64)
    counts = np.bincount(np.where(codes < 0, size - 1, codes), weights, minlength=size)
    shares: Floats = counts.astype(np.float64) / float(weights.sum())
    shares[size - 1] = 0.0
    return shares


def _state(affinity: Floats, codes: Iterable[int | None]) -> None:
    """Raise the affinity of what the customer named to at least ``_STATED``."""
    for code in codes:
        if code is not None and code < affinity.size:
            affinity[code] = max(affinity[code], _STATED)


def _price(log_prices: Floats, weights: Floats, taste: Taste) -> tuple[float, float] | None:
    """Mean and spread of the log prices looked at, else the middle of the budget."""
    if log_prices.size:
        mean = float(np.average(log_prices, weights=weights))
        variance = float(np.average((log_prices - mean) ** 2, weights=weights))
        return mean, max(math.sqrt(variance), _PRICE_SD_MIN)
    bounds = [b for b in (taste.budget_min, taste.budget_max) if b is not None and b > 0]
    if not bounds:
        return None
    return math.log(sum(bounds) / len(bounds) * 100), _PRICE_SD_STATED


def _outside_budget(catalog: _Catalog, taste: Taste) -> Floats:
    price = catalog.columns.price
    outside = np.zeros(price.size, dtype=np.float64)
    if taste.budget_min is not None:
        outside += price < taste.budget_min * 100 - 1e-6
    if taste.budget_max is not None:
        outside += price > taste.budget_max * 100 + 1e-6
    return outside


# --- reading a profile ---------------------------------------------------------------------


def _strings(value: Any, most: int) -> tuple[str, ...]:
    """Non-empty stripped strings of a string or a list, first occurrence kept."""
    items: Sequence[Any] = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        return ()
    kept = (item.strip() for item in items if isinstance(item, str))
    return tuple(dict.fromkeys(item for item in kept if item))[:most]


def _liked(profile: Mapping[str, Any], kind: str) -> tuple[str, ...]:
    """The values of ``kind`` the customer chose in flows, most often chosen first."""
    likes = profile.get("likes")
    counts = likes.get(kind) if isinstance(likes, Mapping) else None
    if not isinstance(counts, Mapping):
        return ()
    valid = [
        (str(key), int(count))
        for key, count in counts.items()
        if isinstance(key, str) and key and isinstance(count, int) and not isinstance(count, bool)
    ]
    return tuple(key for key, _ in sorted(valid, key=lambda item: (-item[1], item[0]))[:_WORDS])


def _skus(value: Any) -> tuple[str, ...]:
    return _strings(value, _HISTORY)


def _words(value: Any) -> tuple[str, ...]:
    return _strings(value, _WORDS)


def _colours(value: Any) -> tuple[str, ...]:
    found = (normalize_colour(word) for word in _words(value))
    return tuple(dict.fromkeys(colour for colour in found if colour))


def _size(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        return normalize_size(value)
    except OverflowError:  # an int too large for a float
        return None


def _budget(value: Any) -> tuple[float | None, float | None]:
    """``{"min": 50, "max": "120"}`` in euros; a bare number is a maximum."""
    if not isinstance(value, Mapping):
        return None, _euros(value)
    low, high = _euros(value.get("min")), _euros(value.get("max"))
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high


def _euros(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        amount = float(value.strip().replace(",", ".")) if isinstance(value, str) else float(value)
    except (ValueError, OverflowError):
        return None
    return amount if math.isfinite(amount) and 0 <= amount < 1e9 else None
