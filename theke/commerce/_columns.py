"""The catalog's filterable attributes as column arrays, one entry per product row.

Categories and brands are small integer codes, colours a bit set, prices
integer cents. A filter is one vectorised comparison; ``False`` from a
filter means no product can match (an unknown brand, say), ``None`` that the
filter was not asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Literal

import numpy as np
import numpy.typing as npt

from theke.commerce.products import COLOUR_KEYS, Product
from theke.nlu.normalize import fold

__all__ = ["Columns", "Filter", "Mask"]

Mask = npt.NDArray[np.bool_]
Filter = Mask | Literal[False] | None

_MAX_COLOURS = 63


def _no_codes() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Columns:
    """Per product row: live or not, category, brand, colours, price, popularity."""

    active: Mask = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    category: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    categories: Mapping[str, int] = field(default_factory=_no_codes)
    brand: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    brands: Mapping[str, int] = field(default_factory=_no_codes)
    colours: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    colour_bits: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({key: i for i, key in enumerate(COLOUR_KEYS)})
    )
    price: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    popularity: npt.NDArray[np.float64] = field(default_factory=lambda: np.zeros(0, np.float64))
    popularity_rank: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, np.int64))
    """Each row's place by popularity (0 = least popular; ties: the earlier row ranks higher)."""

    def append(self, products: Sequence[Product]) -> Columns:
        """Columns with one new row per product; these are unchanged."""
        categories, category = _codes(self.categories, [p.category for p in products])
        brands, brand = _codes(self.brands, [fold(p.brand or "").strip() for p in products])
        colour_bits, colours = _bits(self.colour_bits, [p.colors for p in products])
        popularity = np.concatenate((self.popularity, [p.popularity for p in products]))
        return Columns(
            active=np.concatenate((self.active, np.ones(len(products), dtype=np.bool_))),
            category=np.concatenate((self.category, np.array(category, dtype=np.int32))),
            categories=categories,
            brand=np.concatenate((self.brand, np.array(brand, dtype=np.int32))),
            brands=brands,
            colours=np.concatenate((self.colours, np.array(colours, dtype=np.int64))),
            colour_bits=colour_bits,
            price=np.concatenate((self.price, [p.price_cents for p in products])).astype(np.int64),
            popularity=popularity.astype(np.float64),
            popularity_rank=_ranks(popularity),
        )

    def retire(self, rows: Sequence[int]) -> Columns:
        """Columns in which ``rows`` no longer match any search."""
        if not rows:
            return self
        active = self.active.copy()
        active[list(rows)] = False
        return replace(self, active=active)

    def category_is(self, category: str) -> Filter:
        code = self.categories.get(category.strip().lower())
        return False if code is None else self.category == code

    def brand_in(self, brands: Sequence[str]) -> Filter:
        return _any_code(self.brand, self.brands, brands)

    def colour_in(self, colours: Sequence[str]) -> Filter:
        if not colours:
            return None
        bits = sum({1 << self.colour_bits[c] for c in colours if c in self.colour_bits})
        return False if not bits else (self.colours & bits) != 0

    def price_between(self, low: int | None, high: int | None) -> Filter:
        if low is None and high is None:
            return None
        mask: Mask = np.ones(len(self.price), dtype=np.bool_)
        if low is not None:
            mask &= self.price >= low
        if high is not None:
            mask &= self.price <= high
        return mask


def _codes(known: Mapping[str, int], values: Sequence[str]) -> tuple[Mapping[str, int], list[int]]:
    codes = dict(known)
    found = [codes.setdefault(value, len(codes)) if value else -1 for value in values]
    return MappingProxyType(codes), found


def _bits(
    known: Mapping[str, int], colours: Sequence[Sequence[str]]
) -> tuple[Mapping[str, int], list[int]]:
    bits = dict(known)
    masks: list[int] = []
    for product_colours in colours:
        mask = 0
        for colour in product_colours:
            if colour not in bits and len(bits) < _MAX_COLOURS:
                bits[colour] = len(bits)
            mask |= 1 << bits[colour] if colour in bits else 0
        masks.append(mask)
    return MappingProxyType(bits), masks


def _any_code(
    column: npt.NDArray[np.int32], codes: Mapping[str, int], wanted: Sequence[str]
) -> Filter:
    if not wanted:
        return None
    found = [codes[value] for value in wanted if value in codes]
    if not found:
        return False
    mask: Mask = column == found[0]
    for code in found[1:]:
        mask |= column == code
    return mask


def _ranks(popularity: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    rows = np.arange(popularity.size)
    order = np.lexsort((-rows, popularity))
    ranks = np.empty(popularity.size, dtype=np.int64)
    ranks[order] = rows
    return ranks
