"""Run every benchmark, keep its JSON in bench/results/, regenerate BENCHMARKS.md.

python bench/run_all.py            # the full set: 10 s warm-up + 60 s each (webhooks: 30 s a step)
python bench/run_all.py --quick    # the same set, 2 s warm-up + 10 s each
python bench/run_all.py --report   # only regenerate BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from _errors import BenchError
from _machine import REPO
from _report import write_report

__all__ = ["RUNS", "Run", "main"]

RESULTS = REPO / "bench" / "results"
REPORT = REPO / "BENCHMARKS.md"
_PIPELINE = REPO / "bench" / "pipeline.py"
_STORE = REPO / "bench" / "store_sqlite.py"
_WEBHOOKS = REPO / "bench" / "webhooks.py"
_POSTGRES = ("127.0.0.1", 5432)
_CONVERSATION: tuple[tuple[str, list[str]], ...] = (
    ("turn.py", ["--turns", "2000"]),
    ("catalog_search.py", ["--products", "20000"]),
    ("knowledge.py", []),
    ("recommend.py", ["--customers", "1000"]),
    ("inbox.py", ["--quick"]),
)
"""The in-process benchmarks of conversations (script, arguments for --quick)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One pipeline benchmark: database and offered messages per second."""

    db: str
    rate: int


RUNS = (
    Run("sqlite", 100),
    Run("sqlite", 500),
    Run("sqlite", 1000),
    Run("postgres", 500),
    Run("postgres", 1000),
)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and write the report; 1 when a run failed (the report is written)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="2 s warm-up + 10 s per run")
    parser.add_argument("--report", action="store_true", help="only regenerate BENCHMARKS.md")
    args = parser.parse_args(argv)
    failed = [] if args.report else _run_all(quick=args.quick)
    try:
        write_report(RESULTS, REPORT)
    except BenchError as exc:
        print(f"run_all: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {REPORT.relative_to(REPO)}")
    if failed:
        print(f"run_all: failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _run_all(*, quick: bool) -> list[str]:
    warmup, duration = ("2", "10") if quick else ("10", "60")
    failed = []
    for run in RUNS:
        name = f"{run.db} at {run.rate}/s"
        if run.db == "postgres" and not _postgres_up():
            print(f"run_all: skipped {name}: no PostgreSQL at {_POSTGRES[0]}:{_POSTGRES[1]}")
            continue
        print(f"run_all: {name}", flush=True)
        command = [sys.executable, str(_PIPELINE), "--db", run.db, "--rate", str(run.rate)]
        command += ["--warmup", warmup, "--duration", duration]
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
    print("run_all: Messenger webhooks, sqlite, rising rates", flush=True)
    webhooks = [sys.executable, str(_WEBHOOKS)] + (["--quick"] if quick else [])
    if subprocess.run(webhooks, check=False).returncode != 0:
        failed.append("webhooks")
    print("run_all: SQLite access (async driver against writer thread)", flush=True)
    store = [sys.executable, str(_STORE)] + (["--seconds", "2"] if quick else [])
    if subprocess.run(store, check=False).returncode != 0:
        failed.append("store_sqlite")
    for script, quick_args in _CONVERSATION:
        print(f"run_all: {script}", flush=True)
        command = [sys.executable, str(REPO / "bench" / script), *(quick_args if quick else [])]
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script)
    return failed


def _postgres_up() -> bool:
    try:
        with socket.create_connection(_POSTGRES, timeout=1.0):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(main())
