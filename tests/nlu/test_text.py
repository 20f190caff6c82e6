"""Normalisation, language detection and catalog matching on what customers type."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.nlu.encoder import prepare
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.language import detect_language
from theke.nlu.normalize import fold, squeeze


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Größe", "groesse"),
        ("GRÖSSE", "groesse"),
        ("Rückgabe", "rueckgabe"),
        ("café", "cafe"),
        ("ﬁt", "fit"),
    ],
)
def test_umlauts_case_and_accents_fold_alike(written: str, folded: str) -> None:
    assert fold(written) == folded


def test_squeeze_keeps_emoji_and_shortens_runs() -> None:
    assert squeeze("Hallooooo!!!  👋👋") == "halloo! 👋👋"
    assert squeeze("Wo bleibt mein Paket???!!!") == "wo bleibt mein paket?!"
    assert squeeze("\x00ab\u200bc") == "ab c"


def test_shouting_reads_as_normal_text_for_the_encoder() -> None:
    assert prepare("RÜCKSENDUNG!!!") == "rücksendung!"
    assert prepare("Ich will SC-123456 stornieren") == "Ich will SC-123456 stornieren"


@given(st.text(max_size=300))
def test_folding_never_fails_and_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)
    assert squeeze(squeeze(text)) == squeeze(text)


@pytest.mark.parametrize(
    ("text", "known", "language"),
    [
        ("Habt ihr die Sneaker auch in Größe 43?", None, "de"),
        ("Do you ship to Austria as well?", "de", "en"),
        ("Hallo", "en", "en"),  # too short to tell: the customer's language stays
        ("ok danke", "de", "de"),
        ("wie lange dauert der Versand nach Wien", "en", "de"),
    ],
)
def test_language_of_a_message(text: str, known: str | None, language: str) -> None:
    assert detect_language(text, ["de", "en"], known).language == language


def test_a_one_language_bot_never_guesses() -> None:
    guess = detect_language("Do you ship to Austria as well?", ["de"], None)
    assert (guess.language, guess.detected) == ("de", False)


@pytest.fixture
def catalog() -> Gazetteer:
    lookups = {
        "brand": ["adidas", "Nike", "New Balance", "On Running"],
        "category": ["sneaker", "laufschuh"],
        "product": ["Chuck Taylor", "Air Max 90"],
    }
    synonyms = {"turnschuhe": "sneaker", "treter": "sneaker", "chucks": "Chuck Taylor"}
    return Gazetteer.from_tables(lookups, synonyms)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Habt ihr Turnschuhe?", [("category", "Turnschuhe", "sneaker")]),
        (
            "coole Treter von Addidas",
            [("category", "Treter", "sneaker"), ("brand", "Addidas", "adidas")],
        ),
        ("die AIR MAX 90 in weiß", [("product", "AIR MAX 90", "Air Max 90")]),
        (
            "Laufschuhe von new balance",
            [("category", "Laufschuhe", "laufschuh"), ("brand", "new balance", "New Balance")],
        ),
        ("Chucks in Größe 42", [("product", "Chucks", "Chuck Taylor")]),
        ("kannst du das mal checken", []),
        ("Ich suche Sneakers", [("category", "Sneakers", "sneaker")]),
    ],
)
def test_catalog_values_with_synonyms_plurals_and_typos(
    catalog: Gazetteer, text: str, found: list[tuple[str, str, str]]
) -> None:
    assert [(e.entity, e.text, e.value) for e in catalog.find(text)] == found


@given(st.text(max_size=200))
def test_catalog_spans_always_match_the_text(text: str) -> None:
    lookups = {"brand": ["Straße", "adidas"], "category": ["sneaker"]}
    for entity in Gazetteer.from_tables(lookups, {}).find(text):
        assert text[entity.start : entity.end] == entity.text
