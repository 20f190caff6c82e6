"""Courtesies to the customer — seen, typing, a tap's spinner stopped — that may be skipped.

They go out after the webhook's 200, as tasks of their own, so the platform's connection
is free at once. They are a nicety, never a duty: under load, when ``limit`` of them are
still on their way, new ones are skipped (and counted) rather than queued, so they never
slow down the answers themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import structlog

__all__ = ["Courtesies"]

_log = structlog.get_logger("theke.channels.courtesy")


class Courtesies:
    """At most ``limit`` courtesy calls in flight per process; the rest are skipped."""

    def __init__(self, limit: int = 32) -> None:
        self._limit = limit
        self._tasks: set[asyncio.Task[Any]] = set()
        self.skipped = 0

    def start(self, call: Callable[..., Awaitable[Any]], *args: Any) -> bool:
        """Start ``call(*args)`` unless too many are on their way; whether it started."""
        if len(self._tasks) >= self._limit:
            self.skipped += 1
            return False
        task = asyncio.create_task(self._run(call, *args))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return True

    async def drain(self) -> None:
        """Wait for the courtesies on their way (tests, and a clean shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @staticmethod
    async def _run(call: Callable[..., Awaitable[Any]], *args: Any) -> None:
        try:
            await call(*args)
        except Exception:  # a courtesy that fails is logged; the answer goes out anyway
            _log.exception("theke.channels.courtesy.failed")
