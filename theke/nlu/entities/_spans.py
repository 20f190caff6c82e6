"""Overlap resolution: of entities competing for the same characters, keep the best."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import TypeVar

from theke.nlu.result import Entity

__all__ = ["longest_first", "non_overlapping"]

_T = TypeVar("_T")


def longest_first(
    entities: Iterable[Entity], rank: Callable[[Entity], int] = lambda _: 0
) -> list[Entity]:
    """The entities that survive overlaps, in text order.

    Longer spans win; on equal length the higher ``rank`` wins, then the higher
    confidence, then the earlier start.
    """
    ordered = sorted(entities, key=lambda e: (e.start - e.end, -rank(e), -e.confidence, e.start))
    return non_overlapping(ordered, lambda e: (e.start, e.end))


def non_overlapping(preferred: Iterable[_T], span: Callable[[_T], tuple[int, int]]) -> list[_T]:
    """Items taken in order of preference, each only if it overlaps none taken before.

    The result is in text order. Kept spans are disjoint, so the two neighbours
    found by bisection are the only ones that can overlap a new span.
    """
    starts: list[int] = []
    ends: list[int] = []
    kept: list[_T] = []
    for item in preferred:
        start, end = span(item)
        index = bisect_right(starts, start)
        if index > 0 and ends[index - 1] > start:
            continue
        if index < len(starts) and starts[index] < end:
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        kept.insert(index, item)
    return kept
