"""One catalog row (a CSV line or a JSON object) to a :class:`Product`, or the reason it is not one.

Every reason names the field, what is wrong and how to fix it, in the words
a shop owner uses: ``price is missing — add a price like 89.99``.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from theke.commerce.products import (
    COLOUR_KEYS,
    Product,
    SizeStock,
    normalize_colour,
    normalize_size,
    size_sort_key,
)
from theke.errors import BotFolderError

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ProductFile",
    "RejectedRow",
    "RowError",
    "check_columns",
    "collect",
    "is_known_column",
    "parse_row",
    "to_row",
]

COLUMNS = (
    "sku",
    "name",
    "brand",
    "category",
    "price",
    "currency",
    "sizes",
    "colors",
    "description",
    "image",
    "url",
    "popularity",
)
"""The columns a catalog row may have, besides ``name_<lang>`` and ``description_<lang>``."""

REQUIRED_COLUMNS = ("sku", "name", "category", "price", "sizes")

_TRANSLATED = re.compile(r"(?P<field>name|description)_(?P<lang>[a-z]{2})")
_SKU = re.compile(r"[A-Za-z0-9._-]{1,64}")
_CATEGORY = re.compile(r"[a-z0-9_-]{1,64}")
_PRICE = re.compile(r"(?P<units>\d{1,8})(?:[.,](?P<cents>\d{1,2}))?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_PAIR = re.compile(r"(?P<size>[^\s:,;]+(?:,\d{1,2}(?=\s*:))?)\s*:\s*(?P<stock>[^\s,;]+)")
_IMAGE = re.compile(r"images/[A-Za-z0-9][A-Za-z0-9._-]{0,127}\.(?:png|jpe?g|webp|gif|avif)", re.I)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?(?:[eE][+-]?\d+)?")
_MAX_STOCK = 1_000_000_000
_LIMITS = {"name": 200, "brand": 100, "description": 5000, "url": 2048, "image": 2048}


class RowError(ValueError):
    """A row that cannot be a product; ``reason`` says why and how to fix it."""

    def __init__(self, problem: str, fix: str) -> None:
        self.reason = f"{problem} — {fix}"
        super().__init__(self.reason)


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that was skipped: its line in the file and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class ProductFile:
    """The products a catalog file describes, and the rows that were skipped."""

    path: Path
    products: tuple[Product, ...]
    rejected: tuple[RejectedRow, ...] = ()

    def describe(self, row: RejectedRow) -> str:
        """``products.csv line 12: price is missing — add a price like 89.99``."""
        return f"{self.path.name} line {row.line}: {row.reason}"


def check_columns(path: Path, line: int, columns: Sequence[str], *, header: bool = True) -> None:
    """Refuse the whole file when a column is unknown or repeated, or a header lacks one."""
    seen: set[str] = set()
    for column in columns:
        if not is_known_column(column):
            raise BotFolderError(
                str(path), line, f"unknown column `{_short(column)}`", _suggest(column)
            )
        if column in seen:
            raise BotFolderError(
                str(path), line, f"the column `{column}` appears twice", "delete one of them"
            )
        seen.add(column)
    for column in REQUIRED_COLUMNS if header else ():
        if column not in seen:
            raise BotFolderError(
                str(path),
                line,
                f"the column `{column}` is missing",
                f"add a `{column}` column to the header line",
            )


def _suggest(column: str) -> str:
    close = difflib.get_close_matches(column, COLUMNS, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    known = ", ".join(f"`{name}`" for name in COLUMNS)
    return f"remove it; the columns are {known}, `name_<lang>` and `description_<lang>`"


def collect(path: Path, rows: Iterable[tuple[int, Mapping[str, object] | RowError]]) -> ProductFile:
    """Parse ``(line, fields)`` rows: good ones become products, bad ones are reported.

    A row may already be a :class:`RowError` (a line the file reader could not split).
    """
    products: list[Product] = []
    rejected: list[RejectedRow] = []
    lines: dict[str, int] = {}
    for line, fields in rows:
        product = fields if isinstance(fields, RowError) else _parse(fields)
        if isinstance(product, Product) and lines.setdefault(product.sku, line) != line:
            first = lines[product.sku]
            product = RowError(f"sku {product.sku} is already on line {first}", _OWN_SKU)
        if isinstance(product, RowError):
            rejected.append(RejectedRow(line, product.reason))
        else:
            products.append(product)
    return ProductFile(path, tuple(products), tuple(rejected))


_OWN_SKU = "give each product its own sku"


def _parse(fields: Mapping[str, object]) -> Product | RowError:
    try:
        return parse_row(fields)
    except RowError as exc:
        return exc


def is_known_column(name: str) -> bool:
    """Whether ``name`` is a catalog column (``name_en`` and ``description_de`` count)."""
    return name in COLUMNS or _TRANSLATED.fullmatch(name) is not None


def parse_row(fields: Mapping[str, object]) -> Product:
    """The product a row describes; raises :class:`RowError` with the first problem."""
    names, descriptions = _translations(fields)
    return Product(
        sku=_sku(fields.get("sku")),
        name=_required_text(fields, "name", "add the product's name"),
        category=_category(fields.get("category")),
        price_cents=_price(fields.get("price")),
        currency=_currency(fields.get("currency")),
        sizes=_sizes(fields.get("sizes")),
        brand=_text(fields, "brand"),
        colors=_colours(fields.get("colors")),
        description=_text(fields, "description"),
        names=names,
        descriptions=descriptions,
        image=_image(fields.get("image")),
        url=_url(fields.get("url")),
        popularity=_popularity(fields.get("popularity")),
    )


def to_row(product: Product) -> dict[str, str]:
    """The row that reads back as ``product`` (the inverse of :func:`parse_row`)."""
    row = {
        "sku": product.sku,
        "name": product.name,
        "brand": product.brand or "",
        "category": product.category,
        "price": f"{product.price_cents // 100}.{product.price_cents % 100:02d}",
        "currency": product.currency,
        "sizes": " ".join(f"{entry.size}:{entry.stock}" for entry in product.sizes),
        "colors": ",".join(product.colors),
        "description": product.description or "",
        "image": product.image or "",
        "url": product.url or "",
        "popularity": repr(product.popularity),
    }
    row.update({f"name_{lang}": text for lang, text in product.names.items()})
    row.update({f"description_{lang}": text for lang, text in product.descriptions.items()})
    return row


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _text(fields: Mapping[str, object], column: str) -> str | None:
    text = _clean(fields.get(column))
    limit = _LIMITS.get(column.split("_")[0], 5000)
    if len(text) > limit:
        raise RowError(f"{column} is {len(text)} characters long", f"shorten it to {limit}")
    return text or None


def _required_text(fields: Mapping[str, object], column: str, fix: str) -> str:
    text = _text(fields, column)
    if text is None:
        raise RowError(f"{column} is missing", fix)
    return text


def _translations(fields: Mapping[str, object]) -> tuple[dict[str, str], dict[str, str]]:
    found: dict[str, dict[str, str]] = {"name": {}, "description": {}}
    for column in fields:
        match = _TRANSLATED.fullmatch(column)
        text = _text(fields, column) if match else None
        if match and text:
            found[match["field"]][match["lang"]] = text
    return found["name"], found["description"]


def _sku(value: object) -> str:
    sku = _clean(value)
    if not sku:
        raise RowError("sku is missing", "give every product its own sku, like SC-001")
    if not _SKU.fullmatch(sku):
        raise RowError(
            f"sku `{_short(sku)}` may only have letters, digits, `.`, `_` and `-` (at most 64)",
            "write it like SC-001",
        )
    return sku


def _category(value: object) -> str:
    category = _clean(value).lower()
    if not category:
        raise RowError("category is missing", "add a category key like running or kids")
    if not _CATEGORY.fullmatch(category):
        raise RowError(
            f"category `{_short(category)}` must be one word of letters a-z, digits, `_` or `-`",
            "write a key like running, basketball or kids",
        )
    return category


def _price(value: object) -> int:
    text = _clean(value)
    if not text:
        raise RowError("price is missing", "add a price like 89.99")
    match = _PRICE.fullmatch(text)
    if match is None:
        raise RowError(f"price `{_short(text)}` is not a price", "write it like 89.99 or 89,99")
    cents = int(match["units"]) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    if cents <= 0:
        raise RowError("price must be more than 0", "write the price the product sells for")
    return cents


def _currency(value: object) -> str:
    text = _clean(value)
    if not text:
        return "EUR"
    if not _CURRENCY.fullmatch(text):
        raise RowError(
            f"currency `{_short(text)}` is not a three-letter ISO 4217 code",
            "write EUR, CHF or USD",
        )
    return text.upper()


def _sizes(value: object) -> tuple[SizeStock, ...]:
    pairs = _size_pairs(value)
    if not pairs:
        raise RowError("sizes is missing", "list the sizes with their stock, like 41:3 42:0 42.5:1")
    found: dict[str, int] = {}
    for raw_size, raw_stock in pairs:
        size = normalize_size(raw_size)
        if size is None:
            raise RowError(f"sizes: `{_short(raw_size)}` is not a shoe size", "write it like 42.5")
        if size in found:
            raise RowError(f"sizes: {size} appears twice", "keep one entry per size")
        found[size] = _stock(size, raw_stock)
    return tuple(SizeStock(size, found[size]) for size in sorted(found, key=size_sort_key))


def _size_pairs(value: object) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        return [(_clean(size), _clean(stock)) for size, stock in value.items()]
    text = _clean(value)
    pairs: list[tuple[str, str]] = []
    index = _skip_separators(text, 0)
    while index < len(text):
        pair = _PAIR.match(text, index)
        if pair is None:
            token = re.split(r"[\s,;]", text[index:], maxsplit=1)[0]
            raise RowError(f"sizes: `{_short(token)}` is not size:stock", "write it like 42:3")
        pairs.append((pair["size"], pair["stock"]))
        index = _skip_separators(text, pair.end())
    return pairs


def _skip_separators(text: str, index: int) -> int:
    while index < len(text) and (text[index] in ",;" or text[index].isspace()):
        index += 1
    return index


def _stock(size: str, text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_STOCK:
        raise RowError(
            f"sizes: the stock of {size} is `{_short(text)}`",
            "write how many pairs are in stock as a whole number, 0 or more, like 42:3",
        )
    return int(text)


def _colours(value: object) -> tuple[str, ...]:
    if isinstance(value, list | tuple):
        names = [_clean(item) for item in value]
    else:
        names = _clean(value).split(",")
    found: list[str] = []
    for name in filter(None, (name.strip() for name in names)):
        key = normalize_colour(name)
        if key is None:
            raise RowError(
                f"colour `{_short(name)}` is unknown",
                "use colour names like " + ", ".join(COLOUR_KEYS[:6]) + " (German or English)",
            )
        if key not in found:
            found.append(key)
    return tuple(found)


def _image(value: object) -> str | None:
    text = _clean(value)
    if not text:
        return None
    if _IMAGE.fullmatch(text) or (text.startswith("https://") and _is_web_url(text)):
        return text
    raise RowError(
        f"image `{_short(text)}` is neither a picture in catalog/images nor an https:// address",
        "write images/SC-001.png (a .png, .jpg, .webp or .gif file there) or https://...",
    )


def _url(value: object) -> str | None:
    text = _clean(value)
    if not text:
        return None
    if len(text) > _LIMITS["url"] or not _is_web_url(text):
        raise RowError(
            f"url `{_short(text)}` is not a web address", "write it like https://shop.de/p/sc-001"
        )
    return text


def _is_web_url(text: str) -> bool:
    if any(char.isspace() or not char.isprintable() for char in text) or len(text) > 2048:
        return False
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)


def _popularity(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    else:
        text = _clean(value)
        if not text:
            return 0.0
        if not _NUMBER.fullmatch(text):
            number = math.nan
        else:
            number = float(text.replace(",", "."))
    if not math.isfinite(number) or number < 0:
        raise RowError(
            f"popularity `{_short(_clean(value))}` is not a number of 0 or more",
            "write it like 12, or leave it empty for 0",
        )
    return number


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
