"""Colour words in German and English, inflected, compounded and misspelt."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import COLOURS, ExtractContext, extract_colours

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
CANONICAL = {"black", "white", "red", "blue", "green", "yellow", "grey", "brown", "beige", "pink",
             "purple", "orange", "navy", "gold", "silver", "multicolor"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "span", "colour"),
    [
        ("schwarz", "schwarz", "black"),
        ("die schwarze Jacke", "schwarze", "black"),
        ("Habt ihr den auch in schwarzen?", "schwarzen", "black"),
        ("weiß", "weiß", "white"),
        ("weiss", "weiss", "white"),
        ("die weisse", "weisse", "white"),
        ("Die weißen Sneaker", "weißen", "white"),
        ("dunkelblau", "dunkelblau", "navy"),
        ("in Marine", "Marine", "navy"),
        ("grau", "grau", "grey"),
        ("gray", "gray", "grey"),
        ("etwas Buntes", "Buntes", "multicolor"),
        ("rot", "rot", "red"),
        ("rosa", "rosa", "pink"),
        ("lila", "lila", "purple"),
        ("violett", "violett", "purple"),
        ("Grün", "Grün", "green"),
        ("gruen", "gruen", "green"),
        ("grun", "grun", "green"),
        ("beigen Mantel", "beigen", "beige"),
        ("orangene Jacke", "orangene", "orange"),
        ("goldfarbene Uhr", "goldfarbene", "gold"),
        ("silberne Kette", "silberne", "silver"),
        ("hellblaue Jeans", "hellblaue", "blue"),
        ("dunkel blau", "dunkel blau", "navy"),
        ("navy blue", "navy blue", "navy"),
        ("dark blue", "dark blue", "navy"),
        ("light grey", "light grey", "grey"),
        ("Do you have it in RED?", "RED", "red"),
        ("türkis", "türkis", "blue"),
    ],
)
def test_colours(text: str, span: str, colour: str) -> None:
    (entity,) = extract_colours(text, DE)
    assert (entity.text, entity.value) == (span, colour)


def test_two_colours() -> None:
    found = extract_colours("schwarz-weiß oder rot?", DE)
    assert [(e.text, e.value) for e in found] == [
        ("schwarz", "black"),
        ("weiß", "white"),
        ("rot", "red"),
    ]


@pytest.mark.parametrize(
    "text",
    ["Ich weiß nicht, welche Größe", "Weiß ich nicht", "Das weiß man nie", "Brot und Rotwein",
     "Guten Morgen", "Hell yes", "Ich habe 2 Fragen", "Dunkelheit"],
)  # fmt: skip
def test_not_a_colour(text: str) -> None:
    assert extract_colours(text, DE) == []


def test_a_bot_adds_its_own_words() -> None:
    found = extract_colours("in Petrol oder Schwarz", DE, {"petrol": "blue"})
    assert [(e.text, e.value) for e in found] == [("Petrol", "blue"), ("Schwarz", "black")]
    assert extract_colours("in Petrol", DE) == []


def test_the_table_maps_to_canonical_keys_only() -> None:
    assert set(COLOURS.values()) == CANONICAL
    with pytest.raises(TypeError):
        COLOURS["petrol"] = "blue"  # type: ignore[index]


@settings(deadline=None)
@given(st.sampled_from(sorted(COLOURS)), st.sampled_from(["", "e", "en", "er", "es"]))
def test_every_table_word_is_found_inflected(word: str, ending: str) -> None:
    text = f"Habt ihr die in {word.capitalize()}{ending}?"
    found = extract_colours(text, DE)
    assert [e.value for e in found] == [COLOURS[word]]


@settings(deadline=None)
@given(st.text())
def test_spans_match_the_text(text: str) -> None:
    for entity in extract_colours(text, DE, {"petrol": "blue"}):
        assert text[entity.start : entity.end] == entity.text
        json.dumps(entity.to_json())


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_colours(text, DE):
        assert text[entity.start : entity.end] == entity.text
