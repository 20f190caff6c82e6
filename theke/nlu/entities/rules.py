"""All rule-based extractors in one call, with overlaps resolved.

Where two entities claim the same characters the longer span wins ("unter 100
Euro" is a price, not also the number 100; "Größe 43" is a size); on equal
length the more specific kind wins (a bot's own pattern before an e-mail before
a phone number before a date, price, size, colour, number).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from types import MappingProxyType

from theke.errors import ConfigurationError
from theke.nlu.entities._spans import longest_first
from theke.nlu.entities.colours import extract_colours
from theke.nlu.entities.contact import extract_emails, extract_phones
from theke.nlu.entities.context import ExtractContext
from theke.nlu.entities.dates import extract_dates
from theke.nlu.entities.money import extract_prices
from theke.nlu.entities.numbers import extract_numbers
from theke.nlu.entities.patterns import extract_patterns
from theke.nlu.entities.sizes import extract_sizes
from theke.nlu.result import Entity

__all__ = ["RULE_KINDS", "extract_rules"]

_EXTRACTORS: Mapping[str, Callable[[str, ExtractContext], list[Entity]]] = MappingProxyType(
    {
        "email": extract_emails,
        "phone": extract_phones,
        "datetime": extract_dates,
        "price": extract_prices,
        "size": extract_sizes,
        "color": extract_colours,
        "number": extract_numbers,
    }
)
RULE_KINDS: tuple[str, ...] = tuple(_EXTRACTORS)
"""The entity kinds the built-in rules find, most specific first."""
_RANK = MappingProxyType({kind: len(RULE_KINDS) - i for i, kind in enumerate(RULE_KINDS)})


def extract_rules(
    text: str,
    context: ExtractContext,
    kinds: Collection[str] | None = None,
    *,
    patterns: Mapping[str, Sequence[re.Pattern[str]]] | None = None,
    colours: Mapping[str, str] | None = None,
) -> list[Entity]:
    """Entities of ``kinds`` (default: all, and every pattern) in ``text``, in text order.

    ``patterns`` are the bot's regex entities (see ``extract_patterns``),
    ``colours`` its extra colour words (see ``extract_colours``). The spans of
    the result never overlap.
    """
    patterns = patterns or {}
    wanted = _wanted(kinds, patterns)
    found: list[Entity] = []
    for kind in wanted & _EXTRACTORS.keys():
        if kind == "color":
            found += extract_colours(text, context, colours)
        else:
            found += _EXTRACTORS[kind](text, context)
    chosen = {name: compiled for name, compiled in patterns.items() if name in wanted}
    if chosen:
        found += extract_patterns(text, chosen)
    return longest_first(found, lambda e: _RANK.get(e.entity, len(RULE_KINDS) + 1))


def _wanted(kinds: Collection[str] | None, patterns: Mapping[str, object]) -> set[str]:
    if kinds is None:
        return {*RULE_KINDS, *patterns}
    unknown = set(kinds) - set(RULE_KINDS) - set(patterns)
    if unknown:
        raise ConfigurationError(
            f"unknown entity kind(s) {sorted(unknown)}: the rules know {list(RULE_KINDS)}; "
            "other names need a pattern"
        )
    return set(kinds)
