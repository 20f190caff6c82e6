"""Stock as a matrix: one row per product, one column per size, pairs in stock in each cell.

The matrix is column-major, so "which products have size 43 in stock" reads
one contiguous column. It is never changed in place: a stock change makes a
new matrix (one copy of a few megabytes), so readers of the old one are safe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from theke.commerce.products import size_sort_key

__all__ = ["StockMatrix"]

Cell = tuple[int, str, int]
"""(row, size, stock)."""


@dataclass(frozen=True, slots=True)
class StockMatrix:
    """Pairs in stock per product row and size column."""

    labels: tuple[str, ...] = ()
    columns: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    matrix: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.int32, order="F")
    )
    in_stock: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    """Per row, how many of its sizes have at least one pair."""
    order: tuple[int, ...] = ()
    """The columns in size order ("36" before "36.5" before "42")."""

    @property
    def rows(self) -> int:
        return int(self.matrix.shape[0])

    def column(self, size: str) -> npt.NDArray[np.int32] | None:
        """The stock of ``size`` in every row, or ``None`` when no product has that size."""
        index = self.columns.get(size)
        return None if index is None else self.matrix[:, index]

    def sizes_in_stock(self, row: int) -> tuple[str, ...]:
        """The sizes of ``row`` with stock, smallest first."""
        stock = self.matrix[row]
        return tuple(self.labels[column] for column in self.order if stock[column] > 0)

    def append(self, sizes: Sequence[Sequence[tuple[str, int]]]) -> StockMatrix:
        """A matrix with one new row per entry of ``sizes``; this one is unchanged."""
        first = self.rows
        lengths = np.fromiter((len(row) for row in sizes), np.int64, len(sizes))
        rows = np.repeat(np.arange(first, first + len(sizes), dtype=np.int64), lengths)
        grown = self._grown(list(chain.from_iterable(sizes)), rows, first + len(sizes))
        counts = (grown.matrix[first:] > 0).sum(axis=1, dtype=np.int32)
        return grown._with(grown.matrix, np.concatenate((self.in_stock, counts)))

    def with_cells(self, cells: Sequence[Cell]) -> StockMatrix:
        """A matrix with ``cells`` set; this one is unchanged."""
        if not cells:
            return self
        rows = np.fromiter((row for row, _, _ in cells), np.int64, len(cells))
        grown = self._grown([(size, stock) for _, size, stock in cells], rows, self.rows)
        changed = np.unique(rows)
        counts = self.in_stock.copy()
        counts[changed] = (grown.matrix[changed] > 0).sum(axis=1, dtype=np.int32)
        return grown._with(grown.matrix, counts)

    def _grown(
        self, cells: Sequence[tuple[str, int]], rows: npt.NDArray[np.int64], height: int
    ) -> StockMatrix:
        """A copy ``height`` rows high, with a column for every size and ``cells`` set."""
        labels = list(self.labels)
        columns = dict(self.columns)
        for size in dict.fromkeys(size for size, _ in cells):
            if size not in columns:
                columns[size] = len(labels)
                labels.append(size)
        matrix = np.zeros((height, len(labels)), dtype=np.int32, order="F")
        matrix[: self.rows, : len(self.labels)] = self.matrix
        at = np.fromiter((columns[size] for size, _ in cells), np.int64, len(cells))
        matrix[rows, at] = np.fromiter((stock for _, stock in cells), np.int32, len(cells))
        order = tuple(sorted(range(len(labels)), key=lambda c: size_sort_key(labels[c])))
        return StockMatrix(tuple(labels), MappingProxyType(columns), matrix, self.in_stock, order)

    def _with(self, matrix: npt.NDArray[np.int32], counts: npt.NDArray[np.int32]) -> StockMatrix:
        return StockMatrix(self.labels, self.columns, matrix, counts, self.order)
