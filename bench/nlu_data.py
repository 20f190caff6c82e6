"""The NLU benchmark data and its splits, shared by every system we measure.

Pure standard library, so that the Rasa side (its own virtualenv, without
Theke) imports the very same folds.

- ``load(name)`` reads ``../shared/data/nlu/<name>/data.jsonl`` (one object per
  line: ``text``, ``intent``, ``split``, optional ``tokens``/``slots`` in BIO).
- ``folds(rows, k)`` is a stratified k-fold split with a fixed order: rows are
  grouped by intent and dealt round-robin, after a seeded shuffle, so every
  system sees identical train/test pairs.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["DATA", "Row", "folds", "load", "split"]

Row = dict[str, Any]

DATA = Path(
    os.environ.get(
        "THEKE_NLU_DATA", Path(__file__).resolve().parents[2] / "shared" / "data" / "nlu"
    )
)


def load(name: str) -> list[Row]:
    """All rows of one data set, in file order."""
    path = DATA / name / "data.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def split(rows: Sequence[Row], *names: str) -> list[Row]:
    """The rows whose ``split`` is one of ``names``."""
    return [row for row in rows if row["split"] in names]


def folds(rows: Sequence[Row], k: int = 5, seed: int = 13) -> Iterator[tuple[list[Row], list[Row]]]:
    """Stratified k-fold: yields (train, test) k times; every row is tested exactly once."""
    by_intent: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_intent[row["intent"]].append(index)
    rng = random.Random(seed)
    assignment = [0] * len(rows)
    offset = 0
    for intent in sorted(by_intent):
        members = by_intent[intent]
        rng.shuffle(members)
        for position, index in enumerate(members):
            assignment[index] = (offset + position) % k
        offset += len(members)
    for fold in range(k):
        train = [row for row, f in zip(rows, assignment, strict=True) if f != fold]
        test = [row for row, f in zip(rows, assignment, strict=True) if f == fold]
        yield train, test
