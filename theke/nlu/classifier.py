"""The intent classifier: TF-IDF n-grams plus sentence embeddings, a calibrated linear model.

Training fits a multinomial logistic regression (scikit-learn) on three
feature blocks — character n-grams, word n-grams and, when an encoder is
configured, the message's sentence embedding — each scaled by its weight.
Its confidences are then calibrated with one temperature fitted on
cross-validated predictions, so "0.8" means right about 80 % of the time.

At parse time nothing of scikit-learn is needed: the weights are plain
arrays (features × intents) and a message costs a few dictionary lookups and
one small matrix product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from theke.nlu.features import Vocabulary, char_features, tokens, word_features

__all__ = ["ClassifierConfig", "IntentClassifier"]

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class ClassifierConfig:
    """How strongly each feature block counts, and the regularisation (higher ``c``: less)."""

    c: float = 10.0
    char_weight: float = 1.0
    word_weight: float = 0.6
    dense_weight: float = 2.0
    calibration_folds: int = 3


@dataclass(frozen=True, slots=True)
class IntentClassifier:
    """A trained classifier: vocabularies, weights per block, the intents, a temperature."""

    intents: tuple[str, ...]
    chars: Vocabulary
    words: Vocabulary
    w_char: Array  # (char features, intents)
    w_word: Array  # (word features, intents)
    w_dense: Array  # (embedding dim, intents); 0 rows without an encoder
    bias: Array
    temperature: float
    config: ClassifierConfig

    @classmethod
    def train(
        cls,
        texts: Sequence[str],
        intents: Sequence[str],
        embeddings: Array | None,
        config: ClassifierConfig = ClassifierConfig(),
    ) -> IntentClassifier:
        """Fit on ``texts`` labelled ``intents`` (``embeddings``: one row per text, or ``None``)."""
        names = tuple(sorted(set(intents)))
        words = [tokens(text) for text in texts]
        chars = Vocabulary.fit(char_features(w) for w in words)
        wordv = Vocabulary.fit(word_features(w) for w in words)
        dense = embeddings if embeddings is not None else np.zeros((len(texts), 0), np.float32)
        blocks = (chars.size, wordv.size, dense.shape[1])
        if len(names) < 2:
            bias = np.zeros(len(names), np.float32)
            w_char, w_word, w_dense = (np.zeros((n, len(names)), np.float32) for n in blocks)
            return cls(names, chars, wordv, w_char, w_word, w_dense, bias, 1.0, config)
        from theke.nlu import _fit

        matrix = _fit.design(words, chars, wordv, dense, config)
        labels = np.array([names.index(intent) for intent in intents])
        weights, intercept = _fit.logistic(matrix, labels, config.c)
        temperature = _fit.temperature(matrix, labels, config)
        parts = np.split(weights.astype(np.float32), np.cumsum(blocks)[:2])
        return cls(
            names,
            chars,
            wordv,
            np.ascontiguousarray(parts[0] * config.char_weight, dtype=np.float32),
            np.ascontiguousarray(parts[1] * config.word_weight, dtype=np.float32),
            np.ascontiguousarray(parts[2] * config.dense_weight, dtype=np.float32),
            intercept.astype(np.float32),
            temperature,
            config,
        )

    @property
    def uses_embeddings(self) -> bool:
        return bool(self.w_dense.shape[0] > 0)

    def probabilities(self, text: str, embedding: Array | None = None) -> Array:
        """The calibrated probability of each intent (in the order of ``intents``)."""
        return self.scores(text, embedding)[0]

    def scores(self, text: str, embedding: Array | None = None) -> tuple[Array, bool]:
        """:meth:`probabilities`, and whether any feature of ``text`` was known from training."""
        if not self.intents:
            return np.empty(0, np.float32), False
        words = tokens(text)
        logits: Array = self.bias.copy()
        seen = False
        for vocabulary, weights_of, features in (
            (self.chars, self.w_char, char_features(words)),
            (self.words, self.w_word, word_features(words)),
        ):
            columns, weights = vocabulary.weigh(features)
            if columns.size:
                logits += weights @ weights_of[columns]
                seen = True
        if embedding is not None and self.uses_embeddings:
            logits += embedding @ self.w_dense
            seen = True
        scaled = logits / np.float32(self.temperature)
        scaled -= scaled.max()
        exp = np.exp(scaled)
        result: Array = (exp / exp.sum()).astype(np.float32)
        return result, seen
