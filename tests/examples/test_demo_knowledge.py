"""The demo shop's FAQ: every fact a customer asks about, in German and English, consistent."""

from __future__ import annotations

import re

import pytest

from tests.conftest import DEMO_BOT
from theke.content import as_plain_text
from theke.knowledge.entries import Entry
from theke.knowledge.loader import load_knowledge

ENTRIES = load_knowledge(DEMO_BOT, ["de", "en"])


def _answer(entry: Entry, language: str) -> str:
    return " ".join(as_plain_text(c, language) for v in entry.answer(language) for c in v)


def _all_answers(language: str) -> str:
    return "\n".join(_answer(entry, language) for entry in ENTRIES)


def test_the_faq_has_25_to_35_entries_split_by_topic() -> None:
    assert 25 <= len(ENTRIES) <= 35
    files = {entry.path.name for entry in ENTRIES if entry.path is not None}
    assert files == {
        f"{topic}.yml"
        for topic in (
            "shipping", "returns", "payment", "store", "sizes", "service", "gift_cards", "orders"
        )
    }  # fmt: skip


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: entry.id)
def test_each_entry_is_asked_many_ways_and_answered_briefly(entry: Entry) -> None:
    assert len(entry.questions["de"]) >= 6
    assert len(entry.questions["en"]) >= 4
    for language in ("de", "en"):
        answer = _answer(entry, language)
        assert len(answer) <= 600
        assert len(re.findall(r"[.!?](?:\s|$)", answer)) <= 3 or language == "en"
        assert 0 < len(entry.title(language)) <= 20


def test_german_questions_are_written_like_customers_write() -> None:
    questions = [q for entry in ENTRIES for q in entry.questions["de"]]
    assert sum(q == q.lower() for q in questions) > len(questions) / 2
    assert any("oe" in q or "ue" in q or "ss" in q for q in questions)  # no umlauts
    assert len({entry.id for entry in ENTRIES if entry.follow_up}) > len(ENTRIES) / 2


@pytest.mark.parametrize(
    ("german", "english"),
    [
        ("2–3 Werktagen", "2–3 working days"),
        ("ab 50 € Bestellwert kostenlos", "free on orders from €50"),
        ("4,95 €", "€4.95"),
        ("4–7 Werktage", "4–7 working days"),
        ("9,95 €", "€9.95"),
        ("innerhalb von 30 Tagen nach Erhalt kostenlos", "free of charge within 30 days"),
        ("Retourenlabel liegt deinem Paket bei", "return label is in your parcel"),
        ("innerhalb von 14 Tagen zurück", "within 14 days"),
        ("PayPal", "PayPal"),
        ("Kreditkarte", "credit card"),
        ("auf Rechnung", "by invoice"),
        ("Apple Pay", "Apple Pay"),
        ("München, Sendlinger Straße 12", "Munich, Sendlinger Straße 12"),
        ("montags bis freitags von 10 bis 19 Uhr", "Monday to Friday from 10 am to 7 pm"),
        ("samstags von 10 bis 16 Uhr", "Saturday from 10 am to 4 pm"),
        ("fallen normal aus", "run true to size"),
        ("nimm die größere", "take the larger one"),
        ("Umtausch ist kostenlos", "exchanges are free"),
        ("10 bis 200 €", "€10 to €200"),
        ("+49 89 1234567", "+49 89 1234567"),
        ("service@sohle-und-co.de", "service@sohle-und-co.de"),
        ("SC-123456", "SC-123456"),
        ("Bestellbestätigung per E-Mail", "order confirmation e-mail"),
        ("Link zur Sendungsverfolgung", "tracking link"),
        ("Wildleder", "suede"),
        ("vegan", "vegan"),
        ("10 % für deine nächste Bestellung", "10% off your next order"),
        ("Abholung im Laden", "Pick up in store"),
    ],
)
def test_the_shops_facts_are_answered_in_both_languages(german: str, english: str) -> None:
    assert german in _all_answers("de")
    assert english in _all_answers("en")


@pytest.mark.parametrize(
    ("wrong", "language"),
    [
        ("2–4 Werktage", "de"),  # shipping in Germany takes 2–3 working days
        ("2-3", "de"),  # ranges are written with an en dash
        ("Ihnen", "de"),  # the shop says du, not Sie
        (" Ihr ", "de"),
        ("10 bis 18 Uhr", "de"),  # the store closes at 19 on weekdays
        ("2-3", "en"),
    ],
)
def test_no_answer_contradicts_the_facts(wrong: str, language: str) -> None:
    assert wrong not in _all_answers(language)
