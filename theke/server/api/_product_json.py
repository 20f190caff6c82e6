"""A product the shop system sends as JSON, checked by the catalog file's rules.

The fields are the catalog's columns (``sku``, ``name``, ``category``, ``price``,
``sizes``, ``name_en``, ...). ``sizes`` is an object (``{"42": 3}``), a list
(``[{"size": "42", "stock": 3}]``) or the file's text (``"42:3 43:0"``); ``colors``
a list or text. Every other field is text or a number. Each product is then read
by :func:`theke.commerce.rows.parse_row`, so the API accepts exactly what an
import accepts, and rejects it with the same reasons.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from theke.commerce.products import Product
from theke.commerce.rows import COLUMNS, RowError, is_known_column, parse_row

__all__ = ["Rejected", "parse_products"]

_SCALARS = (str, int, float)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A product of the request that was not stored: its place in the list and why."""

    index: int
    sku: str | None
    errors: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "sku": self.sku, "errors": list(self.errors)}


def parse_products(items: Sequence[object]) -> tuple[list[Product], list[Rejected]]:
    """The valid products of ``items`` and the rejected ones (a repeated sku is rejected)."""
    products: list[Product] = []
    rejected: list[Rejected] = []
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        sku = _sku_of(item)
        try:
            product = parse_row(_fields(item))
        except RowError as exc:
            rejected.append(Rejected(index, sku, (exc.reason,)))
            continue
        seen = first.setdefault(product.sku, index)
        if seen != index:
            reason = f"sku {product.sku} is already at index {seen} — give each product its own sku"
            rejected.append(Rejected(index, product.sku, (reason,)))
            continue
        products.append(product)
    return products, rejected


def _sku_of(item: object) -> str | None:
    if isinstance(item, Mapping):
        sku = item.get("sku")
        return sku[:64] if isinstance(sku, str) else None
    return None


def _fields(item: object) -> dict[str, object]:
    """The row ``parse_row`` reads; raises :class:`RowError` for what it cannot express."""
    if not isinstance(item, Mapping):
        raise RowError("this entry is not an object", 'send {"sku": ..., "name": ..., ...}')
    fields: dict[str, object] = {}
    for key, value in item.items():
        name = str(key)
        if not is_known_column(name):
            raise RowError(f"unknown field `{name[:40]}`", _suggest(name))
        fields[name] = _value(name, value)
    return fields


def _value(name: str, value: object) -> object:
    if name == "sizes":
        return _sizes(value)
    if name == "colors" and isinstance(value, list):
        if all(isinstance(colour, str) for colour in value):
            return value
        raise RowError("colors must be a list of colour names", 'send ["black", "white"]')
    if value is None or (isinstance(value, _SCALARS) and not isinstance(value, bool)):
        return value
    raise RowError(f"{name} must be text or a number", f"send {name} as a string")


def _sizes(value: object) -> object:
    """An object and the file's text are read by ``parse_row``; a list becomes an object."""
    if isinstance(value, list):
        return _size_list(value)
    if value is None or isinstance(value, str | Mapping):
        return value
    raise RowError(
        "sizes must be an object", 'send sizes with their stock, like {"42": 3, "43": 0}'
    )


def _size_list(entries: list[object]) -> dict[str, object]:
    found: dict[str, object] = {}
    for position, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or set(entry) != {"size", "stock"}:
            raise RowError(
                f"sizes: entry {position} is not a size with its stock",
                'send [{"size": "42", "stock": 3}, ...]',
            )
        size = str(entry["size"]).strip()
        if size in found:
            raise RowError(f"sizes: {size} appears twice", "keep one entry per size")
        found[size] = entry["stock"]
    return found


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, COLUMNS, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    return "remove it; the fields are " + ", ".join(COLUMNS) + ", name_<lang>, description_<lang>"
