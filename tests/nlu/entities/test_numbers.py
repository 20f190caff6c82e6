"""Numbers in digits and words, as customers write them in German and English."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.nlu.entities import ExtractContext, extract_numbers, parse_number

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
DE = ExtractContext.at(NOW)
EN = ExtractContext.at(NOW, language="en")

_UNITS = ["", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
_TEENS = ["zehn", "elf", "zwölf", "dreizehn", "vierzehn", "fünfzehn", "sechzehn", "siebzehn",
          "achtzehn", "neunzehn"]  # fmt: skip
_TENS = ["", "", "zwanzig", "dreißig", "vierzig", "fünfzig", "sechzig", "siebzig", "achtzig",
         "neunzig"]  # fmt: skip


def german(n: int) -> str:
    """``n`` (0–999) in German words, the way a customer would write it."""
    if n == 0:
        return "null"
    hundreds, rest = divmod(n, 100)
    head = f"{_UNITS[hundreds]}hundert" if hundreds else ""
    if rest == 0:
        tail = ""
    elif rest == 1:
        tail = "eins"
    elif rest < 10:
        tail = _UNITS[rest]
    elif rest < 20:
        tail = _TEENS[rest - 10]
    else:
        tens, unit = divmod(rest, 10)
        tail = f"{_UNITS[unit]}und{_TENS[tens]}" if unit else _TENS[tens]
    return head + tail


@pytest.mark.parametrize(
    ("token", "language", "value"),
    [
        ("42", "de", 42),
        ("44,5", "de", 44.5),
        ("44.5", "de", 44.5),
        ("1.299,00", "de", 1299),
        ("1.299,99", "de", 1299.99),
        ("1,299.00", "en", 1299),
        ("1.299", "de", 1299),
        ("1.299", "en", 1.299),
        ("1,299", "en", 1299),
        ("1.000.000", "de", 1_000_000),
        ("einundzwanzig", "de", 21),
        ("fünfzig", "de", 50),
        ("fuenfzig", "de", 50),
        ("funfzig", "de", 50),
        ("hundert", "de", 100),
        ("zweihundertfünfzig", "de", 250),
        ("tausend", "de", 1000),
        ("zweitausenddreihundertvierundvierzig", "de", 2344),
        ("eins", "de", 1),
        ("ein", "de", 1),
        ("eine", "de", 1),
        ("zwei", "de", 2),
        ("zwo", "de", 2),
        ("zwölf", "de", 12),
        ("dreißig", "de", 30),
        ("dreissig", "de", 30),
        ("Siebzehn", "de", 17),
        ("zwei hundert", "de", 200),
        ("twenty-one", "en", 21),
        ("twenty one", "en", 21),
        ("one hundred and five", "en", 105),
        ("a hundred", "en", 100),
        ("a thousand", "en", 1000),
        ("two thousand and twenty-six", "en", 2026),
        ("Ninety Nine", "en", 99),
        ("zero", "en", 0),
    ],
)
def test_parse_number(token: str, language: str, value: float) -> None:
    parsed = parse_number(token, language)
    assert parsed == value
    assert type(parsed) is type(value)


@pytest.mark.parametrize(
    "token",
    ["", "  ", "und", "and", "a", "hundertschaft", "24.12.2026", "1,2,3", "Schuh", "zweifel",
     "12abc", "²", "4.5.6.7"],
)  # fmt: skip
def test_not_a_number(token: str) -> None:
    assert parse_number(token, "de") is None


@pytest.mark.parametrize(
    ("text", "context", "found"),
    [
        ("Ich habe 2 Fragen", DE, [("2", 2)]),
        ("Die kosten 1.299,00 € oder?", DE, [("1.299,00", 1299)]),
        ("It costs 1,299.00", EN, [("1,299.00", 1299)]),
        ("Größe 44,5 bitte", DE, [("44,5", 44.5)]),
        ("Schuhgröße 42½", DE, [("42½", 42.5)]),
        ("Ich brauche einundzwanzig Paar", DE, [("einundzwanzig", 21)]),
        ("I need twenty-one pairs", EN, [("twenty-one", 21)]),
        ("one hundred and five boxes", EN, [("one hundred and five", 105)]),
        ("am 24.12. um 15:30", DE, [("15", 15), ("30", 30)]),
        ("Lieferung am 24.12.2026", DE, []),
        ("Schuhe ohne Zahlen", DE, []),
    ],
)
def test_extract_numbers(
    text: str, context: ExtractContext, found: list[tuple[str, float]]
) -> None:
    assert [(e.text, e.value) for e in extract_numbers(text, context)] == found


def test_articles_are_weak_numbers() -> None:
    """ "ein Schuh" is mostly an article: found, but with a low confidence."""
    (article,) = extract_numbers("Ich suche ein Geschenk", DE)
    (count,) = extract_numbers("Ich nehme zwei", DE)
    assert article.value == 1 and article.confidence < 0.7
    assert count.value == 2 and count.confidence == 1.0


def test_every_german_number_below_thousand_parses_back() -> None:
    wrong = {n: german(n) for n in range(1000) if parse_number(german(n), "de") != n}
    assert wrong == {}


@settings(deadline=None)
@given(st.integers(0, 999))
def test_german_words_in_a_sentence_are_found(n: int) -> None:
    text = f"Ich hätte gern {german(n)} Stück"
    (entity,) = extract_numbers(text, DE)
    assert entity.value == n
    assert entity.text == german(n)


@settings(deadline=None)
@given(st.integers(0, 10**9))
def test_digits_with_german_thousands_separators_parse_back(n: int) -> None:
    assert parse_number(f"{n:,}".replace(",", "."), "de") == n
    assert parse_number(f"{n:,}", "en") == n


@settings(deadline=None)
@given(
    st.one_of(st.text(), st.text(alphabet="0123456789.,½ -"), st.text(alphabet="einszwohundert"))
)
def test_parse_number_takes_any_token(token: str) -> None:
    assert type(parse_number(token, "de")) in {int, float, type(None)}
    assert type(parse_number(token, "en")) in {int, float, type(None)}


@settings(deadline=None)
@given(st.text())
def test_spans_match_the_text(text: str) -> None:
    for entity in extract_numbers(text, DE) + extract_numbers(text, EN):
        assert text[entity.start : entity.end] == entity.text
        json.dumps(entity.to_json())


@settings(deadline=None)
@given(st.text(min_size=1, max_size=40).map(lambda s: (s * (5000 // len(s) + 1))[:5000]))
def test_long_texts_do_not_break_it(text: str) -> None:
    for entity in extract_numbers(text, DE):
        assert text[entity.start : entity.end] == entity.text
