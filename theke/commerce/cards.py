"""Products as messages: a carousel of search hits, and a product's details.

Texts are German for ``de`` (and its regional variants) and English for any
other language; titles and subtitles are cut to what every channel shows.
"""

from __future__ import annotations

from collections.abc import Sequence

from theke.commerce.products import Product
from theke.commerce.search import Hit
from theke.content import (
    Button,
    Card,
    Carousel,
    Content,
    Media,
    PostbackButton,
    Text,
    UrlButton,
    shorten,
)
from theke.errors import ContentError

__all__ = ["product_carousel", "product_details", "sizes_text"]

_TITLE_MAX = 80
_SUBTITLE_MAX = 80  # Messenger's limit; the widest channels allow more
_CAPTION_MAX = 1024
_CARDS_MAX = 10
_DASH = "–"

_WORDS = {
    "de": {
        "size": "Größe",
        "sizes": "Größen",
        "details": "Details",
        "cart": "In den Warenkorb",
        "in_stock": "Auf Lager in {sizes}.",
        "sold_out": "Leider gerade ausverkauft.",
    },
    "en": {
        "size": "Size",
        "sizes": "Sizes",
        "details": "Details",
        "cart": "Add to cart",
        "in_stock": "In stock in {sizes}.",
        "sold_out": "Sold out at the moment.",
    },
}


def product_carousel(hits: Sequence[Hit], language: str, limit: int = _CARDS_MAX) -> Carousel:
    """Up to ``limit`` (at most ten) hits as product cards, in the order given."""
    cards = tuple(_card(hit, language) for hit in hits[: max(0, min(limit, _CARDS_MAX))])
    if not cards:
        raise ContentError("a product carousel needs at least one hit")
    return Carousel(cards=cards)


def product_details(product: Product, language: str) -> tuple[Content, ...]:
    """A product's picture, its name, price and description, and the sizes in stock."""
    words = _words(language)
    name = product.name_in(language)
    messages: list[Content] = []
    if product.image_url:
        messages.append(
            Media(kind="image", url=product.image_url, caption=shorten(name, _CAPTION_MAX))
        )
    heading = f"{name} {_DASH} {product.display_price(language)}"
    description = product.description_in(language)
    messages.append(Text(text=f"{heading}\n\n{description}" if description else heading))
    if product.in_stock:
        sizes = sizes_text(product, language)
        if words is _WORDS["en"]:  # "In stock in sizes 41–44": English nouns are lower case
            sizes = sizes[0].lower() + sizes[1:]
        messages.append(Text(text=words["in_stock"].format(sizes=sizes)))
    else:
        messages.append(Text(text=words["sold_out"]))
    return tuple(messages)


def sizes_text(product: Product, language: str) -> str:
    """The sizes in stock as a customer reads them: "Größen 41–44", "Sizes 38, 40–42"."""
    words = _words(language)
    runs = _runs(product)
    comma = language.split("-")[0].lower() == "de"

    def shown(size: str) -> str:
        return size.replace(".", ",") if comma else size

    if len(runs) == 1 and len(runs[0]) == 1:
        return f"{words['size']} {shown(runs[0][0])}"
    parts = [
        shown(run[0]) if len(run) == 1 else f"{shown(run[0])}{_DASH}{shown(run[-1])}"
        for run in runs
    ]
    return f"{words['sizes']} {', '.join(parts)}"


def _card(hit: Hit, language: str) -> Card:
    product = hit.product
    words = _words(language)
    details: Button = (
        UrlButton(title=words["details"], url=product.url)
        if product.url
        else PostbackButton(title=words["details"], payload=f"theke:product:{product.sku}")
    )
    cart = PostbackButton(title=words["cart"], payload=f"theke:cart:{product.sku}")
    subtitle = product.display_price(language)
    if product.in_stock:
        subtitle += f" · {sizes_text(product, language)}"
    return Card(
        title=shorten(product.name_in(language), _TITLE_MAX),
        subtitle=shorten(subtitle, _SUBTITLE_MAX),
        image_url=product.image_url,
        url=product.url,
        buttons=(details, cart),
    )


def _runs(product: Product) -> list[list[str]]:
    """The sizes in stock in runs without a gap among the sizes the product comes in.

    Half sizes count where they are in stock and never break a run of whole sizes:
    "36–47" rather than "36–42, 43–47" when only 42.5 is sold out.
    """
    runs: list[list[str]] = []
    previous_in_stock = False
    for entry in product.sizes:
        if entry.stock <= 0 and not entry.size.endswith(".0") and "." in entry.size:
            continue  # a sold-out half size: the run goes on
        if entry.stock > 0:
            if previous_in_stock:
                runs[-1].append(entry.size)
            else:
                runs.append([entry.size])
        previous_in_stock = entry.stock > 0
    return runs


def _words(language: str) -> dict[str, str]:
    return _WORDS["de" if language.replace("_", "-").split("-")[0].lower() == "de" else "en"]
