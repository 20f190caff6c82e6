"""Make the benchmark's modules (plain scripts in bench/) importable by these tests."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"

if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
