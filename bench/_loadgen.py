"""One load-generator process: sends its customers' messages on a fixed schedule, times replies.

Open loop: every message has a scheduled time, fixed before the run, and is sent then whether
or not earlier ones were answered. Latency counts from the scheduled time, so a generator or
server that falls behind cannot hide its delay (no coordinated omission).

A reply is matched to its customer's oldest message that still expects replies; each message
expects as many bot frames as the calibration saw for its text, and the first one is its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from _errors import BenchError
from _webchat import decode_frame, open_customer
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

__all__ = ["Outcome", "Plan", "run_process"]

_CONNECT_CONCURRENCY = 64
_GRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class Plan:
    """What one generator process does; offsets are seconds from the common start."""

    ws_url: str
    origin: str
    tokens: tuple[str, ...]
    texts: tuple[str, ...]
    replies: tuple[int, ...]
    """Bot frames each text is answered with, by text index (from the calibration)."""
    sends: tuple[tuple[float, int, int], ...]
    """(offset, customer index into ``tokens``, text index), in offset order."""
    window: tuple[float, float]
    """The measurement window (start, end), for the process's own CPU use."""
    drain_s: float


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one generator process saw; ``answered`` is ``math.inf`` for a message never answered."""

    scheduled: list[float]
    answered: list[float]
    lag: list[float]
    inflight: list[int]
    """Sent but unanswered messages at each whole second from the start."""
    cpu_s: float
    """CPU seconds the process used inside the measurement window."""
    counters: dict[str, int]


def run_process(plan: Plan, conn: Connection) -> None:
    """Process entry point: connect, report ready, wait for the start time, run, report."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(plan, conn))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional speed-up, installed with uvicorn[standard]
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(plan: Plan, conn: Connection) -> None:
    try:
        sockets = await _connect_all(plan)
    except BenchError as exc:
        conn.send(("failed", str(exc)))
        return
    generator = _Generator(plan, sockets)
    readers = generator.start_readers()
    conn.send(("ready", None))
    start: float = await asyncio.to_thread(conn.recv)
    outcome = await generator.run(start)
    for reader in readers:
        reader.cancel()
    conn.send(("done", outcome))


async def _connect_all(plan: Plan) -> list[ClientConnection]:
    limit = asyncio.Semaphore(_CONNECT_CONCURRENCY)

    async def one(token: str) -> ClientConnection:
        async with limit:
            return await open_customer(plan.ws_url, plan.origin, token)

    return list(await asyncio.gather(*(one(token) for token in plan.tokens)))


