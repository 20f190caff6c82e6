"""Contact details: e-mail addresses and phone numbers ("0170 1234567", "+49 30 1234567").

Phone numbers are found and validated by ``phonenumbers`` for ``context.region``
and normalised to E.164; prices, sizes, dates and order numbers are not
valid numbers and so are not taken for one.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher

from theke.nlu.entities.context import ExtractContext
from theke.nlu.result import Entity

__all__ = ["extract_contacts", "extract_emails", "extract_phones"]

_EMAIL = re.compile(
    r"(?<![\w.%+-])[\w.%+-]+@[^\W_](?:[\w-]*[^\W_])?(?:\.[^\W_](?:[\w-]*[^\W_])?)*\.[^\W\d_]{2,}"
    r"(?![\w-])"
)
_DIGIT = re.compile(r"\d")
_MIN_DIGITS = 6
_GLUED = re.compile(r"[^\W_][-/]?$")  # "SC-0301234567" is an order number, not a phone
_DATE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}")


def extract_contacts(text: str, context: ExtractContext) -> list[Entity]:
    """E-mail addresses and phone numbers in ``text``, in text order."""
    emails = extract_emails(text, context)
    phones = [
        phone
        for phone in extract_phones(text, context)
        if all(phone.end <= e.start or e.end <= phone.start for e in emails)
    ]
    return sorted(emails + phones, key=lambda e: e.start)


def extract_emails(text: str, context: ExtractContext) -> list[Entity]:
    """E-mail addresses as entities ``"email"`` (value lower-cased)."""
    if "@" not in text:
        return []
    return [
        Entity("email", m.start(), m.end(), m.group(), m.group().lower())
        for m in _EMAIL.finditer(text)
    ]


def extract_phones(text: str, context: ExtractContext) -> list[Entity]:
    """Valid phone numbers as entities ``"phone"`` (value E.164, e.g. ``"+491701234567"``)."""
    if len(_DIGIT.findall(text)) < _MIN_DIGITS:
        return []
    entities: list[Entity] = []
    for match in PhoneNumberMatcher(text, context.region.upper(), leniency=Leniency.VALID):
        raw = match.raw_string
        if len(_DIGIT.findall(raw)) < _MIN_DIGITS or _DATE.fullmatch(raw):
            continue
        if _GLUED.search(text, 0, match.start) or not phonenumbers.is_valid_number(match.number):
            continue
        value = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
        confidence = 1.0 if raw.startswith(("+", "00")) else 0.9
        entities.append(Entity("phone", match.start, match.end, raw, value, confidence))
    return entities
