"""E-mail addresses and phone numbers, and what must not be taken for a phone number."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import ExtractContext, extract_contacts

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
GB = ExtractContext.at(NOW, language="en", region="GB")


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("Ruf mich an: 0170 1234567", "0170 1234567", "+491701234567"),
        ("Tel +49 30 1234567", "+49 30 1234567", "+49301234567"),
        ("030/1234567 bitte", "030/1234567", "+49301234567"),
        ("0049 170 1234567", "0049 170 1234567", "+491701234567"),
        ("meine Nummer 01701234567.", "01701234567", "+491701234567"),
    ],
)
def test_german_phone_numbers(text: str, span: str, value: str) -> None:
    (entity,) = extract_contacts(text, DE)
    assert (entity.entity, entity.text, entity.value) == ("phone", span, value)


def test_the_region_decides_national_numbers() -> None:
    (entity,) = extract_contacts("call me on 020 7946 0958", GB)
    assert entity.value == "+442079460958"


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("Schreib an Max.Mustermann@Example.DE. Danke", "Max.Mustermann@Example.DE",
         "max.mustermann@example.de"),
        ("mail: anna+shop@web.de", "anna+shop@web.de", "anna+shop@web.de"),
        ("0170123456@web.de", "0170123456@web.de", "0170123456@web.de"),
    ],
)  # fmt: skip
def test_email_addresses(text: str, span: str, value: str) -> None:
    (entity,) = extract_contacts(text, DE)
    assert (entity.entity, entity.text, entity.value) == ("email", span, value)


@pytest.mark.parametrize(
    "text",
    [
        "Bestellung SC-123456",
        "Bestellnummer SC-0301234567",
        "am 24.12.2026",
        "für 1.299,00 €",
        "Größe 42 und 43",
        "zwischen 50 und 80 Euro",
        "PLZ 10115 Berlin",
        "123456",
        "a@b",
        "Ich habe 2 Fragen",
    ],
)
def test_not_contact_details(text: str) -> None:
    assert extract_contacts(text, DE) == []


@settings(deadline=None)
@given(st.text())
def test_spans_match_the_text(text: str) -> None:
    for entity in extract_contacts(text, DE):
        assert text[entity.start : entity.end] == entity.text
        json.dumps(entity.to_json())


_PHONEY = st.lists(st.sampled_from(["0", "1", "7", "+49", " ", "/", "-", "(", ")", "@", "a.",
                                    "de", "🙂", "\n"]), max_size=30).map("".join)  # fmt: skip


@settings(deadline=None)
@given(_PHONEY)
def test_phone_values_are_e164(text: str) -> None:
    for entity in extract_contacts(text, DE):
        assert text[entity.start : entity.end] == entity.text
        if entity.entity == "phone":
            assert entity.value.startswith("+") and entity.value[1:].isdigit()


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_contacts(text, DE):
        assert text[entity.start : entity.end] == entity.text
