"""Keyword triggers: the owner's exact, contains and regex rules, compiled once.

Rules are tried in the order of ``theke.yml``; the first match wins. ``exact``
and ``contains`` compare normalised text (see :func:`normalize`); ``contains``
finds the pattern at the start of a word, so ``versand`` matches
"Versandkosten?" but ``hi`` does not match "nichts". ``regex`` searches the
text as typed, ignoring case. Only the first 2,000 characters are looked at,
which bounds the time a careless regex can take.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from theke.bot import KeywordRule
from theke.dialogue.normalize import normalize

__all__ = ["MAX_INPUT", "KeywordMatch", "KeywordMatcher"]

MAX_INPUT = 2000


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    """Which rule matched (1-based, as counted in ``theke.yml``) and what it asks for."""

    rule: int
    response: str | None
    postback: str | None
    language: str | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    exact: frozenset[str]
    contains: re.Pattern[str] | None  # all the rule's word starts, in one pattern
    regexes: tuple[re.Pattern[str], ...]
    result: KeywordMatch

    def test(self, text: str, words: str, padded: str) -> bool:
        if words in self.exact:
            return True
        if self.contains is not None and self.contains.search(padded):
            return True
        return any(regex.search(text) for regex in self.regexes)


class KeywordMatcher:
    """All keyword rules of a bot, with their patterns normalised and compiled."""

    def __init__(self, rules: Sequence[KeywordRule]) -> None:
        self._rules = tuple(_compile(number, rule) for number, rule in enumerate(rules, start=1))

    def match(self, text: str) -> KeywordMatch | None:
        """The first rule that matches ``text``, or ``None``."""
        text = text[:MAX_INPUT]
        words = normalize(text)
        padded = f" {words}"
        for rule in self._rules:
            if rule.test(text, words, padded):
                return rule.result
        return None


def _compile(number: int, rule: KeywordRule) -> _Compiled:
    result = KeywordMatch(number, rule.response, rule.postback, rule.language)
    if rule.match == "regex":
        regexes = tuple(re.compile(pattern, re.IGNORECASE) for pattern in rule.patterns)
        return _Compiled(frozenset(), None, regexes, result)
    normalised = [normalize(pattern) for pattern in rule.patterns]
    if rule.match == "exact":
        return _Compiled(frozenset(normalised), None, (), result)
    starts = "|".join(re.escape(f" {words}") for words in normalised)
    return _Compiled(frozenset(), re.compile(starts), (), result)
