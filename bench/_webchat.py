"""The client side of the webchat API that the benchmark needs: sessions and WebSockets."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from _errors import BenchError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException
from websockets.typing import Origin

__all__ = [
    "create_sessions",
    "decode_frame",
    "open_customer",
    "origin_of",
    "send_frame",
    "ws_url_of",
]

_SESSION_CONCURRENCY = 32
_HELLO_TIMEOUT_S = 30.0


def origin_of(base_url: str) -> str:
    """The server's own origin, which the widget would send."""
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def ws_url_of(base_url: str) -> str:
    """The WebSocket endpoint of the webchat API under ``base_url``."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}/webchat/ws"


async def create_sessions(base_url: str, count: int) -> list[str]:
    """Open ``count`` webchat sessions and return their tokens."""
    limit = asyncio.Semaphore(_SESSION_CONCURRENCY)
    headers = {"Origin": origin_of(base_url)}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, trust_env=False) as client:

        async def one() -> str:
            async with limit:
                return await _create_session(client)

        return list(await asyncio.gather(*(one() for _ in range(count))))


async def _create_session(client: httpx.AsyncClient) -> str:
    try:
        response = await client.post("/webchat/sessions", json={})
    except httpx.HTTPError as exc:
        raise BenchError(f"POST /webchat/sessions failed: {exc!r}") from exc
    if response.status_code != httpx.codes.CREATED:
        raise BenchError(
            f"POST /webchat/sessions answered {response.status_code}: {response.text[:200]}"
        )
    token = response.json().get("token")
    if not isinstance(token, str):
        raise BenchError(f"POST /webchat/sessions returned no token: {response.text[:200]}")
    return token


async def open_customer(ws_url: str, origin: str, token: str) -> ClientConnection:
    """Connect one customer's WebSocket and say hello; returns once the server is ready."""
    try:
        ws = await connect(
            ws_url,
            origin=Origin(origin),
            compression=None,
            proxy=None,
            ping_interval=None,
            max_queue=None,
            open_timeout=_HELLO_TIMEOUT_S,
        )
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise BenchError(f"could not open {ws_url}: {exc!r}") from exc
    await send_frame(ws, {"type": "hello", "token": token, "after": None})
    try:
        async with asyncio.timeout(_HELLO_TIMEOUT_S):
            await _await_ready(ws)
    except TimeoutError as exc:
        await ws.close()
        raise BenchError(f"no 'ready' frame within {_HELLO_TIMEOUT_S:.0f} s of hello") from exc
    return ws


async def _await_ready(ws: ClientConnection) -> None:
    async for raw in ws:
        frame = decode_frame(raw)
        if frame.get("type") == "ready":
            return
        if frame.get("type") == "error":
            raise BenchError(f"the server refused hello: {frame.get('code')}")
    raise BenchError(f"the server closed the WebSocket during hello (code {ws.close_code})")


async def send_frame(ws: ClientConnection, frame: dict[str, Any]) -> None:
    """Send one JSON frame."""
    await ws.send(json.dumps(frame, ensure_ascii=False))


def decode_frame(raw: str | bytes) -> dict[str, Any]:
    """Parse one JSON frame from the server; a frame that is not an object is an error."""
    try:
        frame = json.loads(raw)
    except ValueError as exc:
        raise BenchError(f"the server sent a frame that is not JSON: {raw!r:.200}") from exc
    if not isinstance(frame, dict):
        raise BenchError(f"the server sent a frame that is not an object: {raw!r:.200}")
    return frame
