"""One webhook generator process: posts signed Messenger webhooks on a fixed schedule.

Open loop: every webhook has a due time fixed before the step and is posted then, whether
or not earlier ones were acknowledged; a POST that has to wait for a free connection, or
for the generator's event loop, waits on the clock of its due time. Each body is what Meta
posts (``theke.testing.meta_webhooks.messenger_text``, one message, a unique mid), signed
with the app secret in ``X-Hub-Signature-256``.

The client is a few lines of HTTP/1.1 over keep-alive ``asyncio`` streams, not httpx: the
generator shares the two cores with the server, and every millisecond of CPU it spends is
one the server does not get. A connection the server closed while idle is retried once on a
new one; a retried webhook is harmless, since Theke stores a redelivered mid once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from _webhook_summary import Posted

from theke.testing.meta_webhooks import messenger_text, sign

__all__ = ["LoadOutcome", "LoadPlan", "run_generator"]

_HEAD_END = b"\r\n\r\n"
_PATH = "/webhooks/messenger"


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """What one generator process posts in one step; offsets are seconds from the start."""

    host: str
    port: int
    page_id: str
    app_secret: str
    mid_prefix: str
    psids: tuple[str, ...]
    texts: tuple[str, ...]
    sends: tuple[tuple[float, int, int], ...]
    """(offset, index into ``psids``, index into ``texts``), in offset order."""
    window: tuple[float, float]
    """The measured window (start, end), for the process's own CPU use."""
    connections: int
    """At most this many POSTs in flight; later ones wait (and their wait counts)."""
    timeout_s: float


@dataclass(slots=True)
class LoadOutcome:
    """What one generator process saw."""

    posted: list[Posted]
    cpu_s: float
    """CPU seconds the process used inside the measured window."""
    counters: dict[str, int] = field(default_factory=dict)


def run_generator(plan: LoadPlan, conn: Connection) -> None:
    """Process entry point: report ready, wait for the start time, post, report."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        try:
            conn.send(("ready", None))
            start: float = conn.recv()
            conn.send(("done", runner.run(_Generator(plan).run(start))))
        except (OSError, ValueError) as exc:
            conn.send(("failed", f"{type(exc).__name__}: {exc}"))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional speed-up, installed with uvicorn[standard]
    except ImportError:
        return None
    return uvloop.new_event_loop


class _Generator:
    """Posts on schedule; all state lives in this one event loop."""

    def __init__(self, plan: LoadPlan) -> None:
        self._plan = plan
        self._pool = _Pool(plan.host, plan.port, plan.connections)
        self._start = math.inf
        self._posted: list[Posted | None] = [None] * len(plan.sends)
        self._counters: Counter[str] = Counter()
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, start: float) -> LoadOutcome:
        """Post everything on schedule from ``start`` (a ``time.monotonic`` value)."""
        self._start = start
        cpu = asyncio.create_task(self._window_cpu())
        for index, (offset, customer, text) in enumerate(self._plan.sends):
            delay = start + offset - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self._spawn(self._post(index, offset, customer, text))
        while self._tasks:
            await asyncio.gather(*self._tasks)
        cpu_s = await cpu
        self._pool.close()
        self._counters["connections_opened"] = self._pool.opened
        posted = [webhook for webhook in self._posted if webhook is not None]
        return LoadOutcome(posted, cpu_s, dict(self._counters))

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, index: int, offset: float, customer: int, text: int) -> None:
        lag = time.monotonic() - self._start - offset
        psid = self._plan.psids[customer]
        request = self._request(f"{self._plan.mid_prefix}{index}", psid, self._plan.texts[text])
        status = 0
        try:
            async with asyncio.timeout(self._plan.timeout_s):
                status = await self._pool.post(request)
        except TimeoutError:
            self._counters["timeouts"] += 1
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            self._counters[f"failed_{type(exc).__name__}"] += 1
        acked = time.monotonic() - self._start if status else math.inf
        self._posted[index] = Posted(psid, offset, acked, status, lag)

    def _request(self, mid: str, psid: str, text: str) -> bytes:
        event = messenger_text(self._plan.page_id, psid, text, mid=mid)
        body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
        head = (
            f"POST {_PATH} HTTP/1.1\r\nhost: {self._plan.host}:{self._plan.port}\r\n"
            f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
            f"x-hub-signature-256: {sign(body, self._plan.app_secret)}\r\n\r\n"
        )
        return head.encode() + body

    async def _window_cpu(self) -> float:
        start, end = self._plan.window
        await asyncio.sleep(max(0.0, self._start + start - time.monotonic()))
        before = time.process_time()
        await asyncio.sleep(max(0.0, self._start + end - time.monotonic()))
        return time.process_time() - before


_Stream = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class _Pool:
    """Keep-alive connections to the server, at most ``limit`` busy at once."""

    def __init__(self, host: str, port: int, limit: int) -> None:
        self._host = host
        self._port = port
        self._idle: list[_Stream] = []
        self._slots = asyncio.Semaphore(limit)
        self.opened = 0

    async def post(self, request: bytes) -> int:
        """Send ``request`` and read the answer; its HTTP status."""
        async with self._slots:
            reused = bool(self._idle)
            stream = self._idle.pop() if reused else await self._open()
            try:
                status, keep = await _exchange(stream, request)
            except (OSError, asyncio.IncompleteReadError):
                stream[1].close()
                if not reused:
                    raise
                stream = await self._open()  # the server had closed it while idle
                status, keep = await self._exchange_or_close(stream, request)
            except BaseException:  # the timeout: its answer would come to no one
                stream[1].close()
                raise
            if keep:
                self._idle.append(stream)
            else:
                stream[1].close()
            return status

    @staticmethod
    async def _exchange_or_close(stream: _Stream, request: bytes) -> tuple[int, bool]:
        try:
            return await _exchange(stream, request)
        except BaseException:
            stream[1].close()
            raise

    async def _open(self) -> _Stream:
        self.opened += 1
        return await asyncio.open_connection(self._host, self._port)

    def close(self) -> None:
        for _, writer in self._idle:
            with contextlib.suppress(OSError):
                writer.close()
        self._idle.clear()


async def _exchange(stream: _Stream, request: bytes) -> tuple[int, bool]:
    """One request and its answer on ``stream``: the status, and whether it stays open."""
    reader, writer = stream
    writer.write(request)
    head = await reader.readuntil(_HEAD_END)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip().lower()
    if "chunked" in headers.get("transfer-encoding", ""):
        return status, False  # not read: the connection is dropped instead
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, headers.get("connection") != "close"
