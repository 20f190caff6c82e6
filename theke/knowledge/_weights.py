"""The fitted weights that fuse the signals into one score (written by bench/knowledge_fit.py).

Do not edit by hand: run ``.venv/bin/python bench/knowledge_fit.py --write``.

A row's relevance is ``signals @ weights + bias`` (:data:`theke.knowledge.index.SIGNALS`
order); an entry's is its best row's. Its score is
``sigmoid(scale * relevance + margin * (relevance - best other entry's) + offset)``:
an entry far ahead of the others is more likely the answer than one neck and neck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["DENSE", "LEXICAL", "Fusion", "for_signals"]


@dataclass(frozen=True, slots=True)
class Fusion:
    weights: tuple[float, ...]
    bias: float
    scale: float
    margin: float
    offset: float

    @property
    def vector(self) -> npt.NDArray[np.float64]:
        return np.array(self.weights, dtype=np.float64)


# fitted: placeholder
LEXICAL = Fusion(weights=(0.0, 0.0, 0.0, 2.0), bias=-1.5, scale=0.2, margin=1.25, offset=-0.6)
DENSE = Fusion(weights=(0.0, 0.0, 0.0, 1.0, 2.0), bias=-2.0, scale=0.3, margin=1.5, offset=-0.5)


def for_signals(count: int) -> Fusion:
    """The fusion for ``count`` signals: with the embedding, or words only."""
    return DENSE if count == len(DENSE.weights) else LEXICAL