class _Generator:
    """Sends on schedule and matches replies; all state lives in this one event loop."""

    def __init__(self, plan: Plan, sockets: list[ClientConnection]) -> None:
        self._plan = plan
        self._sockets = sockets
        self._start = math.inf
        count = len(plan.sends)
        self._answered = [math.inf] * count
        self._lag = [0.0] * count
        self._pending: list[deque[list[int]]] = [deque() for _ in sockets]
        self._sent_any = [False] * len(sockets)
        self._fired = 0
        self._answered_count = 0
        self._closing = False
        self._sending_done = False
        self._all_answered = asyncio.Event()
        self._counters: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    def start_readers(self) -> list[asyncio.Task[None]]:
        """Read every socket from now on (history and pings arrive before the start)."""
        return [
            asyncio.create_task(self._read(customer, ws))
            for customer, ws in enumerate(self._sockets)
        ]

    async def run(self, start: float) -> Outcome:
        """Send everything on schedule from ``start`` (a ``time.monotonic`` value), then drain."""
        self._start = start
        inflight: list[int] = []
        sampler = self._spawn(self._sample_inflight(inflight))
        cpu = asyncio.create_task(self._window_cpu())
        await self._send_all()
        await self._drain()
        sampler.cancel()
        cpu_s = await cpu
        await self._close_all()
        return Outcome(
            scheduled=[offset for offset, _, _ in self._plan.sends],
            answered=self._answered,
            lag=self._lag,
            inflight=inflight,
            cpu_s=cpu_s,
            counters=dict(self._counters),
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _send_all(self) -> None:
        for index, (offset, customer, text) in enumerate(self._plan.sends):
            due = self._start + offset
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            # A conversation's first answer also carries the bot's introduction.
            intro = 0 if self._sent_any[customer] else 1
            self._pending[customer].append([index, self._plan.replies[text] + intro])
            self._sent_any[customer] = True
            self._fired += 1
            frame = {"type": "send", "text": self._plan.texts[text], "client_id": f"b{index}"}
            self._spawn(self._send(index, due, customer, json.dumps(frame, ensure_ascii=False)))

    async def _send(self, index: int, due: float, customer: int, frame: str) -> None:
        self._lag[index] = time.monotonic() - due
        try:
            await self._sockets[customer].send(frame)
        except ConnectionClosed:
            self._counters["send_failed"] += 1

    async def _drain(self) -> None:
        last = self._plan.sends[-1][0] if self._plan.sends else 0.0
        deadline = self._start + last + self._plan.drain_s
        self._sending_done = True
        self._check_all_answered()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, deadline - time.monotonic())):
                await self._all_answered.wait()
        await asyncio.sleep(_GRACE_S)
        self._counters["unanswered"] = self._fired - self._answered_count
        self._counters["reply_frames_missing"] = sum(
            entry[1]
            for queue in self._pending
            for entry in queue
            if self._answered[entry[0]] != math.inf
        )

    def _check_all_answered(self) -> None:
        if self._sending_done and self._answered_count == self._fired:
            self._all_answered.set()

    async def _close_all(self) -> None:
        self._closing = True
        await asyncio.gather(*(ws.close() for ws in self._sockets), return_exceptions=True)

    async def _sample_inflight(self, samples: list[int]) -> None:
        second = 0
        while True:
            await asyncio.sleep(max(0.0, self._start + second - time.monotonic()))
            samples.append(self._fired - self._answered_count)
            second += 1

    async def _window_cpu(self) -> float:
        start, end = self._plan.window
        await asyncio.sleep(max(0.0, self._start + start - time.monotonic()))
        before = time.process_time()
        await asyncio.sleep(max(0.0, self._start + end - time.monotonic()))
        return time.process_time() - before

    async def _read(self, customer: int, ws: ClientConnection) -> None:
        try:
            async for raw in ws:
                self._on_frame(customer, decode_frame(raw))
        except ConnectionClosed as exc:
            if not self._closing:
                code = exc.rcvd.code if exc.rcvd is not None else "none"
                self._counters["connection_lost"] += 1
                self._counters[f"connection_lost_code_{code}"] += 1
        except BenchError:
            self._counters["bad_frames"] += 1

    def _on_frame(self, customer: int, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "message":
            self._on_message(customer, frame.get("message") or {})
        elif kind == "accepted":
            self._counters["accepted"] += 1
        elif kind == "error":
            self._counters[f"error_{frame.get('code')}"] += 1

    def _on_message(self, customer: int, message: dict[str, Any]) -> None:
        sender = message.get("from")
        if sender == "customer":
            self._counters["echoes"] += 1
        elif sender != "bot":
            self._counters[f"messages_from_{sender}"] += 1
        elif (message.get("content") or {}).get("type") == "typing":
            self._counters["typing"] += 1
        else:
            self._on_reply(customer)

    def _on_reply(self, customer: int) -> None:
        self._counters["replies"] += 1
        queue = self._pending[customer]
        if not queue:
            key = "reply_frames_unmatched" if self._sent_any[customer] else "greetings"
            self._counters[key] += 1
            return
        entry = queue[0]
        if self._answered[entry[0]] == math.inf:
            self._answered[entry[0]] = time.monotonic() - self._start
            self._answered_count += 1
            self._check_all_answered()
        entry[1] -= 1
        if entry[1] <= 0:
            queue.popleft()
