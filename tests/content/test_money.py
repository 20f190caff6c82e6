"""Prices read the way a German or English customer expects."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.content import format_price
from theke.errors import ContentError


@pytest.mark.parametrize(
    ("amount", "currency", "locale", "shown"),
    [
        ("89.99", "EUR", "de", "89,99 €"),
        (1299, "EUR", "de", "1.299,00 €"),
        ("89.99", "EUR", "en", "€89.99"),
        (Decimal("1299"), "EUR", "en", "€1,299.00"),
        (49, "USD", "en", "$49.00"),
        (49, "USD", "de", "49,00 $"),
        ("12.5", "GBP", "en", "£12.50"),
        ("12.5", "GBP", "de", "12,50 £"),
        ("12.5", "CHF", "en", "CHF 12.50"),
        ("12.5", "CHF", "de", "12,50 CHF"),
        ("1234567.5", "EUR", "de", "1.234.567,50 €"),
        ("-5", "EUR", "de", "-5,00 €"),
        ("-5", "EUR", "en", "-€5.00"),
        (0, "EUR", "de", "0,00 €"),
    ],
)
def test_price_formats(amount: Decimal | int | str, currency: str, locale: str, shown: str) -> None:
    assert format_price(amount, currency, locale) == shown


def test_euro_in_german_is_the_default() -> None:
    assert format_price("9.9") == "9,90 €"


@pytest.mark.parametrize(("amount", "shown"), [("2.675", "2,68 €"), ("0.005", "0,01 €")])
def test_half_cents_round_up(amount: str, shown: str) -> None:
    assert format_price(amount) == shown


def test_a_rounded_away_negative_shows_no_minus() -> None:
    assert format_price("-0.004") == "0,00 €"


@pytest.mark.parametrize(
    ("locale", "shown"), [("de-AT", "1.299,00 €"), ("de_CH", "1.299,00 €"), ("en-GB", "€1,299.00")]
)
def test_regional_locales_use_their_language(locale: str, shown: str) -> None:
    assert format_price(1299, locale=locale) == shown


def test_other_languages_are_formatted_the_english_way() -> None:
    assert format_price(1299, "EUR", "fr") == "€1,299.00"


def test_currency_codes_are_case_insensitive() -> None:
    assert format_price(5, "usd", "en") == "$5.00"


@pytest.mark.parametrize("currency", ["EURO", "€", "", "E1R"])
def test_unknown_currency_spelling_is_refused(currency: str) -> None:
    with pytest.raises(ContentError, match="three-letter ISO 4217 code"):
        format_price(5, currency)


@pytest.mark.parametrize(
    ("amount", "problem"),
    [
        ("89,99", "not a number"),
        ("zehn", "not a number"),
        ("NaN", "not a finite price"),
        ("Infinity", "not a finite price"),
        ("1e40", "too large"),
        (89.99, "not float"),
        (True, "not bool"),
    ],
)
def test_unusable_amounts_are_refused(amount: object, problem: str) -> None:
    with pytest.raises(ContentError, match=problem):
        format_price(amount)  # type: ignore[arg-type]


_amounts = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False
)


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(_amounts)
def test_german_number_part_reads_back_as_the_rounded_amount(amount: Decimal) -> None:
    shown = format_price(amount, "EUR", "de")
    match = re.fullmatch(r"(-?)([0-9]{1,3}(?:\.[0-9]{3})*,[0-9]{2}) €", shown)
    assert match, shown
    number = Decimal(match[1] + match[2].replace(".", "").replace(",", "."))
    assert number == _cents(amount)


@given(_amounts)
def test_english_number_part_reads_back_as_the_rounded_amount(amount: Decimal) -> None:
    shown = format_price(amount, "EUR", "en")
    match = re.fullmatch(r"(-?)€([0-9]{1,3}(?:,[0-9]{3})*\.[0-9]{2})", shown)
    assert match, shown
    assert Decimal(match[1] + match[2].replace(",", "")) == _cents(amount)


@given(_amounts, st.sampled_from(["EUR", "USD", "GBP", "CHF", "SEK"]))
def test_both_languages_show_the_same_digits(amount: Decimal, currency: str) -> None:
    german = re.sub(r"[^0-9]", "", format_price(amount, currency, "de"))
    english = re.sub(r"[^0-9]", "", format_price(amount, currency, "en"))
    assert german == english
