"""Products to the store's records and back: the columns, and ``data`` for the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from theke.commerce.products import Product, SizeStock, size_sort_key
from theke.store.catalog import ProductRecord

__all__ = ["from_record", "to_record"]


def to_record(product: Product) -> ProductRecord:
    """The store's record of ``product``."""
    data: dict[str, Any] = {
        "colors": list(product.colors),
        "names": dict(product.names),
        "description": product.description,
        "descriptions": dict(product.descriptions),
        "image": product.image,
        "url": product.url,
    }
    return ProductRecord(
        sku=product.sku,
        name=product.name,
        category=product.category,
        price_cents=product.price_cents,
        currency=product.currency,
        sizes=tuple((entry.size, entry.stock) for entry in product.sizes),
        brand=product.brand,
        popularity=product.popularity,
        data={key: value for key, value in data.items() if value},
    )


def from_record(record: ProductRecord) -> Product:
    """The product a store record holds (sizes in numeric order)."""
    data = record.data
    sizes = sorted(record.sizes, key=lambda pair: size_sort_key(pair[0]))
    return Product(
        sku=record.sku,
        name=record.name,
        category=record.category,
        price_cents=record.price_cents,
        currency=record.currency,
        sizes=tuple(SizeStock(size, stock) for size, stock in sizes),
        brand=record.brand,
        colors=tuple(str(colour) for colour in data.get("colors", ())),
        description=_optional(data.get("description")),
        names=_texts(data.get("names")),
        descriptions=_texts(data.get("descriptions")),
        image=_optional(data.get("image")),
        url=_optional(data.get("url")),
        popularity=record.popularity,
    )


def _optional(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _texts(value: object) -> dict[str, str]:
    if not isinstance(value, Mapping):
        return {}
    return {str(lang): str(text) for lang, text in value.items() if text}
