"""Numbers in digits and in German and English words: "44,5", "1.299,00", "zweihundertfünfzig".

``parse_number`` turns one token into a value; ``extract_numbers`` finds every
number in a message. The regex fragments ``DIGITS`` and ``NUMBER_WORDS`` are
reused by the price, size and date extractors.
"""

from __future__ import annotations

import re

from theke.nlu.entities._text import OE, SS, UE, fold
from theke.nlu.entities.context import ExtractContext
from theke.nlu.result import Entity

__all__ = ["DIGITS", "NUMBER_WORDS", "extract_numbers", "parse_number"]

# German: one word per number ("zweihundertfünfundzwanzig"); a space before hundert/tausend is
# tolerated ("zwei hundert").
_DE_UNIT = rf"(?:eins|eine|ein|zwei|zwo|drei|vier|f{UE}nf|sechs|sieben|acht|neun)"
_DE_TEEN = (
    rf"(?:zehn|elf|zw{OE}lf|dreizehn|vierzehn|f{UE}nfzehn|sechzehn|siebzehn|achtzehn|neunzehn)"
)
_DE_TENS = rf"(?:zwanzig|drei{SS}ig|vierzig|f{UE}nfzig|sechzig|siebzig|achtzig|neunzig)"
_DE_B100 = rf"(?:{_DE_UNIT}und{_DE_TENS}|{_DE_TENS}|{_DE_TEEN}|{_DE_UNIT})"
_DE_B1000 = rf"(?:(?:{_DE_UNIT} ?)?hundert(?:und)?{_DE_B100}?|{_DE_B100})"
_DE_NUMBER = rf"(?:(?:{_DE_B1000} ?)?tausend(?:und)?{_DE_B1000}?|{_DE_B1000}|null)"

# English: words joined by spaces, hyphens and "and" ("one hundred and five", "twenty-one").
_EN_UNIT = r"(?:one|two|three|four|five|six|seven|eight|nine)"
_EN_TEEN = r"(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"
_EN_TENS = r"(?:twenty|thirty|fou?rty|fifty|sixty|seventy|eighty|ninety)"
_EN_B100 = rf"(?:{_EN_TENS}(?:[ -]?{_EN_UNIT})?|{_EN_TEEN}|{_EN_UNIT})"
_EN_B1000 = rf"(?:(?:(?:{_EN_UNIT}|a) +)?hundred(?: +(?:and +)?{_EN_B100})?|{_EN_B100})"
_EN_NUMBER = rf"(?:(?:(?:{_EN_B1000}|a) +)?thousand(?:,? +(?:and +)?{_EN_B1000})?|{_EN_B1000}|zero)"

NUMBER_WORDS = rf"(?:{_DE_NUMBER}|{_EN_NUMBER})"
"""A number written in German or English words (use between word boundaries)."""

DIGITS = r"\d(?:[\d.,]*\d)?"
"""A number in digits, with thousands and decimal separators of either convention."""

_WORDS = re.compile(rf"\b{NUMBER_WORDS}\b", re.IGNORECASE)
_WORDS_EXACT = re.compile(NUMBER_WORDS, re.IGNORECASE)
_DIGITS_EXACT = re.compile(DIGITS)
_NUMBER = re.compile(
    rf"(?<!\w)(?<!\d[.,])(?:(?P<digits>{DIGITS})(?P<half> ?½)?|(?P<words>\b{NUMBER_WORDS}\b))",
    re.IGNORECASE,
)
_GROUPED = {
    ".": re.compile(r"\d{1,3}(?:\.\d{3})+"),
    ",": re.compile(r"\d{1,3}(?:,\d{3})+"),
}
_THOUSANDS = {"de": ".", "en": ","}
_MAX_DIGITS = 24

