"""Text helpers shared by the rule extractors: folding and regex fragments.

The extractors match on the original text (``re.IGNORECASE``) so that match
offsets are offsets into what the customer typed; these fragments accept the
umlaut spellings customers use (``ü``, ``ue`` and a bare ``u``).
"""

from __future__ import annotations

import re

from theke.nlu.normalize import fold

__all__ = [
    "AE",
    "CURRENCY_AFTER",
    "CURRENCY_BEFORE",
    "NOT_A_QUANTITY",
    "OE",
    "SS",
    "UE",
    "currency_code",
    "fold",
]

AE = "(?:ä|ae|a)"
OE = "(?:ö|oe|o)"
UE = "(?:ü|ue|u)"
SS = "(?:ß|ss|s)"


# Currency written after an amount ("100 Euro", "50 quid") and before it ("€ 79.99", "CHF 50").
CURRENCY_AFTER = (
    r"(?:€|\$|£|eur(?:o|os)?\b|teuro\b|usd\b|dollars?\b|bucks?\b|gbp\b|pounds?\b|quid\b"
    r"|pfund\b|chf\b|sfr\b\.?|franken\b|francs?\b)"
)
CURRENCY_BEFORE = r"(?:€|\$|£|eur(?:o)?\b|usd\b|gbp\b|chf\b|sfr\b\.?)"

# Words after a number that make it a duration, a time, a count or a measure -- not a
# price and not a size ("in 2 Tagen", "bis 18 Uhr", "max. 2 Paar", "unter 10 %").
NOT_A_QUANTITY = (
    r"(?!\s*(?:uhr\b|h\b|std\b|stunden?\b|minuten?\b|min\b|sek\w*|sec\w*|tage?n?\b|tg\b"
    r"|wochen?\b|monate?n?\b|jahre?n?\b|mal\b|st(?:ü|ue|u)ck\b|stk\b|paar\b|prozent\b|%"
    r"|cm\b|mm\b|m\b|km\b|kg\b|g\b|gramm\b|liter\b|l\b|ml\b|days?\b|weeks?\b|months?\b"
    r"|years?\b|hours?\b|hrs?\b|minutes?\b|mins?\b|times\b|pieces?\b|pcs\b|pairs?\b"
    r"|percent\b|pm\b|a\.m\.|p\.m\.|o'?clock\b|x\b|[.,:/]\d))"
)

_CURRENCY_CODES = (
    (re.compile(r"€|eur|teuro", re.IGNORECASE), "EUR"),
    (re.compile(r"\$|usd|dollar|buck", re.IGNORECASE), "USD"),
    (re.compile(r"£|gbp|pound|quid|pfund", re.IGNORECASE), "GBP"),
    (re.compile(r"chf|sfr|franken|franc", re.IGNORECASE), "CHF"),
)


def currency_code(text: str) -> str | None:
    """The ISO code of the first currency named in ``text``, or ``None``."""
    found: list[tuple[int, str]] = []
    for pattern, code in _CURRENCY_CODES:
        match = pattern.search(text)
        if match is not None:
            found.append((match.start(), code))
    return min(found)[1] if found else None
