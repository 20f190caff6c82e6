"""The webhook benchmark's figures: which Send API call answers which webhook, what a step
measured, and how BENCHMARKS.md judges it against the targets. Synthetic records, no server."""

from __future__ import annotations

import math
from typing import Any

from _report import render_report
from _summary import Window
from _webhook_report import webhooks_section
from _webhook_summary import (
    Posted,
    SendCall,
    first_replies,
    summarize_step,
    sustained_replies_per_s,
)

WINDOW = Window(2.0, 12.0)
ANNA, BEN, CEM = "6100000000000001", "6100000000000002", "6100000000000003"


def _acknowledged(psid: str, due: float, ack_s: float = 0.004) -> Posted:
    return Posted(psid=psid, due=due, acked=due + ack_s, status=200, lag=0.0005)


def _answer(psid: str, at: float) -> list[SendCall]:
    """What the customer sees: seen, typing, then the answer (in that order, as Theke sends)."""
    return [
        SendCall(psid, "sender_action", at - 0.010),
        SendCall(psid, "sender_action", at - 0.008),
        SendCall(psid, "message", at),
    ]


def test_each_webhook_is_answered_by_the_first_message_to_its_customer_after_it() -> None:
    posted = [_acknowledged(ANNA, 1.0), _acknowledged(BEN, 1.5), _acknowledged(ANNA, 7.0)]
    calls = [*_answer(ANNA, 1.020), *_answer(BEN, 1.530), *_answer(ANNA, 7.015)]
    calls.append(SendCall(ANNA, "message", 1.021))  # the second part of Anna's first answer
    assert first_replies(posted, calls) == [1.020, 1.530, 7.015]


def test_seen_and_typing_alone_are_no_answer_and_neither_is_an_earlier_one() -> None:
    posted = [_acknowledged(ANNA, 5.0), _acknowledged(CEM, 5.0)]
    calls = [
        SendCall(ANNA, "message", 4.9),  # the answer to something Anna wrote before
        SendCall(ANNA, "sender_action", 5.01),
        SendCall(CEM, "sender_action", 5.01),
    ]
    assert first_replies(posted, calls) == [math.inf, math.inf]


def _steady_step(rate: float, latency: float) -> tuple[list[Posted], list[SendCall]]:
    """``rate`` webhooks/s for 12 s (2 s warm-up), every one answered ``latency`` s later."""
    posted, calls = [], []
    for i in range(int(rate * 12)):
        psid, due = f"61{i:014d}", i / rate
        posted.append(_acknowledged(psid, due))
        calls.extend(_answer(psid, due + latency))
    return posted, calls


def test_a_step_that_answers_everything_quickly_keeps_up() -> None:
    posted, calls = _steady_step(100, 0.030)
    summary = summarize_step(100, WINDOW, posted, calls)
    assert summary["webhooks"] == 1200
    assert summary["webhooks_measured"] == 1000
    assert summary["acknowledged_per_s"] == 100.0
    assert summary["ack_ms"] == {"p50": 4.0, "p99": 4.0, "max": 4.0}
    assert summary["e2e_ms"]["p99"] == 30.0
    assert summary["replies_per_s"] == 100.0
    assert summary["answered_per_s"] == 100.0
    assert 199.8 <= summary["sender_actions_per_s"] <= 200.0  # seen and typing for each
    assert summary["unanswered"] == 0
    assert summary["errors"] == {}
    assert summary["every_message_answered"] is True
    assert summary["keeps_up"] is True


def test_refused_and_lost_webhooks_are_errors_and_never_fast() -> None:
    posted, calls = _steady_step(100, 0.030)
    posted[500] = Posted(posted[500].psid, posted[500].due, math.inf, 0, 0.0)
    posted[501] = Posted(posted[501].psid, posted[501].due, posted[501].due + 0.002, 503, 0.0)
    posted[100] = Posted(posted[100].psid, posted[100].due, math.inf, 0, 0.0)  # in the warm-up
    calls = [c for c in calls if c.psid not in {posted[500].psid, posted[501].psid}]
    summary = summarize_step(100, WINDOW, posted, calls)
    assert summary["errors"] == {"HTTP 503": 1, "no answer": 2}
    assert summary["unanswered"] == 2
    assert summary["ack_ms"]["max"] is None
    assert summary["e2e_ms"]["max"] is None
    assert summary["every_message_answered"] is False
    assert summary["keeps_up"] is False


