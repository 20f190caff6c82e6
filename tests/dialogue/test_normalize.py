"""Normalised text: what the customer typed, compared the way the owner wrote it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.dialogue import normalize


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("HALLO!!", "hallo"),
        ("  hallo 👋 ", "hallo"),
        ("Größe?", "groesse"),
        ("GRÖSSE", "groesse"),
        ("Straße", "strasse"),
        ("Wann habt ihr   offen?", "wann habt ihr offen"),
        ("Crème brûlée", "creme brulee"),
        ("ｈａｌｌｏ", "hallo"),
        ("Ü-Ei", "ue ei"),
        ("...", ""),
    ],
)
def test_examples(typed: str, normal: str) -> None:
    assert normalize(typed) == normal


def test_decomposed_umlauts_are_the_same_word() -> None:
    assert normalize("Gro\u0308\u00dfe") == normalize("Größe") == "groesse"


@given(st.text())
def test_normalising_twice_changes_nothing(text: str) -> None:
    assert normalize(normalize(text)) == normalize(text)


@given(st.text())
def test_result_is_words_separated_by_single_spaces(text: str) -> None:
    normal = normalize(text)
    assert normal == normal.strip()
    assert "  " not in normal
    assert normal == normal.casefold()


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß 0123456789!?.,-"))
def test_capitals_do_not_matter(text: str) -> None:
    assert normalize(text.upper()) == normalize(text)
