"""Plain numbers from plain data: percentiles, slopes and Prometheus text samples."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

__all__ = ["least_squares_slope", "parse_prometheus", "percentile", "share_at_most"]

_SAMPLE = re.compile(
    r"^(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)"
    r'(?:\{(?P<labels>(?:[^}"]|"(?:[^"\\]|\\.)*")*)\})?'
    r"\s+(?P<value>\S+)(?:\s+-?\d+)?\s*$"
)
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank ``q``-th percentile (0 < q <= 100) of already sorted ``values``.

    ``math.inf`` entries (messages never answered) sort last and may be the result.
    """
    if not values:
        raise ValueError("percentile of no values")
    if not 0 < q <= 100:
        raise ValueError(f"percentile {q} outside (0, 100]")
    rank = math.ceil(q / 100 * len(values))
    return values[max(rank, 1) - 1]


def share_at_most(values: Sequence[float], limit: float) -> float:
    """The share of ``values`` that are at most ``limit``; 0.0 for no values."""
    if not values:
        return 0.0
    return sum(1 for value in values if value <= limit) / len(values)


def least_squares_slope(points: Sequence[tuple[float, float]]) -> float | None:
    """The slope of the least-squares line through ``(x, y)`` points; None below two x values."""
    if len(points) < 2:
        return None
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if spread == 0:
        return None
    return sum((x - mean_x) * (y - mean_y) for x, y in points) / spread


def parse_prometheus(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Samples of the Prometheus text format, keyed by metric name and label set.

    Comment lines and lines that are not samples are skipped: the benchmark reads a few
    gauges and must not fail on a format detail it does not use.
    """
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for line in text.split("\n"):
        match = _SAMPLE.match(line.strip(" \t\r"))
        if match is None:
            continue
        value = _float(match["value"])
        if value is None:
            continue
        samples[(match["name"], _labels(match["labels"] or ""))] = value
    return samples


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _labels(text: str) -> frozenset[tuple[str, str]]:
    pairs = []
    for match in _LABEL.finditer(text):
        value = re.sub(r"\\[\\\"n]", lambda esc: _UNESCAPE[esc[0]], match[2])
        pairs.append((match[1], value))
    return frozenset(pairs)
