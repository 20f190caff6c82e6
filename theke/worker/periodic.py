"""Doing something every few seconds until the process stops (the watchers' loop).

An action that fails (the database restarting, say) is logged and tried again at the
next tick: a watcher never takes the process down."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

__all__ = ["every"]

_log = structlog.get_logger("theke.worker.periodic")


async def every(
    interval: float, stop: asyncio.Event, action: Callable[[], Awaitable[object]]
) -> None:
    """Run ``action`` every ``interval`` seconds until ``stop`` is set (never when the
    interval is 0 or less)."""
    if interval <= 0:
        return
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            await action()
        except Exception:  # logged, and tried again at the next tick
            _log.exception(
                "theke.worker.periodic.failed", action=getattr(action, "__qualname__", "?")
            )
