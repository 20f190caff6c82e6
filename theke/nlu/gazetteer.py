"""Catalog values in messages: product names, brands, categories, with synonyms and typos.

The bot's lookup tables (``- lookup: brand``) and synonyms (``- synonym:
sneaker`` with "Turnschuhe", "Treter") — and, with the commerce issue, the
product catalog — become one table: written form → (entity, canonical value).
A message is matched longest phrase first on folded words ("Air Max 90",
"air max 90" and "AIR-MAX 90" are the same), with simple German and English
plural endings ("Turnschuhen" → "Turnschuh(e)"), and single words that are
not known exactly are matched fuzzily: one typo in a word of six to eight
letters, two from nine ("Addidas" → adidas; "check" is too short for "Chuck").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from theke.nlu.normalize import fold
from theke.nlu.result import Entity

__all__ = ["Gazetteer"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ENDINGS = ("en", "e", "s")  # not "n": "Süden" would stem to "suede"
_MAX_WORDS = 6


@dataclass(frozen=True, slots=True)
class _Hit:
    entity: str
    value: str
    confidence: float


class Gazetteer:
    """Known values of catalog entities, matched exactly, by stem, or with a typo."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """``entries``: (entity, written form, canonical value)."""
        self.entries: tuple[tuple[str, str, str], ...] = tuple(entries)
        self._phrases: dict[tuple[str, ...], _Hit] = {}
        for entity, written, value in self.entries:
            words = tuple(_stem(w) for w in _WORD.findall(fold(written)))
            if words and len(words) <= _MAX_WORDS:
                self._phrases.setdefault(words, _Hit(entity, value, 1.0))
        self._longest = max((len(words) for words in self._phrases), default=0)
        # Typos are matched on the written words, not their stems ("adidas" is no plural).
        self._fuzzy_table: dict[str, _Hit] = {}
        for entity, written, value in self.entries:
            single = _WORD.findall(fold(written))
            if len(single) == 1 and len(single[0]) >= 6:
                self._fuzzy_table.setdefault(single[0], _Hit(entity, value, 1.0))
        self._singles = sorted(self._fuzzy_table)

    @classmethod
    def from_tables(
        cls, lookups: Mapping[str, Iterable[str]], synonyms: Mapping[str, str]
    ) -> Gazetteer:
        """Lookup tables, plus every synonym whose canonical value is in one of them."""
        entries: list[tuple[str, str, str]] = []
        owner: dict[str, str] = {}
        for entity, values in lookups.items():
            for value in values:
                entries.append((entity, value, value))
                owner.setdefault(fold(value), entity)
        for written, value in synonyms.items():
            found = owner.get(fold(value))
            if found is not None:
                entries.append((found, written, _canonical(lookups[found], value)))
        return cls(entries)

    def __len__(self) -> int:
        return len(self._phrases)

    def find(self, text: str) -> list[Entity]:
        """The catalog values in ``text``, longest first, without overlaps."""
        if not self._phrases:
            return []
        folded = fold(text)
        if len(folded) == len(text):
            words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
        else:  # folding changed lengths ("ß" → "ss"): offsets must come from the original text
            words = [(m.start(), m.end(), fold(m.group())) for m in _WORD.finditer(text)]
        found: list[Entity] = []
        i = 0
        while i < len(words):
            hit, size = self._match_at(words, i)
            if hit is None:
                i += 1
                continue
            start, end = words[i][0], words[i + size - 1][1]
            found.append(
                Entity(
                    hit.entity, start, end, text[start:end], hit.value, hit.confidence, "gazetteer"
                )
            )
            i += size
        return found

    def _match_at(self, words: list[tuple[int, int, str]], i: int) -> tuple[_Hit | None, int]:
        for size in range(min(self._longest, len(words) - i), 0, -1):
            hit = self._phrases.get(tuple(_stem(w) for _, _, w in words[i : i + size]))
            if hit is not None:
                return hit, size
        return self._fuzzy(words[i][2]), 1

    def _fuzzy(self, word: str) -> _Hit | None:
        if len(word) < 6 or not self._singles:
            return None
        allowed = 1 if len(word) <= 8 else 2
        best = process.extractOne(
            word, self._singles, scorer=Levenshtein.distance, score_cutoff=allowed
        )
        if best is None:
            return None
        hit = self._fuzzy_table[best[0]]
        return _Hit(hit.entity, hit.value, 1.0 - 0.1 * best[1])


def _stem(word: str) -> str:
    """A crude plural/inflection stem so "turnschuhen", "turnschuhe" and "turnschuh" meet."""
    if word.isdigit() or len(word) < 5:
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 5:
            return word[: -len(ending)]
    return word


def _canonical(values: Iterable[str], value: str) -> str:
    """The lookup table's own spelling of ``value``."""
    return next((v for v in values if fold(v) == fold(value)), value)
