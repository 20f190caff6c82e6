"""An inverted index in three numpy arrays: per feature, the documents it occurs in.

It is a sparse column matrix (documents × features) kept as plain arrays, so
scoring a query costs one gather and one ``bincount`` — no sparse-matrix
library at answer time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Postings", "SparseRow"]

SparseRow = tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]
"""The columns and the weights of one document or query."""


@dataclass(frozen=True, slots=True)
class Postings:
    """Per feature (column) the documents (rows) it occurs in, with a weight each."""

    starts: npt.NDArray[np.int64]
    """Column ``c``'s postings are ``rows[starts[c]:starts[c + 1]]``."""
    rows: npt.NDArray[np.int32]
    weights: npt.NDArray[np.float32]
    documents: int

    @classmethod
    def build(cls, documents: Sequence[SparseRow], columns: int) -> Postings:
        """The index of ``documents`` (each: its columns and weights) over ``columns`` features."""
        sizes = [len(cols) for cols, _ in documents]
        rows = np.repeat(np.arange(len(documents), dtype=np.int32), sizes)
        cols = np.concatenate([c for c, _ in documents]) if documents else np.empty(0, np.int32)
        values = np.concatenate([w for _, w in documents]) if documents else np.empty(0)
        order = np.argsort(cols, kind="stable")
        counts = np.bincount(cols, minlength=columns) if cols.size else np.zeros(columns, np.int64)
        starts = np.zeros(columns + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        return cls(starts, rows[order], values[order].astype(np.float32), len(documents))

    def dot(self, query: SparseRow) -> npt.NDArray[np.float64]:
        """Each document's dot product with ``query``."""
        columns, weights = query
        if not columns.size:
            return np.zeros(self.documents)
        first, last = self.starts[columns], self.starts[columns + 1]
        lengths = last - first
        total = int(lengths.sum())
        if not total:
            return np.zeros(self.documents)
        offsets = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        values = self.weights[offsets] * np.repeat(weights, lengths)
        scores = np.bincount(self.rows[offsets], weights=values, minlength=self.documents)
        return scores.astype(np.float64, copy=False)
