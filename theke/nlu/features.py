"""Sparse n-gram features: what the classifier sees of a message.

A message is normalised (:func:`theke.nlu.normalize.squeeze`), split into
words (emoji and ``?``/``!`` count as words: "😡" and "?" carry meaning), and
described by its word unigrams and bigrams and the character 2–5-grams of
each word padded with spaces — these match across typos, inflections and
compounds ("Laufschuh", "laufschuhe", "Laufschuhen").

:class:`Vocabulary` is fitted on the training examples and turns features
into TF-IDF weights (sublinear term frequency, smoothed IDF, L2 norm). It is
plain data (a dict and an array) so a model file needs no pickle.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from theke.nlu.normalize import squeeze

__all__ = ["Vocabulary", "char_features", "tokens", "word_features"]

_TOKEN = re.compile(r"\w+|[^\w\s]")
_CHAR_RANGE = (2, 5)


def tokens(text: str) -> list[str]:
    """The normalised words and symbols of ``text``."""
    return _TOKEN.findall(squeeze(text))


def char_features(words: Sequence[str]) -> list[str]:
    """Character n-grams of each word, padded with spaces at both ends."""
    low, high = _CHAR_RANGE
    grams: list[str] = []
    for word in words:
        if not word[0].isalnum() and len(word) == 1:
            continue
        padded = f" {word} "
        size = len(padded)
        for n in range(low, min(high, size) + 1):
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


def word_features(words: Sequence[str]) -> list[str]:
    """Word unigrams and bigrams."""
    return [*words, *(f"{a} {b}" for a, b in pairwise(words))]


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Feature → column, and each column's inverse document frequency."""

    index: dict[str, int]
    idf: npt.NDArray[np.float32]

    @classmethod
    def fit(cls, documents: Iterable[Sequence[str]], min_df: int = 1) -> Vocabulary:
        """The vocabulary of features that occur in at least ``min_df`` documents."""
        df: Counter[str] = Counter()
        count = 0
        for features in documents:
            df.update(set(features))
            count += 1
        kept = sorted(feature for feature, n in df.items() if n >= min_df)
        idf = np.array([math.log((1 + count) / (1 + df[f])) + 1.0 for f in kept], dtype=np.float32)
        return cls({feature: i for i, feature in enumerate(kept)}, idf)

    @property
    def size(self) -> int:
        return len(self.index)

    def weigh(
        self, features: Sequence[str]
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """The columns and L2-normalised TF-IDF weights of ``features`` (unknown ones dropped)."""
        counts = Counter(i for f in features if (i := self.index.get(f)) is not None)
        if not counts:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        columns = np.fromiter(counts.keys(), dtype=np.int32, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
        weights = ((1.0 + np.log(tf)) * self.idf[columns]).astype(np.float32)
        weights /= np.float32(np.linalg.norm(weights))
        return columns, weights
