"""Doing something every few seconds until the process stops (the watchers' loop)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

__all__ = ["every"]


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
        if not stop.is_set():
            await action()
