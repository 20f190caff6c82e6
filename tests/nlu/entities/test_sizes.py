"""Shoe and clothing sizes: "Größe 42", "UK 9", "size XL", "in 44,5"."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import ExtractContext, extract_sizes

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
US = ExtractContext.at(NOW, language="en", region="US")


@pytest.mark.parametrize(
    ("text", "span", "system", "value"),
    [
        ("Habt ihr den in Größe 42?", "Größe 42", "EU", 42.0),
        ("Gr. 42", "Gr. 42", "EU", 42.0),
        ("groesse 42", "groesse 42", "EU", 42.0),
        ("Grösse 39", "Grösse 39", "EU", 39.0),
        ("Größe: 38", "Größe: 38", "EU", 38.0),
        ("Schuhgröße 41", "Schuhgröße 41", "EU", 41.0),
        ("Den in 44,5 bitte", "in 44,5", "EU", 44.5),
        ("in 44.5", "in 44.5", "EU", 44.5),
        ("Habt ihr den in 43 am Lager?", "in 43", "EU", 43.0),
        ("EU 43", "EU 43", "EU", 43.0),
        ("43 EU", "43 EU", "EU", 43.0),
        ("UK 9", "UK 9", "UK", 9.0),
        ("US 10.5", "US 10.5", "US", 10.5),
        ("size US 10.5", "size US 10.5", "US", 10.5),
        ("Größe 42 2/3", "Größe 42 2/3", "EU", 42.67),
        ("Größe 42⅓", "Größe 42⅓", "EU", 42.33),
        ("Größe 42½", "Größe 42½", "EU", 42.5),
        ("Größe 164 für meinen Sohn", "Größe 164", "EU", 164.0),
    ],
)
def test_numeric_sizes(text: str, span: str, system: str, value: float) -> None:
    (entity,) = extract_sizes(text, DE)
    assert entity.text == span
    assert entity.value == {"system": system, "value": value}


@pytest.mark.parametrize(
    ("text", "letter"),
    [("Größe M", "M"), ("size XL", "XL"), ("Gr. xxl", "XXL"), ("Größe 3XL", "XXXL"),
     ("Hast du das Shirt in M?", "M"), ("Größe s", "S")],
)  # fmt: skip
def test_letter_sizes(text: str, letter: str) -> None:
    (entity,) = extract_sizes(text, DE)
    assert entity.value == {"system": "letter", "value": letter}


def test_small_numbers_are_uk_in_europe_and_us_in_america() -> None:
    (europe,) = extract_sizes("size 9", DE)
    (america,) = extract_sizes("size 9", US)
    assert europe.value == {"system": "UK", "value": 9.0}
    assert america.value == {"system": "US", "value": 9.0}
    assert europe.confidence < 1.0


def test_a_bare_in_is_a_guess() -> None:
    assert extract_sizes("in 43", DE)[0].confidence == 0.7
    assert extract_sizes("Größe 43", DE)[0].confidence == 1.0


@pytest.mark.parametrize(
    "text",
    [
        "Lieferung in 2 Tagen",
        "in 20 Minuten da",
        "in 30 Tagen zurückgeben",
        "ich war in 2026 dort",
        "in 50 € Schritten",
        "give us 10 reasons",
        "send us 10 pairs",
        "Ich fahre in S-Bahn",
        "Bestellung SC-123456",
        "Ich habe 2 Fragen",
        "in 12",
        "in 60",
    ],
)
def test_not_a_size(text: str) -> None:
    assert extract_sizes(text, DE) == []


_SIZEY = st.lists(
    st.sampled_from(["Größe", "Gr.", "in", "EU", "UK", "US", "size", "42", "44,5", "10.5", "½",
                     " ", "2/3", "M", "XL", "Tagen", "€", "🙂", "\x07", ":"]),
    max_size=20,
).map("".join)  # fmt: skip


@settings(deadline=None)
@given(st.one_of(st.text(), _SIZEY))
def test_spans_match_the_text(text: str) -> None:
    for entity in extract_sizes(text, DE):
        assert text[entity.start : entity.end] == entity.text
        assert entity.value["system"] in {"EU", "UK", "US", "letter"}
        json.dumps(entity.to_json())


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_sizes(text, US):
        assert text[entity.start : entity.end] == entity.text
