"""Prices and budgets: "unter 100 €", "zwischen 50 und 80", "ca. 100 Euro", "under $50".

Each match becomes an entity ``"price"`` with value ``{"min", "max",
"currency"}`` (plus ``"approx": True`` for "so um die 100 Euro"). A number
is a price only with a currency or a budget word: "in 43" is not, and
neither is "zwischen 42 und 44" after "Größe".
"""

from __future__ import annotations

import re

from theke.nlu.entities._spans import longest_first
from theke.nlu.entities._text import CURRENCY_AFTER, CURRENCY_BEFORE, NOT_A_QUANTITY, currency_code
from theke.nlu.entities.context import ExtractContext
from theke.nlu.entities.numbers import DIGITS, NUMBER_WORDS, parse_number
from theke.nlu.result import Entity

__all__ = ["extract_prices"]

_AMOUNT = rf"(?:{DIGITS}(?:,-)?|\b{NUMBER_WORDS}\b)"


def _side(n: int) -> str:
    """One amount with an optional currency before or after it."""
    return (
        rf"(?<![\w.,])(?:(?P<b{n}>{CURRENCY_BEFORE}) ?)?(?P<a{n}>{_AMOUNT})(?!\d){NOT_A_QUANTITY}"
        rf"(?: ?(?P<c{n}>{CURRENCY_AFTER}))?"
    )


_TO = r"\s*(?:-|–|bis(?: zu)?|to)\s*"
_AND = r"\s*(?:und|and|&|-|–|bis|to)\s*"
_MAX_WORDS = (
    r"unter|unterhalb von|bis zu|max(?:imal|imum)\b|max\.|h(?:ö|oe|o)chstens"
    r"|nicht (?:mehr|teurer) als|weniger als|billiger als|g(?:ü|ue|u)nstiger als|under|below"
    r"|less than|up to|at most|no more than|not more than|cheaper than"
)
_MIN_WORDS = (
    r"mindestens|wenigstens|(?:ü|ue|u)ber|mehr als|teurer als|at least|over|above|more than"
    r"|min(?:imum)\b|min\."
)
_APPROX_WORDS = (
    r"(?:so )?um die|so um|so ca\b\.?|ca\b\.?|circa|zirka|etwa|ungef(?:ä|ae|a)hr|rund|around"
    r"|about|approx(?:\b\.|imately)?|roughly"
)

# (pattern, kind, needs a currency): budget words strong enough to make a bare number a
# price ("max. 120", "zwischen 50 und 80") do not need one; "ab 50", "bis 80", "ca. 100" and
# a plain "79,99 €" or "100-150€" do, and are not even tried on a text without a currency.
# "max" without a dot needs one too: "Air Max 90" is a shoe.
_FORMS: tuple[tuple[re.Pattern[str], str, bool], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), kind, needs_currency)
    for pattern, kind, needs_currency in (
        (rf"\b(?:zwischen|between)\s+{_side(1)}{_AND}{_side(2)}", "range", False),
        (rf"\b(?:von|vom|from)\s+{_side(1)}{_TO}{_side(2)}", "range", True),
        (rf"\b(?:{_MAX_WORDS})\s*{_side(1)}", "max", False),
        (rf"\b(?:bis|max)\s+{_side(1)}", "max", True),
        (rf"\b(?:{_MIN_WORDS})\s*{_side(1)}", "min", False),
        (rf"\b(?:ab|min|from|starting (?:at|from))\s+{_side(1)}", "min", True),
        (rf"(?:\b(?:{_APPROX_WORDS})|~)\s*{_side(1)}", "approx", True),
        (rf"{_side(1)}(?:{_TO}{_side(2)})?", "exact", True),
    )
)  # fmt: skip
_THOUSANDS = re.compile(r"\d{1,3}[.,]\d{3}")
_ANY_CURRENCY = re.compile(rf"{CURRENCY_AFTER}|{CURRENCY_BEFORE}", re.IGNORECASE)
_SIZE_BEFORE = re.compile(
    r"(?:gr(?:ö|oe|o)(?:ß|ss|s)en?|gr\.|sizes?|eu|uk|us|nummern?|nr\.?)\s*:?\s*$", re.IGNORECASE
)


def extract_prices(text: str, context: ExtractContext) -> list[Entity]:
    """Prices, budgets and price ranges in ``text`` as entities ``"price"``."""
    found: list[Entity] = []
    has_currency = _ANY_CURRENCY.search(text) is not None
    for pattern, kind, needs_currency in _FORMS:
        if needs_currency and not has_currency:
            continue
        for match in pattern.finditer(text):
            entity = _entity(text, match, kind, needs_currency, context)
            if entity is not None:
                found.append(entity)
    return longest_first(found)


def _entity(
    text: str, match: re.Match[str], kind: str, needs_currency: bool, context: ExtractContext
) -> Entity | None:
    groups = match.groupdict()
    named = next((groups[g] for g in ("b1", "c1", "b2", "c2") if groups.get(g)), None)
    if named is None and (needs_currency or _after_size_word(text, match.start())):
        return None
    tokens = [groups[g] for g in ("a1", "a2") if groups.get(g)]
    if "." in tokens[-1] and text.startswith(".", match.end(f"a{len(tokens)}")):
        return None  # "bis 24.12." names a day, not a budget
    amounts = [_amount(token, context.language) for token in tokens]
    if None in amounts:
        return None
    value = _value(kind, [a for a in amounts if a is not None])
    value["currency"] = (currency_code(named) if named else None) or context.currency
    confidence = 0.8 if kind == "approx" or named is None else 1.0
    return Entity("price", match.start(), match.end(), match.group(), value, confidence)


def _after_size_word(text: str, start: int) -> bool:
    """ "Größe zwischen 42 und 44": the numbers are sizes."""
    return _SIZE_BEFORE.search(text, max(0, start - 20), start) is not None


def _amount(token: str, language: str) -> float | None:
    token = token.removesuffix(",-")
    if _THOUSANDS.fullmatch(token):  # "1.200" and "1,200" are both 1200 here
        return float(token.replace(".", "").replace(",", ""))
    number = parse_number(token, language)
    return None if number is None else float(number)


def _value(kind: str, amounts: list[float]) -> dict[str, object]:
    first = amounts[0]
    if kind == "range" or len(amounts) == 2:
        low, high = sorted(amounts)
        return {"min": low, "max": high}
    if kind == "max":
        return {"min": None, "max": first}
    if kind == "min":
        return {"min": first, "max": None}
    if kind == "approx":
        return {"min": round(first * 0.8, 2), "max": round(first * 1.2, 2), "approx": True}
    return {"min": first, "max": first}
