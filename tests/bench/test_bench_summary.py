"""The figures of one run: what counts as answered, late, and a growing backlog."""

from __future__ import annotations

import math

from _loadgen import Outcome
from _summary import QueueSample, Window, summarize, timeline

WINDOW = Window(2.0, 22.0)


def _outcome(
    latencies: list[float], rate: float = 10.0, inflight: list[int] | None = None
) -> Outcome:
    scheduled = [i / rate for i in range(len(latencies))]
    return Outcome(
        scheduled=scheduled,
        answered=[s + latency for s, latency in zip(scheduled, latencies, strict=True)],
        lag=[0.001] * len(latencies),
        inflight=inflight if inflight is not None else [1] * 24,
        cpu_s=1.0,
        counters={},
    )


def _steady_queue() -> list[QueueSample]:
    return [QueueSample(float(s), 2.0, 0.0) for s in range(24)]


def test_warm_up_messages_are_not_counted_and_fast_replies_are_in_time() -> None:
    summary = summarize(10.0, WINDOW, [_outcome([0.02] * 240)], _steady_queue())
    assert summary["sent"] == 200
    assert summary["answered"] == 200
    assert summary["answered_within_1s_share"] == 1.0
    assert summary["latency_ms"]["p50"] == 20.0
    assert summary["answered_per_s"] == 10.0
    assert summary["backlog"]["growing"] is False


def test_a_message_never_answered_makes_the_tail_unanswered_not_fast() -> None:
    latencies = [0.02] * 240
    latencies[100] = latencies[101] = math.inf
    summary = summarize(10.0, WINDOW, [_outcome(latencies)], _steady_queue())
    assert summary["unanswered_at_end"] == 2
    assert summary["latency_ms"]["p99"] == 20.0
    assert summary["latency_ms"]["max"] is None
    assert summary["answered_within_1s_share"] == 0.99


def test_late_replies_count_against_the_one_second_share() -> None:
    latencies = [0.02] * 20 + [1.5] * 220
    summary = summarize(10.0, WINDOW, [_outcome(latencies)], _steady_queue())
    assert summary["answered"] == 200
    assert summary["answered_within_1s_share"] == 0.0
    assert summary["latency_ms"]["p50"] == 1500.0


def test_a_queue_that_rises_every_second_is_growing() -> None:
    rising = [QueueSample(float(s), 30.0 * s, 0.0) for s in range(24)]
    summary = summarize(10.0, WINDOW, [_outcome([0.02] * 240)], rising)
    assert summary["backlog"]["queue_inbound_slope_per_s"] == 30.0
    assert summary["backlog"]["growing"] is True


def test_unanswered_messages_piling_up_at_the_generator_are_a_growing_backlog() -> None:
    piling = _outcome([0.02] * 240, inflight=[5 * s for s in range(24)])
    summary = summarize(10.0, WINDOW, [piling], _steady_queue())
    assert summary["backlog"]["inflight_slope_per_s"] == 5.0
    assert summary["backlog"]["growing"] is True


def test_a_window_too_short_to_judge_leaves_the_backlog_unknown() -> None:
    short = Window(1.0, 3.0)
    summary = summarize(10.0, short, [_outcome([0.02] * 30)], _steady_queue())
    assert summary["backlog"]["growing"] is None


def test_two_generator_processes_add_up() -> None:
    outcomes = [_outcome([0.02] * 240, rate=5.0), _outcome([0.04] * 240, rate=5.0)]
    summary = summarize(10.0, Window(2.0, 42.0), outcomes, _steady_queue())
    assert summary["sent"] == 400
    assert summary["latency_ms"]["p50"] == 20.0
    assert summary["latency_ms"]["max"] == 40.0
    seconds = timeline(outcomes, _steady_queue())
    assert seconds[3]["sent"] == 10
    assert seconds[3]["inflight"] == 2
    assert seconds[3]["queue_inbound"] == 2.0
