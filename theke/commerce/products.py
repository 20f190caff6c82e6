"""A product of the shop's catalog: what it is, what it costs, which sizes are in stock."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from types import MappingProxyType

from theke.content import format_price
from theke.nlu.entities.colours import COLOURS, extract_colours
from theke.nlu.entities.context import ExtractContext

__all__ = [
    "COLOUR_KEYS",
    "Product",
    "SizeStock",
    "format_cents",
    "normalize_colour",
    "normalize_size",
    "size_sort_key",
]

COLOUR_KEYS = tuple(sorted(set(COLOURS.values())))
"""The canonical colour keys a product's ``colors`` hold ("black", "navy", ...)."""

_SIZE = re.compile(r"\d{1,3}(?:[.,]\d{1,2})?")
_NO_TEXTS: Mapping[str, str] = MappingProxyType({})
_CONTEXT = ExtractContext(now=datetime(2024, 1, 1, tzinfo=UTC))


def normalize_colour(name: str) -> str | None:
    """The canonical colour key of a German or English colour name: "Weiß" → ``"white"``.

    Inflected and shaded forms count too ("schwarze", "dunkelblau" → ``"navy"``);
    ``None`` when ``name`` is not one colour.
    """
    word = " ".join(name.split()).lower()
    found = COLOURS.get(word)
    if found is not None or not word:
        return found
    entities = extract_colours(word, _CONTEXT)
    if len(entities) == 1 and entities[0].start == 0 and entities[0].end == len(word):
        return str(entities[0].value)
    return None


def normalize_size(value: str | float | int) -> str | None:
    """A shoe size as the catalog writes it: ``"42,5"``, ``42.5`` → ``"42.5"``; ``43.0`` → ``"43"``.

    ``None`` when ``value`` is not a size between 0 and 100 with at most two decimals.
    """
    if isinstance(value, bool):
        return None
    text = value.strip() if isinstance(value, str) else f"{value:.6g}"
    if not _SIZE.fullmatch(text):
        return None
    try:
        number = Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None
    if not 0 < number < 100:
        return None
    return f"{number.normalize():f}"


def size_sort_key(size: str) -> tuple[Decimal, str]:
    """Sizes in numeric order: "9" before "36" before "42.5" before "43"."""
    try:
        return Decimal(size), size
    except InvalidOperation:
        return Decimal(1000), size


def format_cents(cents: int, currency: str, language: str) -> str:
    """A price in cents for display: ``"89,99 €"`` in German, ``"€89.99"`` in English."""
    return format_price(Decimal(cents).scaleb(-2), currency, language)


@dataclass(frozen=True, slots=True)
class SizeStock:
    """One size of a product and how many pairs are in stock."""

    size: str
    stock: int


@dataclass(frozen=True, slots=True)
class Product:
    """One product. ``price_cents`` is in ``currency``; texts may have translations.

    ``name`` and ``description`` are the catalog's main texts; ``names`` and
    ``descriptions`` hold the ``name_<lang>`` / ``description_<lang>`` columns.
    ``image`` is a path inside the bot's ``catalog/`` folder (``images/x.png``)
    or an https URL.
    """

    sku: str
    name: str
    category: str
    price_cents: int
    sizes: tuple[SizeStock, ...]
    currency: str = "EUR"
    brand: str | None = None
    colors: tuple[str, ...] = ()
    description: str | None = None
    names: Mapping[str, str] = field(default_factory=lambda: _NO_TEXTS, hash=False)
    descriptions: Mapping[str, str] = field(default_factory=lambda: _NO_TEXTS, hash=False)
    image: str | None = None
    url: str | None = None
    popularity: float = 0.0

    def name_in(self, language: str) -> str:
        """The name in ``language`` when the catalog has one, else the main name."""
        return self.names.get(language) or self.name

    def description_in(self, language: str) -> str | None:
        """The description in ``language`` when the catalog has one, else the main one."""
        return self.descriptions.get(language) or self.description

    def display_price(self, language: str) -> str:
        """The price as a customer reads it: ``"89,99 €"`` (de) or ``"€89.99"`` (en)."""
        return format_cents(self.price_cents, self.currency, language)

    @property
    def in_stock(self) -> tuple[str, ...]:
        """The sizes with at least one pair in stock, smallest first."""
        return tuple(entry.size for entry in self.sizes if entry.stock > 0)

    @property
    def image_url(self) -> str | None:
        """Where a customer's device fetches the picture: the server path or the URL."""
        if self.image is None or "://" in self.image:
            return self.image
        return "/catalog/" + self.image

    def stock(self, size: str) -> int:
        """Pairs in stock in ``size`` (0 for a size the product does not come in)."""
        wanted = normalize_size(size)
        return next((entry.stock for entry in self.sizes if entry.size == wanted), 0)
