"""BENCHMARKS.md: the measured numbers beside the targets, judged honestly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from _errors import BenchError
from _report import load_results, render_report, write_report


def _result(db: str, rate: float, **changes: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "benchmark": "pipeline",
        "db": db,
        "rate_offered": rate,
        "warmup_s": 10.0,
        "duration_s": 60.0,
        "customers": 1000,
        "sent": int(rate * 60),
        "answered": int(rate * 60),
        "unanswered_at_end": 0,
        "answered_per_s": rate,
        "answered_within_1s_share": 1.0,
        "latency_ms": {"p50": 4.0, "p95": 9.0, "p99": 20.0, "max": 80.0},
        "backlog": {
            "queue_inbound_slope_per_s": 0.01,
            "queue_outbox_slope_per_s": -0.02,
            "inflight_slope_per_s": 0.0,
            "growing": False,
        },
        "server": {"cpu_percent": 80.0, "rss_peak_mb": 120.0},
        "generator": {"processes": 1, "cpu_percent": 20.0},
        "machine": {"cores": 2, "cpu_model": "Test CPU"},
        "timestamp": "2025-01-02T03:04:05+00:00",
        "git_commit": "abc1234",
    }
    result.update(changes)
    return result


def _row(report: str, db: str, rate: str) -> str:
    return next(line for line in report.splitlines() if line.startswith(f"| {db} | {rate} |"))


def test_a_fast_steady_run_meets_its_target() -> None:
    report = render_report([_result("sqlite", 1000)], "Machine: test.\n")
    row = _row(report, "sqlite", "1,000")
    assert "≥ 99 % answered within 1 s, no growing queue" in row
    assert "| met (100.0% within 1 s, no growing backlog) |" in row


def test_a_growing_backlog_fails_the_target_even_when_replies_are_fast() -> None:
    backlog = {
        "queue_inbound_slope_per_s": 40.0,
        "queue_outbox_slope_per_s": 0.0,
        "inflight_slope_per_s": 39.0,
        "growing": True,
    }
    report = render_report([_result("sqlite", 1000, backlog=backlog)], "")
    row = _row(report, "sqlite", "1,000")
    assert "not met (100.0% within 1 s, growing)" in row
    assert "growing (+40.0/s)" in row


def test_a_slow_p99_fails_and_unanswered_messages_are_shown_as_such() -> None:
    latency = {"p50": 40.0, "p95": 900.0, "p99": None, "max": None}
    result = _result(
        "sqlite",
        500,
        latency_ms=latency,
        unanswered_at_end=29_746,
        counters={"connection_lost": 979},
    )
    row = _row(render_report([result], ""), "sqlite", "500")
    assert "not met (p99 unanswered)" in row
    assert "| unanswered | unanswered | 29,746 (979 connections dropped) |" in row


def test_runs_without_a_target_say_so_and_other_machines_are_flagged() -> None:
    results = [
        _result("postgres", 500),
        _result(
            "sqlite",
            500,
            machine={"cores": 8, "cpu_model": "Big", "other_cpu_percent": 75.0},
            duration_s=10.0,
        ),
    ]
    report = render_report(results, "")
    assert _row(report, "postgres", "500").endswith("| — | — |")
    row = _row(report, "sqlite", "500")
    assert "met (p99 20 ms; target is for 2 cores; other processes used 75 % CPU; short run)" in row
    assert report.index("| sqlite |") < report.index("| postgres |")


def test_the_report_is_written_from_the_results_folder(tmp_path: Path) -> None:
    results = tmp_path / "results"
    results.mkdir()
    (results / "pipeline-sqlite-100.json").write_text(json.dumps(_result("sqlite", 100)))
    target = tmp_path / "BENCHMARKS.md"
    write_report(results, target)
    text = target.read_text()
    assert text.startswith("# Benchmarks")
    assert "Machine: " in text
    assert "| sqlite | 100 |" in text
    assert "Rasa 3.6" in text


def test_a_broken_result_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(BenchError, match=r"broken\.json"):
        load_results(tmp_path)
