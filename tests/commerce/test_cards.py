"""Products as the customer sees them in the chat: cards, prices, sizes, buttons, details."""

from __future__ import annotations

import pytest

from theke.commerce import Hit, Product, SizeStock, product_carousel, product_details, sizes_text
from theke.content import Media, PostbackButton, Text, UrlButton
from theke.errors import ContentError


def _product(**kw: object) -> Product:
    values: dict[str, object] = {
        "sku": "SC-1",
        "name": "Pegasus 41",
        "category": "running",
        "price_cents": 8999,
        "sizes": tuple(SizeStock(str(size), 1) for size in range(41, 45)),
        "image": "images/sc-1.png",
    }
    values.update(kw)
    return Product(**values)  # type: ignore[arg-type]


def _hit(product: Product) -> Hit:
    return Hit(product, product.in_stock, 0.0)


def test_a_card_in_german_and_in_english() -> None:
    product = _product(names={"en": "Pegasus 41 (EN)"}, url="https://shop.example/p/sc-1")
    german = product_carousel([_hit(product)], "de").cards[0]
    english = product_carousel([_hit(product)], "en").cards[0]
    assert (german.title, german.subtitle) == ("Pegasus 41", "89,99 € · Größen 41–44")
    assert (english.title, english.subtitle) == ("Pegasus 41 (EN)", "€89.99 · Sizes 41–44")
    assert german.image_url == "/catalog/images/sc-1.png"
    assert german.buttons == (
        UrlButton(title="Details", url="https://shop.example/p/sc-1"),
        PostbackButton(title="In den Warenkorb", payload="theke:cart:SC-1"),
    )
    assert english.buttons[1] == PostbackButton(title="Add to cart", payload="theke:cart:SC-1")


def test_without_a_product_page_details_come_from_the_bot() -> None:
    card = product_carousel([_hit(_product(image=None))], "de").cards[0]
    assert card.buttons[0] == PostbackButton(title="Details", payload="theke:product:SC-1")
    assert card.image_url is None and card.url is None


@pytest.mark.parametrize(
    ("stock", "german", "english"),
    [
        ({"41": 1, "42": 1, "43": 1}, "Größen 41–43", "Sizes 41–43"),
        ({"41": 1, "42": 0, "43": 1, "44": 1}, "Größen 41, 43–44", "Sizes 41, 43–44"),
        ({"42": 2}, "Größe 42", "Size 42"),
        # A sold-out half size does not break a run of whole sizes.
        ({"41": 1, "41.5": 0, "42": 1}, "Größen 41–42", "Sizes 41–42"),
        ({"41": 1, "41.5": 2, "42": 0, "43": 1}, "Größen 41–41,5, 43", "Sizes 41–41.5, 43"),
    ],
)
def test_sizes_read_as_ranges_where_nothing_is_missing(
    stock: dict[str, int], german: str, english: str
) -> None:
    sizes = tuple(SizeStock(size, count) for size, count in stock.items())
    product = _product(sizes=sizes)
    assert sizes_text(product, "de") == german
    assert sizes_text(product, "en-GB") == english


def test_long_names_are_cut_to_what_every_channel_shows() -> None:
    product = _product(name="Sehr langer Name " * 10, currency="CHF")
    card = product_carousel([_hit(product)], "de").cards[0]
    assert len(card.title) == 80 and card.title.endswith("…")
    assert card.subtitle is not None and card.subtitle.startswith("89,99 CHF")


def test_a_carousel_has_at_most_ten_cards_in_the_order_given() -> None:
    hits = [_hit(_product(sku=f"SC-{n}")) for n in range(14)]
    carousel = product_carousel(hits, "de")
    assert [card.buttons[1].payload for card in carousel.cards] == [  # type: ignore[union-attr]
        f"theke:cart:SC-{n}" for n in range(10)
    ]
    assert len(product_carousel(hits, "de", limit=3).cards) == 3
    with pytest.raises(ContentError):
        product_carousel([], "de")


def test_details_show_picture_description_and_sizes() -> None:
    product = _product(description="Weich.", descriptions={"en": "Soft."})
    german = product_details(product, "de")
    assert german[0] == Media(kind="image", url="/catalog/images/sc-1.png", caption="Pegasus 41")
    assert german[1] == Text(text="Pegasus 41 – 89,99 €\n\nWeich.")
    assert german[2] == Text(text="Auf Lager in Größen 41–44.")
    english = product_details(product, "en")
    assert english[1] == Text(text="Pegasus 41 – €89.99\n\nSoft.")
    assert english[2] == Text(text="In stock in sizes 41–44.")


def test_details_of_a_sold_out_product_say_so() -> None:
    product = _product(image=None, sizes=(SizeStock("42", 0),))
    assert product_details(product, "de") == (
        Text(text="Pegasus 41 – 89,99 €"),
        Text(text="Leider gerade ausverkauft."),
    )
    assert product_details(product, "en")[-1] == Text(text="Sold out at the moment.")
