"""Prices as a customer reads them: "89,99 €" in German, "€89.99" in English."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from theke.content._locale import language
from theke.errors import ContentError

__all__ = ["format_price"]

_CENT = Decimal("0.01")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
# language -> (thousands separator, decimal separator)
_SEPARATORS = {"de": (".", ","), "en": (",", ".")}


def format_price(amount: Decimal | int | str, currency: str = "EUR", locale: str = "de") -> str:
    """The display string of a price, rounded half-up to cents.

    German puts the symbol after the number ("1.299,00 €"), English before it
    ("€1,299.00"). A currency without a symbol shows its code ("12,50 CHF",
    "CHF 12.50"). Locales other than German are formatted the English way.
    """
    value = _cents(_decimal(amount))
    code = currency.strip().upper()
    if not _CURRENCY_CODE.fullmatch(code):
        raise ContentError(f"Currency {currency!r} is not a three-letter ISO 4217 code like EUR")
    sign = "-" if value < 0 else ""
    number = _group(abs(value), *_SEPARATORS[language(locale)])
    if language(locale) == "de":
        return f"{sign}{number} {_SYMBOLS.get(code, code)}"
    if code in _SYMBOLS:
        return f"{sign}{_SYMBOLS[code]}{number}"
    return f"{sign}{code} {number}"


def _decimal(amount: object) -> Decimal:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int | str):
        raise ContentError(
            f"A price must be a Decimal, int or str like '89.99', not {type(amount).__name__}"
        )
    try:
        value = Decimal(amount.strip() if isinstance(amount, str) else amount)
    except InvalidOperation as exc:
        raise ContentError(f"{amount!r} is not a number; write prices like '89.99'") from exc
    if not value.is_finite():
        raise ContentError(f"{amount!r} is not a finite price")
    return value


def _cents(value: Decimal) -> Decimal:
    try:
        return value.quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ContentError(f"{value} is too large to show as a price") from exc


def _group(value: Decimal, thousands: str, decimal: str) -> str:
    return f"{value:,f}".translate(str.maketrans(",.", thousands + decimal))
