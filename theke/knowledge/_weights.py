"""The fitted weights that fuse the signals into one score (written by bench/knowledge_fit.py).

Do not edit the numbers by hand: run ``.venv/bin/python bench/knowledge_fit.py --write``.

Each signal of an entry is its best over the entry's questions and titles; the
entry's relevance is ``signals @ weights + bias``. The score of an entry is a
softmax over the :data:`CANDIDATES` most relevant entries and "none of them"
(relevance 0): the chance that it is the answer, which is lower when another
entry is about as relevant, and low for all when none is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["CANDIDATES", "DENSE", "LEXICAL", "Fusion", "for_signals"]

CANDIDATES = 5
"""How many of the most relevant entries share the probability with "none of them"."""


@dataclass(frozen=True, slots=True)
class Fusion:
    """Weights per signal (:data:`theke.knowledge.index.SIGNALS` order) and a bias."""

    weights: tuple[float, ...]
    bias: float

    @property
    def vector(self) -> npt.NDArray[np.float64]:
        return np.array(self.weights, dtype=np.float64)


# fitted: on examples/sneakershop, tests/knowledge/fixtures/shop and the out-of-scope set
LEXICAL = Fusion(weights=(0.000, 0.000, 0.000, 5.207), bias=-0.064)
DENSE = Fusion(weights=(0.000, 0.000, 0.000, 3.632, 6.358), bias=-2.271)


def for_signals(count: int) -> Fusion:
    """The fusion for ``count`` signals: with the embedding, or words only."""
    return DENSE if count == len(DENSE.weights) else LEXICAL
