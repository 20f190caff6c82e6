"""A bot's own regex entities, such as order numbers."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import extract_patterns

ORDER = {"order_number": [re.compile(r"\bSC[- ]?\d{6}\b", re.IGNORECASE)]}


def test_order_numbers_are_normalised() -> None:
    found = extract_patterns("Wo bleibt sc 123456 und SC-654321?", ORDER)
    assert [(e.entity, e.text, e.value, e.extractor) for e in found] == [
        ("order_number", "sc 123456", "SC123456", "regex"),
        ("order_number", "SC-654321", "SC-654321", "regex"),
    ]
    assert all(e.confidence == 1.0 for e in found)


def test_several_entities_and_patterns() -> None:
    patterns = {
        "order_number": [re.compile(r"\bSC-\d{6}\b"), re.compile(r"\b#\d{5}\b|#\d{5}")],
        "voucher": [re.compile(r"\bGUTSCHEIN\w+\b", re.IGNORECASE)],
    }
    found = extract_patterns("#12345 mit gutscheinABC", patterns)
    assert [(e.entity, e.value) for e in found] == [
        ("order_number", "#12345"),
        ("voucher", "GUTSCHEINABC"),
    ]


def test_no_match_and_empty_matches_give_nothing() -> None:
    assert extract_patterns("Ich habe 2 Fragen", ORDER) == []
    assert extract_patterns("abc", {"nothing": [re.compile(r"x*")]}) == []


@settings(deadline=None)
@given(st.text())
def test_spans_match_the_text(text: str) -> None:
    patterns = {"order_number": ORDER["order_number"], "word": [re.compile(r"\w+\s*")]}
    for entity in extract_patterns(text, patterns):
        assert text[entity.start : entity.end] == entity.text
        assert entity.end > entity.start
        assert " " not in entity.value
