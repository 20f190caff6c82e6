"""A tiny pipeline benchmark against the real server: the generator's result is sound."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from _report import render_report

from tests.conftest import require_service

PIPELINE = Path(__file__).resolve().parents[2] / "bench" / "pipeline.py"
RATE, WARMUP, DURATION, CUSTOMERS = 20, 1, 2, 20


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_short_run_answers_every_message_and_writes_a_well_formed_result(
    db: str, tmp_path: Path
) -> None:
    if db == "postgres":
        require_service("PostgreSQL", "127.0.0.1", 5432)
    out = tmp_path / "pipeline-smoke.json"
    command = [sys.executable, str(PIPELINE), "--db", db, "--rate", str(RATE)]
    command += ["--warmup", str(WARMUP), "--duration", str(DURATION)]
    command += ["--customers", str(CUSTOMERS), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr

    result = json.loads(out.read_text())
    assert result["benchmark"] == "pipeline"
    assert result["db"] == db
    assert result["sent"] == RATE * DURATION
    assert result["answered"] == result["sent"]
    assert result["unanswered_at_end"] == 0
    assert result["counters"].get("reply_frames_unmatched", 0) == 0
    assert result["counters"]["reply_frames_missing"] == 0
    assert result["counters"]["accepted"] == RATE * (WARMUP + DURATION)
    latency = result["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
    assert result["answered_within_1s_share"] > 0
    assert result["server"]["rss_peak_mb"] > 0
    assert result["backlog"]["queue_max_depth"] is not None
    assert result["machine"]["cores"] >= 1
    assert result["texts"], "the calibration kept no text"
    assert sum(second["sent"] for second in result["timeline"]) == RATE * (WARMUP + DURATION)

    report = render_report([result], "Machine: test.\n")
    assert f"| {db} | 20 |" in report
