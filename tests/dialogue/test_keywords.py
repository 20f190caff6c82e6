"""Keyword rules: exact, contains at the start of a word, regex; the first match wins."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from theke.bot import KeywordRule
from theke.dialogue import KeywordMatcher


def _rule(match: str, *patterns: str, response: str = "answer") -> KeywordRule:
    return KeywordRule.model_validate({"match": match, "patterns": patterns, "response": response})


def _matched(rule: KeywordRule, text: str) -> bool:
    return KeywordMatcher([rule]).match(text) is not None


def test_exact_ignores_case_punctuation_and_umlaut_spelling() -> None:
    rule = _rule("exact", "Größe")
    assert _matched(rule, "GROESSE?!")
    assert not _matched(rule, "Größe 42")


def test_contains_matches_at_the_start_of_a_word() -> None:
    rule = _rule("contains", "versand")
    assert _matched(rule, "Was kosten die Versandkosten?")
    assert not _matched(rule, "Gibt es Expressversand?")
    assert not _matched(_rule("contains", "hi"), "nichts")


def test_contains_matches_phrases_across_punctuation() -> None:
    assert _matched(_rule("contains", "wie lange dauert"), "Sag mal, wie lange dauert das?")


def test_regex_searches_the_text_as_typed_ignoring_case() -> None:
    rule = _rule("regex", r"\b\d{5}\b")
    assert _matched(rule, "Liefert ihr nach 10115?")
    assert not _matched(rule, "Liefert ihr nach Berlin?")
    assert _matched(_rule("regex", "^bestellung"), "BESTELLUNG 123")


def test_only_the_first_2000_characters_are_looked_at() -> None:
    rule = _rule("regex", "needle")
    assert _matched(rule, "x" * 1990 + "needle")
    assert not _matched(rule, "x" * 2000 + "needle")


def test_the_first_matching_rule_wins_and_is_counted_from_one() -> None:
    matcher = KeywordMatcher(
        [_rule("contains", "versand", response="shipping"), _rule("contains", "dauert")]
    )
    match = matcher.match("Wie lange dauert der Versand?")
    assert match is not None
    assert (match.rule, match.response) == (1, "shipping")
    second = matcher.match("Das dauert")
    assert second is not None
    assert second.rule == 2


def test_a_rule_with_a_language_reports_it() -> None:
    rule = KeywordRule.model_validate(
        {"patterns": ["hello"], "response": "greet", "language": "en"}
    )
    match = KeywordMatcher([rule]).match("Hello!")
    assert match is not None
    assert match.language == "en"


@given(word=st.from_regex(r"[a-zäöüß]{2,12}", fullmatch=True), noise=st.sampled_from("!?. 👋"))
def test_a_word_always_matches_itself_with_noise_around_it(word: str, noise: str) -> None:
    assert _matched(_rule("exact", word), f"{noise}{word.upper()}{noise}")
    assert _matched(_rule("contains", word), f"ja {word}{noise} bitte")