_WORD_VALUES = {
    "null": 0, "zero": 0, "a": 1,
    "eins": 1, "eine": 1, "ein": 1, "zwei": 2, "zwo": 2, "drei": 3, "vier": 4,
    "fuenf": 5, "funf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwoelf": 12, "zwolf": 12, "dreizehn": 13, "vierzehn": 14,
    "fuenfzehn": 15, "funfzehn": 15, "sechzehn": 16, "siebzehn": 17, "achtzehn": 18,
    "neunzehn": 19, "zwanzig": 20, "dreissig": 30, "dreisig": 30, "vierzig": 40,
    "fuenfzig": 50, "funfzig": 50, "sechzig": 60, "siebzig": 70, "achtzig": 80, "neunzig": 90,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
    "und": 0, "and": 0,
}  # fmt: skip
_HUNDRED = frozenset({"hundert", "hundred"})
_THOUSAND = frozenset({"tausend", "thousand"})
_TOKENS = re.compile(
    "|".join(sorted([*_WORD_VALUES, *_HUNDRED, *_THOUSAND], key=len, reverse=True))
)
# Number words that are mostly articles or pronouns ("ein Schuh", "the red one").
_WEAK = {"ein": 0.5, "eine": 0.5, "one": 0.7}


def parse_number(word_or_digits: str, language: str = "de") -> int | float | None:
    """The value of one number token, or ``None`` when it is not a number.

    Digits follow the convention of ``language`` where they are ambiguous
    (``"1.299"`` is 1299 in German and 1.299 in English); integral values come
    back as ``int``.
    """
    token = word_or_digits.strip()
    if not token:
        return None
    if _DIGITS_EXACT.fullmatch(token):
        return _parse_digits(token, language)
    if _WORDS_EXACT.fullmatch(token) is None:
        return None
    return _parse_words(token)


def extract_numbers(text: str, context: ExtractContext) -> list[Entity]:
    """Every number in ``text`` as an entity ``"number"`` (value ``int`` or ``float``)."""
    entities: list[Entity] = []
    for match in _NUMBER.finditer(text):
        entity = _entity(text, match, context.language)
        if entity is not None:
            entities.append(entity)
    return entities


def _entity(text: str, match: re.Match[str], language: str) -> Entity | None:
    digits = match.group("digits")
    if digits is not None:
        if "." in digits and text.startswith(".", match.end("digits")):
            return None  # "24.12." is a date
        value = _parse_digits(digits, language)
        if value is not None and match.group("half"):
            value = value + 0.5
        confidence = 1.0
    else:
        value = _parse_words(match.group())
        confidence = _WEAK.get(match.group().lower(), 1.0)
    if value is None:
        return None
    return Entity("number", match.start(), match.end(), match.group(), value, confidence)


def _parse_digits(token: str, language: str) -> int | float | None:
    if len(token) > _MAX_DIGITS:
        return None  # no quantity a customer types; an id or a pasted blob
    if token.isdecimal():
        return int(token)
    last = max(token.rfind("."), token.rfind(","))
    separator = token[last]
    other = "," if separator == "." else "."
    if other in token:  # "1.299,00", "1,299.00": the last separator is the decimal one
        return _decimal(token[:last], other, token[last + 1 :])
    grouped = _GROUPED[separator].fullmatch(token) is not None
    if grouped and (token.count(separator) > 1 or separator == _THOUSANDS.get(language, ".")):
        return int(token.replace(separator, ""))
    if token.count(separator) == 1:
        return _tidy(float(token.replace(",", ".")))
    return None


def _decimal(whole: str, thousands: str, fraction: str) -> int | float | None:
    if not (whole.isdecimal() or _GROUPED[thousands].fullmatch(whole)) or not fraction.isdecimal():
        return None
    return _tidy(float(f"{whole.replace(thousands, '')}.{fraction}"))


def _parse_words(token: str) -> int | None:
    total = current = 0
    seen = False
    for piece in _TOKENS.findall(fold(token)):
        seen = True
        if piece in _HUNDRED:
            current = (current or 1) * 100
        elif piece in _THOUSAND:
            total += (current or 1) * 1000
            current = 0
        else:
            current += _WORD_VALUES[piece]
    return total + current if seen else None


def _tidy(value: float) -> int | float:
    return int(value) if value.is_integer() else value
