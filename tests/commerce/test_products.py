"""Sizes, colours and prices in the one form the catalog keeps them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.commerce import Product, SizeStock, format_cents, normalize_colour, normalize_size


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("42", "42"),
        ("42,5", "42.5"),
        ("42.50", "42.5"),
        (43.0, "43"),
        (42.5, "42.5"),
        ("042", "42"),
    ],
)
def test_a_size_is_kept_in_one_form(written: str | float, kept: str) -> None:
    assert normalize_size(written) == kept


@pytest.mark.parametrize("written", ["", "M", "0", "100", "42.555", "-1", "4 2", True])
def test_what_is_not_a_shoe_size(written: str | bool) -> None:
    assert normalize_size(written) is None


@given(st.floats(allow_nan=True) | st.text(max_size=8) | st.integers())
def test_normalising_a_size_never_crashes_and_is_stable(value: float | str | int) -> None:
    size = normalize_size(value)
    assert size is None or normalize_size(size) == size


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("weiß", "white"),
        ("Weiss", "white"),
        ("schwarze", "black"),
        ("Dunkelblau", "navy"),
        ("navy blue", "navy"),
        ("bunt", "multicolor"),
        ("grey", "grey"),
        ("lachs", None),
        ("schwarz weiß", None),
    ],
)
def test_colour_names_in_german_and_english(name: str, key: str | None) -> None:
    assert normalize_colour(name) == key


def test_prices_are_shown_per_language() -> None:
    assert format_cents(8999, "EUR", "de") == "89,99 €"
    assert format_cents(8999, "EUR", "en") == "€89.99"
    assert format_cents(129900, "CHF", "de") == "1.299,00 CHF"


def test_a_product_knows_its_stock_per_size() -> None:
    product = Product(
        sku="A",
        name="A",
        category="kids",
        price_cents=100,
        sizes=(SizeStock("30", 0), SizeStock("30.5", 2)),
    )
    assert product.in_stock == ("30.5",)
    assert product.stock("30,5") == 2 and product.stock("31") == 0
    assert product.display_price("de-AT") == "1,00 €"
