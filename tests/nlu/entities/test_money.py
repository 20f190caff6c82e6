"""Prices and budgets customers name: "unter 100 €", "zwischen 50 und 80", "under $50"."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import ExtractContext, extract_prices

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
EN = ExtractContext.at(NOW, language="en")
CH = ExtractContext.at(NOW, currency="CHF", region="CH")


def price(low: float | None, high: float | None, currency: str = "EUR") -> dict[str, object]:
    return {"min": low, "max": high, "currency": currency}


def approx(low: float, high: float, currency: str = "EUR") -> dict[str, object]:
    return {**price(low, high, currency), "approx": True}


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("Habt ihr was unter 100 €?", "unter 100 €", price(None, 100)),
        ("Sneaker unter 100 Euro", "unter 100 Euro", price(None, 100)),
        ("bis 80 Euro bitte", "bis 80 Euro", price(None, 80)),
        ("zwischen 50 und 80", "zwischen 50 und 80", price(50, 80)),
        ("Laufschuhe zwischen 50 und 80 Euro", "zwischen 50 und 80 Euro", price(50, 80)),
        ("max. 120", "max. 120", price(None, 120)),
        ("maximal 120€", "maximal 120€", price(None, 120)),
        ("höchstens 90 Euro", "höchstens 90 Euro", price(None, 90)),
        ("hoechstens 90 Euro", "hoechstens 90 Euro", price(None, 90)),
        ("nicht mehr als hundert Euro", "nicht mehr als hundert Euro", price(None, 100)),
        ("so 100-150€", "100-150€", price(100, 150)),
        ("100 - 150 Euro", "100 - 150 Euro", price(100, 150)),
        ("von 50 bis 100 Euro", "von 50 bis 100 Euro", price(50, 100)),
        ("ab 50 Euro", "ab 50 Euro", price(50, None)),
        ("mindestens 60€", "mindestens 60€", price(60, None)),
        ("über 200 Euro", "über 200 Euro", price(200, None)),
        ("ueber 200 Euro", "ueber 200 Euro", price(200, None)),
        ("so um die 100 Euro", "so um die 100 Euro", approx(80, 120)),
        ("ca. 100 €", "ca. 100 €", approx(80, 120)),
        ("etwa 100 Euro", "etwa 100 Euro", approx(80, 120)),
        ("Die gibt es für 79,99 €", "79,99 €", price(79.99, 79.99)),
        ("nur 79,99€!", "79,99€", price(79.99, 79.99)),
        ("€ 79.99", "€ 79.99", price(79.99, 79.99)),
        ("Preis 1.299,00 €", "1.299,00 €", price(1299, 1299)),
        ("für 79,- €", "79,- €", price(79, 79)),
        ("zwischen 80 und 50 Euro", "zwischen 80 und 50 Euro", price(50, 80)),
    ],
)
def test_german_prices(text: str, span: str, value: dict[str, object]) -> None:
    (entity,) = extract_prices(text, DE)
    assert (entity.text, entity.value) == (span, value)
    assert text[entity.start : entity.end] == span


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("anything under $50?", "under $50", price(None, 50, "USD")),
        ("less than 50 dollars", "less than 50 dollars", price(None, 50, "USD")),
        ("up to 80 euros", "up to 80 euros", price(None, 80)),
        ("between 50 and 80", "between 50 and 80", price(50, 80)),
        ("over 100 bucks", "over 100 bucks", price(100, None, "USD")),
        ("I paid 50 quid", "50 quid", price(50, 50, "GBP")),
        ("around a hundred dollars", "around a hundred dollars", approx(80, 120, "USD")),
        ("it was $1,299.99", "$1,299.99", price(1299.99, 1299.99, "USD")),
        ("from 50 to 100 euros", "from 50 to 100 euros", price(50, 100)),
        ("at most £40", "at most £40", price(None, 40, "GBP")),
        ("Air Max for max $120", "max $120", price(None, 120, "USD")),
    ],
)
def test_english_prices(text: str, span: str, value: dict[str, object]) -> None:
    (entity,) = extract_prices(text, EN)
    assert (entity.text, entity.value) == (span, value)


def test_currency_comes_from_the_shop_when_the_text_names_none() -> None:
    (entity,) = extract_prices("maximal 120", CH)
    assert entity.value == price(None, 120, "CHF")


def test_confidence_is_lower_for_guesses() -> None:
    assert extract_prices("unter 100 Euro", DE)[0].confidence == 1.0
    assert extract_prices("max. 120", DE)[0].confidence < 1.0
    assert extract_prices("ca. 100 €", DE)[0].confidence == 0.8


@pytest.mark.parametrize(
    "text",
    [
        "Ich habe 2 Fragen",
        "Habt ihr den in 43?",
        "Größe zwischen 42 und 44",
        "Gr. 42 bis 44",
        "Lieferung bis 18 Uhr?",
        "zwischen 9 und 18 Uhr geöffnet",
        "bis 24.12. da?",
        "in 2 Tagen",
        "max. 2 Paar pro Kunde",
        "Bestellung SC-123456",
        "ab 50",
        "etwa 100",
        "unter 10 %",
        "Habt ihr den Air Max 90 in weiß?",
        "min 3 Paar",
    ],
)
def test_not_a_price(text: str) -> None:
    assert extract_prices(text, DE) == []


_PRICEY = st.lists(
    st.sampled_from(["unter", "zwischen", "und", "bis", "ab", "ca.", "€", "Euro", "$", "max.",
                     "100", "79,99", "1.299,00", "-", " ", "über", "hundert", "Größe", "🙂", "\x00",
                     "between", "and", "under", "dollars", "quid", "50"]),
    max_size=20,
).map("".join)  # fmt: skip


@settings(deadline=None)
@given(st.one_of(st.text(), _PRICEY))
def test_spans_match_and_ranges_are_ordered(text: str) -> None:
    for entity in extract_prices(text, DE):
        assert text[entity.start : entity.end] == entity.text
        low, high = entity.value["min"], entity.value["max"]
        assert low is not None or high is not None
        assert low is None or high is None or low <= high
        json.dumps(entity.to_json())


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_prices(text, EN):
        assert text[entity.start : entity.end] == entity.text
