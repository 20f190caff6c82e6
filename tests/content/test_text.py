"""Long texts split where a reader would, and labels shorten visibly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.content import shorten, split_text
from theke.errors import ContentError


def _normalised(text: str) -> str:
    return " ".join(text.split())


def test_short_text_stays_whole() -> None:
    assert split_text("Hallo!", 6) == ["Hallo!"]


def test_splits_at_a_paragraph_before_a_sentence() -> None:
    text = "Erster Absatz. Noch ein Satz.\n\nZweiter Absatz. Mit zwei Sätzen."
    assert split_text(text, 50) == [
        "Erster Absatz. Noch ein Satz.",
        "Zweiter Absatz. Mit zwei Sätzen.",
    ]


def test_splits_at_a_sentence_before_a_word() -> None:
    text = "Der Schuh ist da. Er passt gut und ist bequem"
    assert split_text(text, 30) == ["Der Schuh ist da.", "Er passt gut und ist bequem"]


def test_a_sentence_ending_in_a_quote_is_a_sentence() -> None:
    text = "Sie sagte „Danke.“ Dann ging sie zum Laden um die Ecke"
    assert split_text(text, 30)[0] == "Sie sagte „Danke.“"


def test_splits_at_a_space_when_there_is_no_better_place() -> None:
    assert split_text("eins zwei drei vier", 10) == ["eins zwei", "drei vier"]


def test_an_early_paragraph_break_does_not_make_a_tiny_part() -> None:
    text = "Hi\n\nDas ist ein längerer Satz ohne Punkt der weitergeht"
    assert split_text(text, 40)[0].startswith("Hi\n\nDas ist")


def test_cuts_a_word_only_when_it_alone_is_too_long() -> None:
    assert split_text("ab Donaudampfschifffahrt", 10) == ["ab", "Donaudampf", "schifffahr", "t"]


def test_never_cuts_inside_an_emoji() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    parts = split_text(family * 5, 10)
    assert all(part == family for part in parts)


def test_never_separates_a_letter_from_its_accent() -> None:
    text = "e\u0301" * 10
    assert all(len(part) % 2 == 0 for part in split_text(text, 5))


def test_whitespace_only_text_is_kept() -> None:
    assert split_text(" " * 25, 10) == [" " * 10, " " * 10, " " * 5]


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ContentError, match="at least 1"):
        split_text("Hallo", 0)


_texts = st.one_of(
    st.text(max_size=400),
    st.lists(
        st.sampled_from(["Wort", "Satz.", "Frage?", "\n", "\n\n", " ", "🏃‍♀️", "Donaudampfschiff"]),
        max_size=80,
    ).map(" ".join),
)


@given(_texts, st.integers(min_value=1, max_value=120))
def test_parts_fit_and_keep_every_visible_character(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(1 <= len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


@given(_texts, st.integers(min_value=16, max_value=120))
def test_words_stay_whole_when_they_fit(text: str, limit: int) -> None:
    if all(len(word) <= limit for word in text.split()):
        assert _normalised(" ".join(split_text(text, limit))) == _normalised(text)


def test_shorten_marks_what_was_cut() -> None:
    assert shorten("Wanderschuhe für Damen und Herren", 20) == "Wanderschuhe für Da…"
    assert shorten("Größe 42 und breiter", 10) == "Größe 42…"
    assert shorten("Sneaker", 20) == "Sneaker"


@given(st.text(min_size=1, max_size=100), st.integers(min_value=1, max_value=50))
def test_shortened_labels_fit(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    assert short == text or short.endswith("…")
