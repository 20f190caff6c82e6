"""Dates and times, resolved against Monday 23 November 2026, 10:00 in Berlin."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import ExtractContext, extract_dates, has_date_cue

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))  # a Monday
DE = ExtractContext.at(NOW)
EN = ExtractContext.at(NOW, language="en")


def day(iso_day: str, end: str | None = None) -> dict[str, str]:
    value = {"value": f"{iso_day}T00:00:00+01:00", "grain": "day"}
    return value | ({"end": f"{end}T00:00:00+01:00"} if end else {})


def at(iso: str, grain: str = "hour", end: str | None = None) -> dict[str, str]:
    value = {"value": f"{iso}:00+01:00", "grain": grain}
    return value | ({"end": f"{end}:00+01:00"} if end else {})


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("Geht das heute noch?", "heute", day("2026-11-23")),
        ("Kann ich morgen vorbeikommen?", "morgen", day("2026-11-24")),
        ("übermorgen", "übermorgen", day("2026-11-25")),
        ("uebermorgen", "uebermorgen", day("2026-11-25")),
        ("gestern bestellt", "gestern", day("2026-11-22")),
        ("heute Abend", "heute Abend", at("2026-11-23T18:00", end="2026-11-23T22:00")),
        ("heute Morgen", "heute Morgen", at("2026-11-23T06:00", end="2026-11-23T12:00")),
        ("heute Mittag", "heute Mittag", at("2026-11-23T12:00", end="2026-11-23T14:00")),
        ("heute Nachmittag", "heute Nachmittag", at("2026-11-23T14:00", end="2026-11-23T18:00")),
        ("heute Nacht", "heute Nacht", at("2026-11-23T22:00", end="2026-11-24T06:00")),
        ("morgen früh", "morgen früh", at("2026-11-24T06:00", end="2026-11-24T12:00")),
        ("Freitagabend", "Freitagabend", at("2026-11-27T18:00", end="2026-11-27T22:00")),
        ("nächsten Freitag", "nächsten Freitag", day("2026-11-27")),
        ("naechsten Freitag", "naechsten Freitag", day("2026-11-27")),
        ("am Freitag", "am Freitag", day("2026-11-27")),
        ("kommenden Mittwoch", "kommenden Mittwoch", day("2026-11-25")),
        ("diesen Samstag", "diesen Samstag", day("2026-11-28")),
        ("am Montag", "am Montag", day("2026-11-30")),
        ("diesen Montag", "diesen Montag", day("2026-11-23")),
        ("übernächsten Freitag", "übernächsten Freitag", day("2026-12-04")),
        ("letzten Freitag", "letzten Freitag", day("2026-11-20")),
        ("in 3 Tagen", "in 3 Tagen", day("2026-11-26")),
        ("in drei Wochen", "in drei Wochen", day("2026-12-14")),
        ("in einer Woche", "in einer Woche", day("2026-11-30")),
        ("vor 3 Tagen", "vor 3 Tagen", day("2026-11-20")),
        ("Lieferung am 24.12.?", "am 24.12.", day("2026-12-24")),
        ("am 24.12.2026", "am 24.12.2026", day("2026-12-24")),
        ("24.12.2026", "24.12.2026", day("2026-12-24")),
        ("am 1.3.", "am 1.3.", day("2027-03-01")),
        ("bis 24.12.26", "24.12.26", day("2026-12-24")),
        ("24. Dezember", "24. Dezember", day("2026-12-24")),
        ("am 3. März", "3. März", day("2027-03-03")),
        ("Freitag, den 4.12.", "Freitag, den 4.12.", day("2026-12-04")),
        ("nächste Woche Freitag", "nächste Woche Freitag", day("2026-12-04")),
        ("Wochenende", "Wochenende", day("2026-11-28", end="2026-11-30")),
        ("am Wochenende", "am Wochenende", day("2026-11-28", end="2026-11-30")),
        ("nächste Woche", "nächste Woche", day("2026-11-30", end="2026-12-07")),
        ("im Dezember", "im Dezember", day("2026-12-01", end="2027-01-01")),
        ("Anfang Dezember", "Anfang Dezember", day("2026-12-01", end="2026-12-11")),
        ("um 15 Uhr", "um 15 Uhr", at("2026-11-23T15:00")),
        ("15:30", "15:30", at("2026-11-23T15:30", "minute")),
        ("um 15.30 Uhr", "um 15.30 Uhr", at("2026-11-23T15:30", "minute")),
        ("15 Uhr 30", "15 Uhr 30", at("2026-11-23T15:30", "minute")),
        ("um 9", "um 9", at("2026-11-24T09:00")),
        ("halb drei", "halb drei", at("2026-11-23T14:30", "minute")),
        ("viertel nach drei", "viertel nach drei", at("2026-11-23T15:15", "minute")),
        ("6 Uhr früh", "6 Uhr früh", at("2026-11-24T06:00")),
        ("8 Uhr abends", "8 Uhr abends", at("2026-11-23T20:00")),
        ("morgen um 15 Uhr", "morgen um 15 Uhr", at("2026-11-24T15:00")),
        ("am Mittwoch um 14:30", "am Mittwoch um 14:30", at("2026-11-25T14:30", "minute")),
        ("Freitag Abend um 8", "Freitag Abend um 8", at("2026-11-27T20:00")),
        ("heute Nacht um 2", "heute Nacht um 2", at("2026-11-24T02:00")),
        ("in 2 Stunden", "in 2 Stunden", at("2026-11-23T12:00", "minute")),
        ("abends", "abends", at("2026-11-23T18:00", end="2026-11-23T22:00")),
        ("24-12-2026", "24-12-2026", day("2026-12-24")),
        (
            "zwischen 14 und 16 Uhr",
            "zwischen 14 und 16 Uhr",
            at("2026-11-23T14:00", end="2026-11-23T16:00"),
        ),
        (
            "morgen von 9 bis 18 Uhr",
            "morgen von 9 bis 18 Uhr",
            at("2026-11-24T09:00", end="2026-11-24T18:00"),
        ),
        (
            "heute von 22 bis 2 Uhr",
            "heute von 22 bis 2 Uhr",
            at("2026-11-23T22:00", end="2026-11-24T02:00"),
        ),
        (
            "zwischen 2 und 4 Uhr",
            "zwischen 2 und 4 Uhr",
            at("2026-11-23T14:00", end="2026-11-23T16:00"),
        ),
    ],
)
def test_german(text: str, span: str, value: dict[str, str]) -> None:
    (entity,) = extract_dates(text, DE)
    assert (entity.text, entity.value) == (span, value)
    assert text[entity.start : entity.end] == span


@pytest.mark.parametrize(
    ("text", "span", "value"),
    [
        ("tomorrow at 3pm", "tomorrow at 3pm", at("2026-11-24T15:00")),
        ("next friday", "next friday", day("2026-11-27")),
        ("tonight", "tonight", at("2026-11-23T18:00", end="2026-11-23T22:00")),
        ("on 12/24", "on 12/24", day("2026-12-24")),
        ("12/24/2026", "12/24/2026", day("2026-12-24")),
        ("today", "today", day("2026-11-23")),
        ("this weekend", "this weekend", day("2026-11-28", end="2026-11-30")),
        ("in 2 days", "in 2 days", day("2026-11-25")),
        ("3 days ago", "3 days ago", day("2026-11-20")),
        ("December 24th", "December 24th", day("2026-12-24")),
        ("Dec 24, 2026", "Dec 24, 2026", day("2026-12-24")),
        ("24th of December", "24th of December", day("2026-12-24")),
        ("at noon", "at noon", at("2026-11-23T12:00")),
        ("3:30 pm", "3:30 pm", at("2026-11-23T15:30", "minute")),
        ("tomorrow morning", "tomorrow morning", at("2026-11-24T06:00", end="2026-11-24T12:00")),
        ("friday night", "friday night", at("2026-11-27T22:00", end="2026-11-28T06:00")),
        ("in an hour", "in an hour", at("2026-11-23T11:00", "minute")),
        ("half past three", "half past three", at("2026-11-23T15:30", "minute")),
        ("quarter to five", "quarter to five", at("2026-11-23T16:45", "minute")),
        ("2026-12-24", "2026-12-24", day("2026-12-24")),
        (
            "tomorrow between 2 and 4pm",
            "tomorrow between 2 and 4pm",
            at("2026-11-24T14:00", end="2026-11-24T16:00"),
        ),
    ],
)
def test_english(text: str, span: str, value: dict[str, str]) -> None:
    (entity,) = extract_dates(text, EN)
    assert (entity.text, entity.value) == (span, value)


def test_summer_dates_carry_summer_time() -> None:
    (entity,) = extract_dates("am 1.7. um 15 Uhr", DE)
    assert entity.value == {"value": "2027-07-01T15:00:00+02:00", "grain": "hour"}


def test_the_shop_timezone_decides_today() -> None:
    late = ExtractContext.at(datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("UTC")))
    (entity,) = extract_dates("heute", late)  # 00:30 on Tuesday in Berlin
    assert entity.value == day("2026-11-24")


def test_guessed_afternoon_has_lower_confidence() -> None:
    (guess,) = extract_dates("um 3", DE)
    (sure,) = extract_dates("um 15 Uhr", DE)
    assert guess.value == at("2026-11-23T15:00")
    assert guess.confidence < sure.confidence == 1.0


def test_dateparser_fallback_is_marked() -> None:
    (entity,) = extract_dates("Lieferung 2026/12/24?", DE)
    assert entity.extractor == "dateparser"
    assert entity.value == day("2026-12-24")


@pytest.mark.parametrize(
    "text",
    [
        "Guten Morgen!",
        "Good morning",
        "Ich habe 2 Fragen",
        "Größe 42 1/2",
        "0170 1234567",
        "1.299,00 €",
        "um die 20 Euro",
        "3 am Lager",
        "Ich mag den Mai nicht",
        "I may come",
        "Bestellung SC-123456",
        "Gute Nacht",
        "halb so teuer",
    ],
)
def test_no_date(text: str) -> None:
    assert extract_dates(text, DE) == []


def test_greeting_and_date_in_one_message() -> None:
    (entity,) = extract_dates("Guten Morgen, geht morgen um 15 Uhr?", DE)
    assert entity.text == "morgen um 15 Uhr"


@pytest.mark.parametrize(
    ("text", "cue"),
    [("Danke!", False), ("Hallo, habt ihr Air Max?", False), ("morgen", True),
     ("um 15 Uhr", True), ("24.12.", True), ("next friday", True)],
)  # fmt: skip
def test_date_cue(text: str, cue: bool) -> None:
    assert has_date_cue(text) is cue


_DATEY = st.lists(
    st.sampled_from(["heute", "morgen", "Morgen", "Abend", "um", "15", "Uhr", ":", "30", ".",
                     "12", "24", "/", "-", "2026", "nächsten", "Freitag", "am", "Dezember",
                     "in", "3", "Tagen", "halb", "drei", "früh", "tonight", "next", "friday",
                     "pm", "ago", "Woche", "Wochenende", " ", ", ", "🙂", "\x1b", "guten",
                     "Mitternacht", "noon", "Sonnabend", "viertel nach", "Std", "Jahren", "vor",
                     "this", "month", "quarter to", "Mai", "im", "Anfang", "ab", "3pm",
                     "2026-12-24", "gegen", "at", "nachts", "in der Früh",
                     "the day after tomorrow"]),
    max_size=25,
).map("".join)  # fmt: skip


@settings(deadline=None)
@given(st.one_of(st.text(), _DATEY), st.sampled_from([DE, EN]))
def test_spans_match_and_values_are_iso(text: str, context: ExtractContext) -> None:
    for entity in extract_dates(text, context):
        assert text[entity.start : entity.end] == entity.text
        start = datetime.fromisoformat(entity.value["value"])
        assert start.tzinfo is not None
        assert entity.value["grain"] in {"day", "hour", "minute"}
        if "end" in entity.value:
            assert datetime.fromisoformat(entity.value["end"]) > start
        json.dumps(entity.to_json())


@settings(deadline=None)
@given(st.one_of(st.text(), _DATEY))
def test_without_a_cue_there_is_no_date(text: str) -> None:
    if not has_date_cue(text):
        assert extract_dates(text, DE) == []


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_dates(text, DE):
        assert text[entity.start : entity.end] == entity.text
