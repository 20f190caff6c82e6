"""The worker loops: turns, delivery and jobs, each woken by signals or a poll timer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import structlog

from theke.store.signals import LocalSignals
from theke.worker.dispatcher import Dispatcher
from theke.worker.jobs import JobRunner
from theke.worker.turns import TurnRunner

__all__ = ["WorkerLoops"]

_log = structlog.get_logger("theke.worker.loops")


class WorkerLoops:
    """Runs the loops until ``stop`` is set.

    Several turn runners (each with its own lease owner) overlap one batch's
    bot work and reads with another batch's commit on the database thread.
    """

    def __init__(
        self,
        turns: Sequence[TurnRunner],
        dispatcher: Dispatcher,
        jobs: JobRunner,
        signals: LocalSignals,
        *,
        poll_interval: float = 0.5,
        watchers: Sequence[Callable[[asyncio.Event], Awaitable[None]]] = (),
        steps: Sequence[tuple[str, Callable[[], Awaitable[int]]]] = (),
    ) -> None:
        self._watchers = watchers
        self._steps = steps
        self._turns = turns
        self._dispatcher = dispatcher
        self._jobs = jobs
        self._signals = signals
        self._poll = poll_interval

    async def run(self, stop: asyncio.Event) -> None:
        loops = [
            *(self._loop("inbound", runner.run_once, stop, self._poll) for runner in self._turns),
            self._loop("outbox", self._dispatcher.run_once, stop, self._poll),
            self._loop("jobs", self._jobs.run_once, stop, max(self._poll, 1.0)),
            *(self._loop(topic, step, stop, max(self._poll, 1.0)) for topic, step in self._steps),
            *(watch(stop) for watch in self._watchers),
        ]
        await asyncio.gather(*loops)

    async def _loop(
        self,
        topic: str,
        step: Callable[[], Awaitable[int]],
        stop: asyncio.Event,
        interval: float,
    ) -> None:
        failures = 0
        while not stop.is_set():
            async with self._signals.listen(topic) as woken:
                try:
                    done = await step()
                    failures = 0
                except Exception:  # the loop survives a database outage and retries
                    failures += 1
                    _log.exception("theke.worker.loops.step_failed", loop=topic)
                    done = 0
                    await _sleep_or_stop(stop, min(30.0, 0.5 * 2**failures))
                if done:
                    continue
                await _wait_any(woken, stop, interval)


async def _wait_any(woken: asyncio.Event, stop: asyncio.Event, seconds: float) -> None:
    waiters = [asyncio.ensure_future(woken.wait()), asyncio.ensure_future(stop.wait())]
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await waiter


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
