"""How much a message and an FAQ question share in words: BM25 and TF-IDF cosine.

Both read the features the NLU classifier reads (:mod:`theke.nlu.features`):
the folded words ("Größe" = "groesse"), their bigrams, and the character
2–5-grams of each word, which match across typos, inflections and German
compounds ("Rücksendung", "ruecksendeetikett"). For each of the two feature
kinds (words, characters) a question gets two signals in 0..1:

- **BM25**, divided by what the message's features could score at most
  (the sum of their IDF): the share of the message's informative words the
  question covers. A message full of words no question has scores low.
- **cosine** of the TF-IDF vectors (sublinear TF, smoothed IDF); features no
  question has count in the message's norm with the highest IDF, for the
  same reason.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from theke.knowledge._postings import Postings, SparseRow
from theke.nlu.features import Vocabulary, char_features, tokens, word_features

__all__ = ["LexicalIndex", "words"]

Array = npt.NDArray[np.float64]
_K1 = 1.2
_B = 0.75


def words(text: str) -> list[str]:
    """The folded words of ``text`` (punctuation and emoji dropped)."""
    return [token for token in tokens(text) if token[0].isalnum()]


@dataclass(frozen=True, slots=True)
class _Field:
    """One kind of feature (words or character n-grams) over all indexed questions."""

    vocabulary: Vocabulary
    tfidf: Postings
    bm25: Postings
    bm25_idf: npt.NDArray[np.float32]
    unknown_idf: float
    unknown_bm25: float

    @classmethod
    def fit(cls, documents: Sequence[Sequence[str]]) -> _Field:
        vocabulary = Vocabulary.fit(documents)
        count = len(documents)
        counts = [_counts(vocabulary, features) for features in documents]
        df = np.zeros(vocabulary.size, dtype=np.float64)
        for columns, _ in counts:
            df[columns] += 1.0
        bm25_idf = np.log1p((count - df + 0.5) / (df + 0.5)).astype(np.float32)
        lengths = np.array([len(features) for features in documents], dtype=np.float64)
        average = float(lengths.mean()) if count and lengths.mean() > 0 else 1.0
        relative = lengths / average
        rows = [_bm25_row(row, bm25_idf, float(r)) for row, r in zip(counts, relative, strict=True)]
        return cls(
            vocabulary=vocabulary,
            tfidf=Postings.build([vocabulary.weigh(f) for f in documents], vocabulary.size),
            bm25=Postings.build(rows, vocabulary.size),
            bm25_idf=bm25_idf,
            unknown_idf=math.log(1 + count) + 1.0,
            unknown_bm25=math.log1p((count + 0.5) / 0.5),
        )

    def signals(self, features: Sequence[str]) -> tuple[Array, Array]:
        """BM25 (normalised) and cosine of ``features`` with every question."""
        columns, tf = _counts(self.vocabulary, features)
        unknown = len(set(features)) - columns.size
        most = float(self.bm25_idf[columns].sum()) + unknown * self.unknown_bm25
        ones = np.ones(columns.size, dtype=np.float32)
        bm25 = self.bm25.dot((columns, ones)) / most if most > 0 else np.zeros(self.bm25.documents)
        return bm25, self.tfidf.dot(self._tfidf_query(features, columns, tf))

    def _tfidf_query(
        self, features: Sequence[str], columns: npt.NDArray[np.int32], tf: npt.NDArray[np.float32]
    ) -> SparseRow:
        weights = (1.0 + np.log(tf)) * self.vocabulary.idf[columns]
        missing = Counter(f for f in features if f not in self.vocabulary.index)
        extra = sum((1.0 + math.log(n)) ** 2 for n in missing.values()) * self.unknown_idf**2
        norm = math.sqrt(float(weights @ weights) + extra)
        return columns, (weights / norm if norm > 0 else weights).astype(np.float32)


def _counts(vocabulary: Vocabulary, features: Sequence[str]) -> SparseRow:
    """The known columns of ``features`` and how often each occurs."""
    counts = Counter(i for f in features if (i := vocabulary.index.get(f)) is not None)
    columns = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
    return columns, np.fromiter(counts.values(), dtype=np.float32, count=len(counts))


def _bm25_row(row: SparseRow, idf: npt.NDArray[np.float32], relative_length: float) -> SparseRow:
    columns, tf = row
    saturation = tf * (_K1 + 1) / (tf + _K1 * (1 - _B + _B * relative_length))
    return columns, (idf[columns] * saturation).astype(np.float32)


@dataclass(frozen=True, slots=True)
class LexicalIndex:
    """The questions' word and character features, ready to be compared with a message."""

    words: _Field
    chars: _Field

    @classmethod
    def build(cls, questions: Sequence[str]) -> LexicalIndex:
        """The index of ``questions`` (row ``i`` of every signal is ``questions[i]``)."""
        split = [words(question) for question in questions]
        return cls(
            words=_Field.fit([word_features(w) for w in split]),
            chars=_Field.fit([char_features(w) for w in split]),
        )

    def signals(self, text: str) -> npt.NDArray[np.float64]:
        """Per question: word BM25, character BM25, word cosine, character cosine."""
        split = words(text)
        word_bm25, word_cos = self.words.signals(word_features(split))
        char_bm25, char_cos = self.chars.signals(char_features(split))
        return np.column_stack((word_bm25, char_bm25, word_cos, char_cos))
