"""A recording Send API on loopback, fast enough that the server under test is the bottleneck.

``theke.testing.graph_api.GraphApi`` is a threaded stdlib server, built to check what our
calls say; it manages a few hundred calls a second. At 800 webhooks/s Theke makes about
three Send API calls per webhook (``mark_seen``, ``typing_on``, the answer), so this sink is
a bare ``asyncio`` protocol in its own process: it reads HTTP/1.1 requests with a
``Content-Length`` (what httpx sends), answers ``POST /{version}/{page_id}/messages`` as
Meta does — ``{"recipient_id": ..., "message_id": "m_..."}`` for a message, only the
``recipient_id`` for a sender action — and records who got what, when.

The time of a call is ``time.monotonic()`` when its request was complete; on Linux that is
CLOCK_MONOTONIC, one clock for every process on the machine, so the benchmark compares it
with the times its generator processes took.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import time
from collections.abc import AsyncIterator, Callable
from multiprocessing.connection import Connection
from typing import Any, cast

from _errors import BenchError
from _webhook_summary import SendCall

__all__ = ["GraphSink", "graph_sink"]

_VERSION = "v25.0"
_READY_TIMEOUT_S = 30.0
_STOP_TIMEOUT_S = 5.0
_HEAD_END = b"\r\n\r\n"


class GraphSink:
    """The parent's handle on the sink process: its URL, its pid, and its records so far."""

    def __init__(self, port: int, pid: int, conn: Connection) -> None:
        self.base_url = f"http://127.0.0.1:{port}/{_VERSION}"
        self.pid = pid
        self._conn = conn
        self._lock = asyncio.Lock()

    async def take(self) -> list[SendCall]:
        """The calls recorded since the last ``take`` (small when taken every second), with
        ``at`` the ``time.monotonic()`` when each request had arrived in full."""
        async with self._lock:
            await asyncio.to_thread(self._conn.send, "take")
            raw: list[tuple[str, str, float]] = await asyncio.to_thread(self._conn.recv)
        return [SendCall(psid, kind, at) for psid, kind, at in raw]


@contextlib.asynccontextmanager
async def graph_sink(page_id: str, token: str) -> AsyncIterator[GraphSink]:
    """Run the sink for ``page_id`` (calls must carry ``token``) in its own process."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_run, args=(theirs, page_id, token), daemon=True)
    process.start()
    try:
        ready = await asyncio.to_thread(ours.poll, _READY_TIMEOUT_S)
        if not ready or process.pid is None:
            raise BenchError("the Send API sink did not start")
        port: int = ours.recv()
        yield GraphSink(port, process.pid, ours)
    finally:
        with contextlib.suppress(OSError):
            ours.send("stop")
        await asyncio.to_thread(process.join, _STOP_TIMEOUT_S)
        if process.is_alive():
            process.terminate()


def _run(conn: Connection, page_id: str, token: str) -> None:
    """Process entry point: serve until the parent says stop."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_serve(conn, page_id, token))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop  # optional speed-up, installed with uvicorn[standard]
    except ImportError:
        return None
    return uvloop.new_event_loop


async def _serve(conn: Connection, page_id: str, token: str) -> None:
    records: list[tuple[str, str, float]] = []
    api = _SendApi(page_id, token, records)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: _Connection(api), "127.0.0.1", 0, backlog=2048)
    conn.send(server.sockets[0].getsockname()[1])
    while await asyncio.to_thread(_receive, conn) == "take":
        taken, records[:] = records[:], []
        conn.send(taken)
    server.close()


def _receive(conn: Connection) -> str:
    try:
        command: str = conn.recv()
    except EOFError:
        return "stop"
    return command


class _SendApi:
    """What the sink answers, and the records it keeps."""

    def __init__(self, page_id: str, token: str, records: list[tuple[str, str, float]]) -> None:
        self._path = f"/{_VERSION}/{page_id}/messages"
        self._authorization = f"Bearer {token}"
        self._records = records
        self._next_id = 0

    def answer(self, head: str, headers: dict[str, str], body: bytes, at: float) -> bytes:
        method, _, rest = head.partition(" ")
        path = rest.partition(" ")[0].partition("?")[0]
        if method != "POST" or path != self._path:
            return _error(404, 100, f"Unknown path components: {path}")
        if headers.get("authorization") != self._authorization:
            return _error(401, 190, "Invalid OAuth access token.")
        try:
            call = json.loads(body)
            psid = str(call["recipient"]["id"])
        except (ValueError, KeyError, TypeError):
            return _error(400, 100, "Invalid parameter")
        kind = "message" if "message" in call else "sender_action"
        self._records.append((psid, kind, at))
        if kind == "sender_action":
            return _ok({"recipient_id": psid})
        self._next_id += 1
        return _ok({"recipient_id": psid, "message_id": f"m_bench{self._next_id}"})


class _Connection(asyncio.Protocol):
    """One keep-alive connection: requests in, answers out, in order."""

    def __init__(self, api: _SendApi) -> None:
        self._api = api
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        at = time.monotonic()
        self._buffer += data
        while self._transport is not None and not self._transport.is_closing():
            end = self._buffer.find(_HEAD_END)
            if end < 0:
                return
            lines = self._buffer[:end].decode("latin-1").split("\r\n")
            headers = _headers(lines[1:])
            length = headers.get("content-length", "0")
            if not length.isdigit():
                self._reply(_error(411, 100, "Content-Length required"), close=True)
                return
            total = end + len(_HEAD_END) + int(length)
            if len(self._buffer) < total:
                return
            body = bytes(self._buffer[end + len(_HEAD_END) : total])
            del self._buffer[:total]
            close = headers.get("connection", "").lower() == "close"
            self._reply(self._api.answer(lines[0], headers, body, at), close=close)

    def _reply(self, response: bytes, *, close: bool) -> None:
        if self._transport is None:
            return
        self._transport.write(response)
        if close:
            self._transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None


def _headers(lines: list[str]) -> dict[str, str]:
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return headers


def _ok(body: dict[str, Any]) -> bytes:
    return _response(200, "OK", body)


def _error(status: int, code: int, message: str) -> bytes:
    body = {"error": {"message": message, "type": "OAuthException", "code": code}}
    return _response(status, "Error", body)


def _response(status: int, reason: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=UTF-8\r\n"
        f"content-length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload
