"""All extractors together: one entity per stretch of text, the most specific one."""

from __future__ import annotations

import json
import re
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.errors import ConfigurationError
from theke.nlu.entities import RULE_KINDS, ExtractContext, extract_rules

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
EN = ExtractContext.at(NOW, language="en")
ORDER = {"order_number": [re.compile(r"\bSC-?\d{6}\b", re.IGNORECASE)]}


def found(text: str, context: ExtractContext = DE) -> list[tuple[str, str]]:
    return [(e.entity, e.text) for e in extract_rules(text, context, patterns=ORDER)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Habt ihr den in 43 in schwarz unter 100 Euro?",
         [("size", "in 43"), ("color", "schwarz"), ("price", "unter 100 Euro")]),
        ("Größe 43 bitte", [("size", "Größe 43")]),
        ("Laufschuhe zwischen 50 und 80", [("price", "zwischen 50 und 80")]),
        ("Größe zwischen 42 und 44", [("number", "42"), ("number", "44")]),
        ("Kann ich morgen um 15 Uhr abholen?", [("datetime", "morgen um 15 Uhr")]),
        ("Wo ist Bestellung SC-123456?", [("order_number", "SC-123456")]),
        ("Ruf mich an: 0170 1234567", [("phone", "0170 1234567")]),
        ("Mail an max@example.de", [("email", "max@example.de")]),
        ("Ich habe 2 Fragen", [("number", "2")]),
        ("Lieferung am 24.12.2026 für 79,99 €",
         [("datetime", "am 24.12.2026"), ("price", "79,99 €")]),
    ],
)  # fmt: skip
def test_german_messages(text: str, expected: list[tuple[str, str]]) -> None:
    assert found(text) == expected


def test_an_english_message() -> None:
    text = "Do you have the red ones in size 9 under $50 for tomorrow?"
    assert found(text, EN) == [
        ("color", "red"),
        ("size", "size 9"),
        ("price", "under $50"),
        ("datetime", "tomorrow"),
    ]


def test_values_of_a_whole_message() -> None:
    entities = extract_rules("Air Max in 44,5, dunkelblau, max. 120€, bis Freitag?", DE)
    assert {e.entity: e.value for e in entities} == {
        "size": {"system": "EU", "value": 44.5},
        "color": "navy",
        "price": {"min": None, "max": 120.0, "currency": "EUR"},
        "datetime": {"value": "2026-11-27T00:00:00+01:00", "grain": "day"},
    }


def test_only_the_kinds_asked_for() -> None:
    text = "in 43 in schwarz unter 100 Euro"
    assert [e.entity for e in extract_rules(text, DE, kinds=["color"])] == ["color"]
    numbers = extract_rules(text, DE, kinds={"number"})
    assert [e.value for e in numbers] == [43, 100]


def test_a_kind_nobody_finds_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="shoe_model"):
        extract_rules("egal", DE, kinds=["shoe_model"])
    assert extract_rules("SC-123456", DE, kinds=["order_number"], patterns=ORDER)[0].value == (
        "SC-123456"
    )


def test_bot_colours_reach_the_colour_extractor() -> None:
    (entity,) = extract_rules("in Petrol", DE, colours={"petrol": "blue"})
    assert (entity.entity, entity.value) == ("color", "blue")


_MESSAGE = st.lists(
    st.sampled_from(["Größe", "43", "in", "44,5", "unter", "100", "Euro", "€", "zwischen", "und",
                     "morgen", "um", "15", "Uhr", "schwarz", "weiß", "0170", "1234567", "SC-",
                     "123456", "max@example.de", "24.12.", "2026", "nächsten", "Freitag", " ",
                     ", ", "-", "🙂", "\x00", "bis", "ca.", "dunkel", "blau", "halb", "drei"]),
    max_size=25,
).map("".join)  # fmt: skip


@settings(deadline=None)
@given(st.one_of(st.text(), _MESSAGE), st.sampled_from([DE, EN]))
def test_spans_match_and_never_overlap(text: str, context: ExtractContext) -> None:
    entities = extract_rules(text, context, patterns=ORDER)
    for entity in entities:
        assert text[entity.start : entity.end] == entity.text
        assert entity.entity in {*RULE_KINDS, "order_number"}
        json.dumps(entity.to_json())
    for before, after in pairwise(entities):
        assert before.end <= after.start


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    entities = extract_rules(text, DE, patterns=ORDER)
    assert all(a.end <= b.start for a, b in pairwise(entities))
