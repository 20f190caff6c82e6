"""One catalog row to a product: what a shop owner writes, and what they hear when it is wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.commerce.strategies import products
from theke.commerce import Product, RowError, SizeStock, parse_row, to_row
from theke.commerce.rows import COLUMNS

ROW = {
    "sku": "SC-001",
    "name": "Pegasus 41",
    "name_en": "Pegasus 41 (EN)",
    "brand": "Nike",
    "category": "Running",
    "price": "89,99",
    "sizes": "42:3 36:4, 37:0 42,5:1",
    "colors": "Weiß, schwarz",
    "description": "Weiche Dämpfung.",
    "image": "images/sc-001.png",
    "url": "https://shop.example/p/sc-001",
    "popularity": "12,5",
}


def test_a_full_row_becomes_a_normalised_product() -> None:
    product = parse_row(ROW)
    assert product.sku == "SC-001"
    assert product.category == "running"
    assert product.price_cents == 8999 and product.currency == "EUR"
    assert product.sizes == (
        SizeStock("36", 4),
        SizeStock("37", 0),
        SizeStock("42", 3),
        SizeStock("42.5", 1),
    )
    assert product.colors == ("white", "black")
    assert product.name_in("en") == "Pegasus 41 (EN)"
    assert product.name_in("de") == "Pegasus 41"
    assert product.popularity == 12.5
    assert product.image_url == "/catalog/images/sc-001.png"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"price": ""}, "price is missing — add a price like 89.99"),
        ({"price": "89.999"}, "price `89.999` is not a price — write it like 89.99 or 89,99"),
        ({"price": "0,00"}, "price must be more than 0"),
        ({"sku": ""}, "sku is missing"),
        ({"sku": "SC 001"}, "sku `SC 001` may only have letters"),
        ({"name": "  "}, "name is missing"),
        ({"category": "Lauf schuhe"}, "category `lauf schuhe` must be one word"),
        ({"currency": "Euro"}, "currency `Euro` is not a three-letter ISO 4217 code"),
        ({"sizes": ""}, "sizes is missing — list the sizes with their stock"),
        ({"sizes": "42-3"}, "sizes: `42-3` is not size:stock — write it like 42:3"),
        ({"sizes": "42:3 42.0:1"}, "sizes: 42 appears twice"),
        ({"sizes": "42:-1"}, "sizes: the stock of 42 is `-1`"),
        ({"sizes": "M:3"}, "sizes: `M` is not a shoe size"),
        ({"colors": "weiß, lachs"}, "colour `lachs` is unknown"),
        ({"image": "../secret.png"}, "image `../secret.png` is neither a picture"),
        ({"image": "http://cdn.example/a.png"}, "image `http://cdn.example/a.png` is neither"),
        ({"url": "shop.example/p/1"}, "url `shop.example/p/1` is not a web address"),
        ({"popularity": "-1"}, "popularity `-1` is not a number of 0 or more"),
    ],
)
def test_a_bad_value_is_reported_with_its_fix(change: dict[str, str], reason: str) -> None:
    with pytest.raises(RowError) as raised:
        parse_row({**ROW, **change})
    assert raised.value.reason.startswith(reason)
    assert " — " in raised.value.reason


def test_optional_values_have_their_defaults() -> None:
    row = {"sku": "A1", "name": "Court", "category": "kids", "price": "30", "sizes": "30:1"}
    product = parse_row(row)
    assert product.currency == "EUR"
    assert product.brand is None and product.colors == () and product.popularity == 0.0
    assert product.image is None and product.url is None


def test_an_https_image_is_kept_as_it_is() -> None:
    product = parse_row({**ROW, "image": "https://cdn.example/sc-001.jpg"})
    assert product.image_url == "https://cdn.example/sc-001.jpg"


def test_json_values_are_read_like_text() -> None:
    row: dict[str, object] = {
        **ROW,
        "price": 89.99,
        "sizes": {"42": 3, "42,5": 0},
        "colors": ["navy blue", "bunt"],
        "popularity": 7,
    }
    product = parse_row(row)
    assert product.price_cents == 8999
    assert product.sizes == (SizeStock("42", 3), SizeStock("42.5", 0))
    assert product.colors == ("navy", "multicolor")
    assert product.popularity == 7.0


_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["89,99", "42:3 43:0", "42,5:1", "weiß", "images/a.png", "https://x.de"]),
    st.integers(-5, 10**12),
    st.floats(),
    st.none(),
    st.booleans(),
    st.lists(st.text(max_size=8), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(-2, 5) | st.text(max_size=3), max_size=3),
)


@settings(max_examples=400)
@given(st.dictionaries(st.sampled_from([*COLUMNS, "name_en", "description_de"]), _values))
def test_the_row_parser_never_crashes(row: dict[str, object]) -> None:
    try:
        product = parse_row(row)
    except RowError as exc:
        assert exc.reason.strip()
    else:
        assert isinstance(product, Product) and product.price_cents > 0 and product.sizes


@settings(max_examples=300)
@given(products())
def test_a_product_survives_the_round_trip_through_a_row(product: Product) -> None:
    assert parse_row(to_row(product)) == product
