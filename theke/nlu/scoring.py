"""Span-level scores for entity extraction, as conlleval counts them.

A predicted span counts only if its start, end and label all equal a gold
span's; precision, recall and F1 are micro-averaged over all spans of all
messages. ``gold`` and ``predicted`` hold one set per message, in the same
order (a length mismatch raises ``ValueError``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

__all__ = ["span_f1", "span_f1_by_label"]

Span = tuple[int, int, str]


def span_f1(gold: Sequence[set[Span]], predicted: Sequence[set[Span]]) -> dict[str, float]:
    """Micro precision, recall, F1 (0–1) and support (the number of gold spans)."""
    hits = sum(len(g & p) for g, p in zip(gold, predicted, strict=True))
    return _scores(hits, sum(map(len, predicted)), sum(map(len, gold)))


def span_f1_by_label(
    gold: Sequence[set[Span]], predicted: Sequence[set[Span]]
) -> dict[str, dict[str, float]]:
    """:func:`span_f1` for each label on its own, labels in alphabetical order."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for gold_spans, predicted_spans in zip(gold, predicted, strict=True):
        for *_, label in gold_spans & predicted_spans:
            counts[label][0] += 1
        for *_, label in predicted_spans:
            counts[label][1] += 1
        for *_, label in gold_spans:
            counts[label][2] += 1
    return {label: _scores(*counts[label]) for label in sorted(counts)}


def _scores(hits: int, predicted: int, gold: int) -> dict[str, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    total = precision + recall
    f1 = 2 * precision * recall / total if total else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": gold}
