"""Facts about the machine, the checkout and a running process, as the results record them."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "REPO",
    "cpu_model",
    "git_commit",
    "now_iso",
    "process_tree",
    "tree_cpu_seconds",
    "tree_peak_rss_bytes",
]

REPO = Path(__file__).resolve().parent.parent
_PROC = Path("/proc")


def now_iso() -> str:
    """The current UTC time, ISO-8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or 'unknown'."""
    try:
        text = (_PROC / "cpuinfo").read_text()
    except OSError:
        return "unknown"
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            return value.strip()
    return "unknown"


def git_commit() -> str:
    """The checked-out commit (short), '+dirty' when the tree has changes; 'none' before one."""
    head = _git("rev-parse", "--short", "HEAD")
    if head is None:
        return "none"
    status = _git("status", "--porcelain", "--untracked-files=no")
    return f"{head}+dirty" if status else head


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip()


def machine_cpu_seconds() -> float:
    """CPU seconds all cores have been busy since boot (all but idle and I/O wait)."""
    fields = (_PROC / "stat").read_text().splitlines()[0].split()
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    busy = user + nice + system + irq + softirq + steal  # guest time is inside user time
    return busy / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants that are alive now."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            parent = _ppid(entry)
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(children.get(current, []))
    return tree


def tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds used so far by ``pid`` and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for member in process_tree(pid):
        fields = _stat_fields(_PROC / str(member))
        if fields is not None:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def tree_peak_rss_bytes(pid: int) -> int:
    """The sum of the peak resident set sizes (VmHWM) of ``pid`` and its descendants."""
    total = 0
    for member in process_tree(pid):
        try:
            status = (_PROC / str(member) / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024
    return total


def _ppid(entry: Path) -> int | None:
    fields = _stat_fields(entry)
    return None if fields is None else int(fields[1])


def _stat_fields(entry: Path) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (so index 0 is the state)."""
    try:
        text = (entry / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()
