"""The product picker: an agent finds a product of the catalog and sends its card into a
conversation.

The search reads the database, not the bot's in-memory catalog: the inbox may run in a
process without one. A product is found when each word of the query is part of its
name, brand or SKU, in any case; inactive products never are. SQL narrows by the words'
ASCII letters (which SQLite's ``lower`` folds as PostgreSQL's does) and Python's
``str.lower`` decides, so "löwe" finds "LÖWE" on both databases. The card is the one
the bot shows customers in a search result (:func:`theke.commerce.cards.product_carousel`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, or_, select

from theke.commerce._records import from_record
from theke.commerce.cards import product_carousel
from theke.commerce.products import Product
from theke.commerce.search import Hit
from theke.content import absolute_url, to_json
from theke.store import catalog
from theke.store.schema import products

__all__ = ["LANGUAGE", "QUERY_MAX", "Pick", "card_for", "find_products"]

LANGUAGE = "de"
"""The language of prices in the picker (the inbox's own)."""
QUERY_MAX = 200
"""How many characters of a query count: the rest is ignored."""

# Candidates SQL hands over at most. Only a word with non-ASCII letters lets SQL pass rows
# Python then drops, so only such a query can come back short of ``limit``.
_SCANNED = 200
_LIKE_SPECIAL = frozenset("%_\\")
_c = products.c


@dataclass(frozen=True, slots=True)
class Pick:
    """A product as the picker lists it; ``image_url`` may be a path on this server."""

    sku: str
    title: str
    brand: str | None
    price: str
    image_url: str | None
    url: str | None
    sizes_in_stock: tuple[str, ...]


def find_products(conn: Connection, query: str, limit: int = 8) -> list[Pick]:
    """Up to ``limit`` active products matching every word of ``query``: an exact SKU
    first, then the most popular. Sold-out products are found too, with no sizes."""
    typed = {word.lower(): word for word in query[:QUERY_MAX].split()}
    words = list(typed)
    if not words or limit <= 0:
        return []
    exact_sku = case((func.lower(_c.sku) == " ".join(words), 0), else_=1)
    statement = (
        select(_c.sku, _c.name, _c.brand)
        .where(_c.active, *(_narrowed(word) for word in typed.values()))
        .order_by(exact_sku, _c.popularity.desc(), _c.name, _c.sku)
        .limit(max(limit, _SCANNED))
    )
    skus: list[str] = []
    for sku, name, brand in conn.execute(statement):
        fields = (name.lower(), (brand or "").lower(), sku.lower())
        if all(any(word in field for field in fields) for word in words):
            skus.append(sku)
            if len(skus) == limit:
                break
    found = catalog.records(conn, skus)
    return [_pick(from_record(found[sku])) for sku in skus]


def card_for(
    conn: Connection, sku: str, public_url: str, *, language: str = LANGUAGE
) -> dict[str, Any] | None:
    """The stored JSON of the product's card, as the bot shows it in a search result in
    ``language``, with its picture's server path made absolute with ``public_url`` ("" keeps
    the path). ``None`` for an unknown or inactive SKU."""
    record = catalog.records(conn, [sku]).get(sku)
    if record is None or not record.active:
        return None
    product = from_record(record)
    hit = Hit(product=product, sizes_in_stock=product.in_stock, score=0.0)
    card = product_carousel([hit], language).cards[0]
    if card.image_url is not None:
        card = card.model_copy(update={"image_url": absolute_url(card.image_url, public_url)})
    return to_json(card)


def _narrowed(word: str) -> ColumnElement[bool]:
    """Rows where ``word`` (as typed) may be in the name, brand or SKU: its ASCII
    characters lower-case in place, any run of characters for each other one (whose
    lower case SQLite does not know)."""
    pattern = "".join(_like_char(char) for char in word)
    columns = (_c.name, _c.brand, _c.sku)
    return or_(*(func.lower(column).like(f"%{pattern}%", escape="\\") for column in columns))


def _like_char(char: str) -> str:
    if not char.isascii():
        return "%"
    return "\\" + char if char in _LIKE_SPECIAL else char.lower()


def _pick(product: Product) -> Pick:
    return Pick(
        sku=product.sku,
        title=product.name,
        brand=product.brand,
        price=product.display_price(LANGUAGE),
        image_url=product.image_url,
        url=product.url,
        sizes_in_stock=product.in_stock,
    )