def test_answers_that_come_but_come_late_do_not_keep_up_and_are_not_sustained() -> None:
    fast = summarize_step(100, WINDOW, *_steady_step(100, 0.030))
    slow = summarize_step(200, WINDOW, *_steady_step(200, 1.5))
    assert slow["every_message_answered"] is True
    assert slow["e2e_ms"]["p50"] == 1500.0
    assert slow["keeps_up"] is False
    assert sustained_replies_per_s([fast, slow]) == 100.0
    assert sustained_replies_per_s([slow]) is None


def _result(steps: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    for step in steps:
        step.setdefault("cpu", {"server_percent": 90.0, "generator_percent": 3.0})
        step["cpu"].setdefault("sink_percent", 2.0)
        step["cpu"].setdefault("other_percent", 1.0)
    result: dict[str, Any] = {
        "benchmark": "webhooks",
        "db": "sqlite",
        "warmup_s": 10.0,
        "duration_s": 30.0,
        "drain_s": 10.0,
        "customers": 5000,
        "send_api_rate_limit": 100000.0,
        "steps": steps,
        "stopped": None,
        "sustained_replies_per_s": sustained_replies_per_s(steps),
        "environment": {"httpx": "0.28.1", "sniffio": None},
        "machine": {"cores": 2, "cpu_model": "Test CPU"},
        "timestamp": "2026-11-24T01:00:00+00:00",
        "git_commit": "abc1234",
    }
    result.update(changes)
    return result


def _verdict(section: str, goal_start: str) -> str:
    return next(line for line in section.splitlines() if line.startswith(f"| {goal_start}"))


def test_a_ramp_that_meets_every_target_says_met_with_the_figures() -> None:
    steps = [summarize_step(r, WINDOW, *_steady_step(r, 0.030)) for r in (300.0, 500.0, 700.0)]
    section = webhooks_section([_result(steps)])
    assert (
        "| 300 | 300.0 | 4.0 / 4.0 / 4.0 | 300.0 | 30.0 / 30.0 / 30.0 | 300.0 | 0 | 0 | yes |"
        in (section)
    )
    assert "met (p99 4.0 ms)" in _verdict(section, "p99 acknowledgement ≤ 20 ms")
    assert "| met (700 replies/s) |" in _verdict(section, "≥ 600 replies/s")
    assert "| met (p99 30.0 ms) |" in _verdict(section, "end-to-end p99 ≤ 50 ms")
    assert "THEKE_MESSENGER_RATE=100000" in section
    assert "sniffio not installed" in section


def test_a_ramp_that_stopped_early_fails_the_targets_it_never_reached() -> None:
    steps = [
        summarize_step(100, WINDOW, *_steady_step(100, 0.030)),
        summarize_step(200, WINDOW, *_steady_step(200, 1.5)),
    ]
    steps[1]["cpu"] = {"server_percent": 97.0, "generator_percent": 4.0, "other_percent": 75.0}
    stopped = "2 unanswered at 200/s; not run: 300, 500"
    section = webhooks_section([_result(steps, stopped=stopped, duration_s=10.0)])
    assert f"Stopped: {stopped}." in section
    ack = _verdict(section, "p99 acknowledgement ≤ 20 ms")
    assert (
        "not met (500/s not run: the ramp stopped at 200/s; other processes used 75 % CPU; "
        "short run)" in ack
    )
    assert "not met (100 replies/s; short run)" in _verdict(section, "≥ 600 replies/s")
    assert "| 200 | 200.0 |" in section
    assert "| no |" in section


def test_the_report_keeps_its_other_sections_and_adds_the_webhooks() -> None:
    steps = [summarize_step(100, WINDOW, *_steady_step(100, 0.030))]
    report = render_report([_result(steps)], "Machine: test.\n")
    assert report.index("## Pipeline") < report.index("## Messenger webhooks")
    assert "Results of unknown benchmarks" not in report
    assert "## Messenger webhooks" not in render_report([], "Machine: test.\n")
