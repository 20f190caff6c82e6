"""What of a bot folder the running bot reads: its files' sizes and modification times.

A change of the signature means an owner saved a file; the catalog is not in
it (after the first import the database holds the catalog), nor are the
conversation tests or the bot's own ``.theke`` data.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["WATCHED", "signature"]

WATCHED = ("theke.yml", "actions.py", "responses", "nlu", "flows", "knowledge")

Signature = tuple[tuple[str, int, int], ...]


def signature(folder: Path) -> Signature:
    """(path, size, mtime in ns) of every watched file, sorted; missing files leave no entry."""
    entries: list[tuple[str, int, int]] = []
    for name in WATCHED:
        path = folder / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            if file.is_file():
                entries.append((str(file.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
    return tuple(entries)
