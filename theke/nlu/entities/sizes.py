"""Shoe and clothing sizes: "Größe 42", "EU 43", "UK 9", "size 10.5", "Größe M", "in 44,5".

Each match becomes an entity ``"size"`` with value ``{"system": "EU"|"UK"|"US",
"value": 42.0}`` or ``{"system": "letter", "value": "M"}``. A bare "in 43"
counts only for a plausible shoe size (16–52) and with a lower confidence.
"""

from __future__ import annotations

import re

from theke.nlu.entities._spans import longest_first
from theke.nlu.entities._text import CURRENCY_AFTER, NOT_A_QUANTITY, OE, SS
from theke.nlu.entities.context import ExtractContext
from theke.nlu.result import Entity

__all__ = ["extract_sizes"]

_NUMBER = (
    r"(?P<number>\d{1,3}(?:[.,][05])?)(?P<fraction> ?(?:½|⅓|⅔|1/2|1/3|2/3))?"
    rf"(?![\d½⅓⅔]|[.,]\d|/\d){NOT_A_QUANTITY}(?!\s*{CURRENCY_AFTER})"
)
_LETTER = r"(?P<letter>x{0,3}s|m|x{0,4}l|[2-5]xl)\b(?!-)"
_SYSTEM = r"(?P<system>eur?|uk|(?-i:US))"
_KEYWORD = (
    rf"\b(?:(?:schuh|konfektions)?gr{OE}{SS}e|gr\b\.?|sizes?|sz\b)\s*:?\s*(?:{_SYSTEM}\s?)?"
    rf"(?:{_LETTER}|{_NUMBER})"
)

# (pattern, bare): a keyword or a system name is unambiguous; a bare "in 43" is a guess.
_FORMS: tuple[tuple[re.Pattern[str], bool], ...] = (
    (re.compile(_KEYWORD, re.IGNORECASE), False),
    (re.compile(rf"\b{_SYSTEM}\s?{_NUMBER}", re.IGNORECASE), False),
    (re.compile(rf"(?<![\w.,]){_NUMBER}\s?{_SYSTEM}\b", re.IGNORECASE), False),
    (re.compile(rf"\bin\s+{_NUMBER}", re.IGNORECASE), True),
    (re.compile(r"\bin\s+(?-i:(?P<letter>X{0,3}S|M|X{0,4}L|[2-5]XL))\b(?!-)"), True),
)
_BARE_CONFIDENCE = 0.7
_FRACTIONS = {"½": 0.5, "1/2": 0.5, "⅓": 0.33, "1/3": 0.33, "⅔": 0.67, "2/3": 0.67}
_SYSTEMS = {"EU": "EU", "EUR": "EU", "UK": "UK", "US": "US"}
# Plausible values per system; a bare "in 43" must look like an EU shoe size.
_RANGES = {"EU": (16.0, 200.0), "UK": (0.0, 16.0), "US": (0.0, 18.0)}
_BARE_RANGE = (16.0, 52.0)


def extract_sizes(text: str, context: ExtractContext) -> list[Entity]:
    """Shoe and clothing sizes in ``text`` as entities ``"size"``."""
    found: list[Entity] = []
    for pattern, bare in _FORMS:
        for match in pattern.finditer(text):
            entity = _entity(match, bare, context.region)
            if entity is not None:
                found.append(entity)
    return longest_first(found)


def _entity(match: re.Match[str], bare: bool, region: str) -> Entity | None:
    groups = match.groupdict()
    if groups.get("letter"):
        letter = groups["letter"].upper()
        value: dict[str, object] = {"system": "letter", "value": _spelled_out(letter)}
        confidence = _BARE_CONFIDENCE if bare else 1.0
    else:
        number = float(groups["number"].replace(",", "."))
        number = round(number + _FRACTIONS.get((groups["fraction"] or "").strip(), 0.0), 2)
        system, confidence = _system(groups.get("system"), number, region, bare)
        low, high = _BARE_RANGE if bare else _RANGES[system]
        if not low <= number <= high:
            return None
        value = {"system": system, "value": number}
    return Entity("size", match.start(), match.end(), match.group(), value, confidence)


def _system(named: str | None, number: float, region: str, bare: bool) -> tuple[str, float]:
    """The sizing system and how sure it is: EU from 16 up, else UK (US in America)."""
    if bare:
        return "EU", _BARE_CONFIDENCE
    system = _SYSTEMS.get((named or "").upper())
    if system is not None:
        return system, 1.0
    if number >= _BARE_RANGE[0]:
        return "EU", 1.0
    return ("US" if region.upper() in {"US", "CA"} else "UK"), 0.8


def _spelled_out(letter: str) -> str:
    """Spell out a numbered letter size: "3XL" becomes three "X" and an "L", so each
    letter size has one way to be written."""
    if letter[0].isdigit():
        return "X" * int(letter[0]) + letter[2:]  # "3XL": three X, then "L"
    return letter
