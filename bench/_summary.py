"""Turn what the generators and the sampler saw into the result record of one run."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _loadgen import Outcome
from _stats import least_squares_slope, percentile, share_at_most

__all__ = ["QueueSample", "Window", "growth_limit", "summarize", "timeline"]

_PERCENTILES = {"p50": 50.0, "p95": 95.0, "p99": 99.0, "max": 100.0}


@dataclass(frozen=True, slots=True)
class Window:
    """The measurement window, in seconds from the start of the schedule."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def __contains__(self, offset: float) -> bool:
        return self.start <= offset < self.end


@dataclass(frozen=True, slots=True)
class QueueSample:
    """The server's queue depths at one moment (seconds from the start); None when unknown."""

    offset: float
    inbound: float | None
    outbox: float | None


_MIN_SAMPLES = 10
"""Fewer seconds than this in the window are too few to tell a growing backlog from noise."""


def growth_limit(rate: float) -> float:
    """Messages per second of backlog growth above which a queue counts as growing."""
    return max(1.0, 0.005 * rate)


def summarize(
    rate: float, window: Window, outcomes: Sequence[Outcome], queue: Sequence[QueueSample]
) -> dict[str, Any]:
    """Throughput, latency and backlog figures of one run (server and machine facts aside)."""
    latencies: list[float] = []
    lags: list[float] = []
    answered_in_window = 0
    for outcome in outcomes:
        for scheduled, answered, lag in zip(
            outcome.scheduled, outcome.answered, outcome.lag, strict=True
        ):
            answered_in_window += answered in window
            if scheduled in window:
                latencies.append(answered - scheduled)
                lags.append(lag)
    latencies.sort()
    lags.sort()
    answered = sum(1 for latency in latencies if latency != math.inf)
    return {
        "sent": len(latencies),
        "answered": answered,
        "unanswered_at_end": len(latencies) - answered,
        "sent_per_s": _round(len(latencies) / window.seconds),
        "answered_per_s": _round(answered_in_window / window.seconds),
        "answered_within_1s_share": round(share_at_most(latencies, 1.0), 5),
        "latency_ms": _latency_ms(latencies),
        "send_lag_p99_ms": _ms(percentile(lags, 99.0)) if lags else None,
        "backlog": _backlog(rate, window, outcomes, queue),
    }


def _latency_ms(latencies: Sequence[float]) -> dict[str, float | None]:
    if not latencies:
        return dict.fromkeys(_PERCENTILES)
    return {name: _ms(percentile(latencies, q)) for name, q in _PERCENTILES.items()}


def _backlog(
    rate: float, window: Window, outcomes: Sequence[Outcome], queue: Sequence[QueueSample]
) -> dict[str, Any]:
    inflight = _summed_inflight(outcomes)
    inflight_points = [(float(s), float(n)) for s, n in enumerate(inflight) if s in window]
    sampled = [sample for sample in queue if sample.offset in window]
    inbound = _slope([(s.offset, s.inbound) for s in sampled])
    outbox = _slope([(s.offset, s.outbox) for s in sampled])
    in_flight = least_squares_slope(inflight_points)
    slopes = [slope for slope in (inbound, outbox, in_flight) if slope is not None]
    judged = len(inflight_points) >= _MIN_SAMPLES and slopes
    return {
        "queue_inbound_slope_per_s": _round(inbound),
        "queue_outbox_slope_per_s": _round(outbox),
        "queue_max_depth": _max_depth(sampled),
        "queue_samples_missed": sum(1 for s in sampled if s.inbound is None or s.outbox is None),
        "inflight_slope_per_s": _round(in_flight),
        "inflight_max": max((n for s, n in enumerate(inflight) if s in window), default=None),
        "growth_limit_per_s": growth_limit(rate),
        "growing": any(slope > growth_limit(rate) for slope in slopes) if judged else None,
    }


def _summed_inflight(outcomes: Sequence[Outcome]) -> list[int]:
    length = max((len(outcome.inflight) for outcome in outcomes), default=0)
    return [
        sum(outcome.inflight[s] for outcome in outcomes if s < len(outcome.inflight))
        for s in range(length)
    ]


def _slope(points: Sequence[tuple[float, float | None]]) -> float | None:
    """The slope over the samples the server answered (a slow /metrics may miss some)."""
    return least_squares_slope([(x, y) for x, y in points if y is not None])


def _max_depth(samples: Sequence[QueueSample]) -> float | None:
    depths = [
        (s.inbound or 0.0) + (s.outbox or 0.0)
        for s in samples
        if s.inbound is not None or s.outbox is not None
    ]
    return max(depths, default=None)


def _ms(seconds: float) -> float | None:
    return None if seconds == math.inf else round(seconds * 1000, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def timeline(outcomes: Sequence[Outcome], queue: Sequence[QueueSample]) -> list[dict[str, Any]]:
    """Per whole second from the start: messages sent, first replies, in flight, queue depths."""
    inflight = _summed_inflight(outcomes)
    seconds = len(inflight)
    sent = [0] * seconds
    answered = [0] * seconds
    for outcome in outcomes:
        for scheduled, first_reply in zip(outcome.scheduled, outcome.answered, strict=True):
            if int(scheduled) < seconds:
                sent[int(scheduled)] += 1
            if first_reply != math.inf and int(first_reply) < seconds:
                answered[int(first_reply)] += 1
    depths = {int(sample.offset): sample for sample in queue}
    return [
        {
            "second": s,
            "sent": sent[s],
            "answered": answered[s],
            "inflight": inflight[s],
            "queue_inbound": getattr(depths.get(s), "inbound", None),
            "queue_outbox": getattr(depths.get(s), "outbox", None),
        }
        for s in range(seconds)
    ]
