"""Entities a bot defines by regular expression, e.g. order numbers ``SC-123456``."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from theke.nlu.result import Entity

__all__ = ["extract_patterns"]

_SPACE = re.compile(r"\s+")


def extract_patterns(text: str, patterns: Mapping[str, Sequence[re.Pattern[str]]]) -> list[Entity]:
    """Every match of the bot's patterns; ``patterns`` maps an entity name to its regexes.

    The value is the match upper-cased without spaces (``"sc 123456"`` becomes
    ``"SC123456"``); empty matches are ignored. Overlaps are left to the caller.
    """
    entities: list[Entity] = []
    for name, compiled in patterns.items():
        for pattern in compiled:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    value = _SPACE.sub("", match.group()).upper()
                    entities.append(
                        Entity(
                            name,
                            match.start(),
                            match.end(),
                            match.group(),
                            value,
                            extractor="regex",
                        )
                    )
    return sorted(entities, key=lambda e: (e.start, -e.end))
