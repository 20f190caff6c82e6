"""A small inverted index over product texts: names and brands, and descriptions.

Words are folded (``fold``: "Größe" = "groesse") and lightly stemmed
("Laufschuhe" = "Laufschuh"). A query word scores a product by its rarity
(idf): twice in a name or brand, once in a description, and half of that
when it only starts a word ("lauf" → "laufschuh").
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from theke.nlu.normalize import fold

__all__ = ["Document", "TextIndex", "words"]

_WORD = re.compile(r"[^\W_]+")
_ENDINGS = ("en", "e", "s", "n")
_MIN_PREFIX = 4
_MAX_EXPANSION = 64
_COMMON = 0.5  # a word in more than half of the products does not narrow a search

Rows = npt.NDArray[np.int32]
Document = tuple[Sequence[str], Sequence[str]]
"""A product's title texts (names, brand) and its other texts (descriptions)."""


def words(text: str) -> list[str]:
    """The index terms of ``text``: folded words of two or more characters, stemmed."""
    return [_stem(word) for word in _WORD.findall(fold(text)) if len(word) > 1]


def _stem(word: str) -> str:
    if len(word) < 5 or word.isdigit():
        return word
    for ending in _ENDINGS:
        if word.endswith(ending):
            return word[: -len(ending)]
    return word


def _no_postings() -> Mapping[str, Rows]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TextIndex:
    """Per word, the rows whose title (``titles``) or description (``bodies``) has it."""

    titles: Mapping[str, Rows] = field(default_factory=_no_postings)
    bodies: Mapping[str, Rows] = field(default_factory=_no_postings)
    vocabulary: tuple[str, ...] = ()
    rows: int = 0

    def append(self, documents: Sequence[Document]) -> TextIndex:
        """A new index with ``documents`` added as the next rows; this one is unchanged."""
        terms = _Terms()
        titles = [terms(document[0]) for document in documents]
        bodies = [terms(document[1]) for document in documents]
        vocabulary = terms.vocabulary
        merged_titles = _extend(self.titles, _postings(titles, self.rows), vocabulary)
        merged_bodies = _extend(self.bodies, _postings(bodies, self.rows), vocabulary)
        words = tuple(sorted(merged_titles.keys() | merged_bodies.keys()))
        return TextIndex(merged_titles, merged_bodies, words, self.rows + len(documents))

    def score(self, text: str) -> npt.NDArray[np.float32] | None:
        """Each row's match score for ``text``; ``None`` when ``text`` has no words."""
        terms = list(dict.fromkeys(words(text)))
        if not terms:
            return None
        matches = [self._matches(term) for term in terms]
        useful = [found for found in matches if found and not _common(found, self.rows)]
        chosen = [pair for found in (useful or matches) for pair in found]
        if not chosen:
            return np.zeros(self.rows, dtype=np.float32)
        rows = np.concatenate([postings for postings, _ in chosen])
        weights = np.repeat([weight for _, weight in chosen], [len(p) for p, _ in chosen])
        return np.bincount(rows, weights, minlength=self.rows).astype(np.float32)

    def _matches(self, term: str) -> list[tuple[Rows, float]]:
        found = [*self._postings(term, 2.0, 1.0)]
        if len(term) >= _MIN_PREFIX:
            start = bisect.bisect_left(self.vocabulary, term)
            for word in self.vocabulary[start : start + _MAX_EXPANSION]:
                if not word.startswith(term):
                    break
                if word != term:
                    found.extend(self._postings(word, 1.0, 0.5))
        return found

    def _postings(self, word: str, title: float, body: float) -> Iterable[tuple[Rows, float]]:
        in_titles, in_bodies = self.titles.get(word), self.bodies.get(word)
        frequency = max(len(found) for found in (in_titles, in_bodies, ()) if found is not None)
        idf = math.log(1.0 + self.rows / max(frequency, 1))
        if in_titles is not None:
            yield in_titles, title * idf
        if in_bodies is not None:
            yield in_bodies, body * idf


class _Terms:
    """Term ids of texts; each distinct text and word is worked out once per batch."""

    def __init__(self) -> None:
        self._texts: dict[str, tuple[int, ...]] = {}
        self._ids: dict[str, int] = {}

    @property
    def vocabulary(self) -> list[str]:
        """The terms by id."""
        return list(self._ids)

    def __call__(self, texts: Sequence[str]) -> list[int]:
        found: list[int] = []
        known = self._texts
        for text in texts:
            ids = known.get(text)
            found += self._new(text) if ids is None else ids
        return found

    def _new(self, text: str) -> tuple[int, ...]:
        ids = self._ids
        stems = {_stem(word) for word in _WORD.findall(fold(text)) if len(word) > 1}
        found = self._texts[text] = tuple(ids.setdefault(stem, len(ids)) for stem in stems)
        return found


def _common(found: list[tuple[Rows, float]], rows: int) -> bool:
    return max(len(postings) for postings, _ in found) > _COMMON * rows


def _postings(documents: Sequence[list[int]], first: int) -> list[tuple[int, Rows]]:
    """(term id, rows with it) for documents given as term ids, rows numbered from ``first``."""
    lengths = np.fromiter((len(ids) for ids in documents), np.int64, len(documents))
    total = int(lengths.sum())
    if not total:
        return []
    terms = np.fromiter(chain.from_iterable(documents), np.int64, total)
    rows = np.repeat(np.arange(first, first + len(documents), dtype=np.int32), lengths)
    order = np.lexsort((rows, terms))
    terms, rows = terms[order], rows[order]
    keep = np.ones(total, dtype=np.bool_)  # a term twice in one row (name and brand) counts once
    keep[1:] = (terms[1:] != terms[:-1]) | (rows[1:] != rows[:-1])
    terms, rows = terms[keep], rows[keep]
    starts = np.flatnonzero(np.r_[True, terms[1:] != terms[:-1]])
    return list(zip(terms[starts].tolist(), np.split(rows, starts[1:]), strict=True))


def _extend(
    postings: Mapping[str, Rows], added: Sequence[tuple[int, Rows]], vocabulary: Sequence[str]
) -> dict[str, Rows]:
    merged = dict(postings)
    for term_id, rows in added:
        term = vocabulary[term_id]
        old = merged.get(term)
        merged[term] = rows if old is None else np.concatenate((old, rows))
    return merged
