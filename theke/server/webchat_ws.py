"""The web chat's WebSocket: the visitor's messages in, the conversation pushed out live."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import structlog
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from theke.channels.webchat.service import BadRequest, WebchatService, decode_cursor, encode_cursor
from theke.runtime import Runtime
from theke.server.deps import origin_allowed

__all__ = ["router"]

router = APIRouter()
_log = structlog.get_logger("theke.server.webchat_ws")

_HELLO_SECONDS = 10.0
_PING_SECONDS = 20.0
_MAX_FRAME = 64 * 1024


class _Closed(Exception):
    """The visitor's socket is gone or must be closed with ``code``."""

    def __init__(self, code: int = 1000) -> None:
        super().__init__(code)
        self.code = code


@router.websocket("/webchat/ws")
async def webchat_socket(websocket: WebSocket) -> None:
    runtime: Runtime = websocket.app.state.runtime
    if not origin_allowed(websocket.headers.get("origin"), runtime.settings.allowed_origins()):
        await websocket.close(code=4403)
        return
    await websocket.accept()
    try:
        customer_id, cursor = await _hello(websocket, runtime.webchat)
        await _serve(websocket, runtime.webchat, customer_id, cursor)
    except (_Closed, WebSocketDisconnect) as closed:
        code = closed.code if isinstance(closed, _Closed) else None
        if code is not None and code != 1000:
            with contextlib.suppress(RuntimeError, WebSocketDisconnect):
                await websocket.close(code=code)


async def _receive(websocket: WebSocket) -> dict[str, Any]:
    raw = await websocket.receive_text()
    if len(raw) > _MAX_FRAME:
        await _error(websocket, "too_large", "the frame is over 64 KiB")
        raise _Closed(1009)
    try:
        frame = json.loads(raw)
    except json.JSONDecodeError:
        await _error(websocket, "bad_request", "frames are JSON objects")
        raise _Closed(4400) from None
    if not isinstance(frame, dict):
        await _error(websocket, "bad_request", "frames are JSON objects")
        raise _Closed(4400)
    return frame


async def _error(websocket: WebSocket, code: str, message: str, client_id: object = None) -> None:
    frame: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if isinstance(client_id, str):
        frame["client_id"] = client_id
    await websocket.send_json(frame)


async def _hello(websocket: WebSocket, webchat: WebchatService) -> tuple[str, int]:
    try:
        frame = await asyncio.wait_for(_receive(websocket), timeout=_HELLO_SECONDS)
    except TimeoutError:
        raise _Closed(4408) from None
    if frame.get("type") != "hello":
        await _error(websocket, "bad_request", 'start with {"type": "hello", "token": ...}')
        raise _Closed(4400)
    token = frame.get("token")
    customer_id = await webchat.authenticate(token if isinstance(token, str) else None)
    if customer_id is None:
        await _error(websocket, "unauthorized", "the visitor token is not valid")
        raise _Closed(4401)
    after = frame.get("after")
    try:
        cursor = decode_cursor(after if isinstance(after, str) else None)
    except BadRequest as exc:
        await _error(websocket, "bad_cursor", str(exc))
        raise _Closed(4400) from exc
    await websocket.send_json({"type": "ready", "customer_id": customer_id})
    return customer_id, cursor


async def _serve(
    websocket: WebSocket, webchat: WebchatService, customer_id: str, cursor: int
) -> None:
    """Receive the visitor's frames and push the conversation, until either side stops."""
    push = asyncio.create_task(_push(websocket, webchat, customer_id, cursor))
    receive = asyncio.create_task(_receive_loop(websocket, webchat, customer_id))
    with webchat.live.watching(customer_id):  # the socket's lifetime: no read per message
        done, _ = await asyncio.wait({push, receive}, return_when=asyncio.FIRST_COMPLETED)
    for task in (push, receive):
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await task
    if receive in done:
        receive.result()  # the visitor left (or sent something we close for)
        return
    error = push.exception()
    if error is not None and not isinstance(error, WebSocketDisconnect):
        _log.error("theke.server.webchat_ws.push_failed", error=type(error).__name__)
        raise _Closed(1011)  # the widget reconnects and resumes from its cursor


async def _receive_loop(websocket: WebSocket, webchat: WebchatService, customer_id: str) -> None:
    while True:
        frame = await _receive(websocket)
        await _handle(websocket, webchat, customer_id, frame)


async def _handle(
    websocket: WebSocket, webchat: WebchatService, customer_id: str, frame: dict[str, Any]
) -> None:
    kind = frame.get("type")
    if kind == "ping":
        await websocket.send_json({"type": "pong"})
        return
    if kind != "send":
        await _error(websocket, "bad_request", f"unknown frame type {kind!r}")
        return
    fields = {name: frame.get(name) for name in ("text", "postback", "title", "client_id")}
    client_id = fields["client_id"]
    if any(value is not None and not isinstance(value, str) for value in fields.values()):
        message = "text, postback, title and client_id are strings"
        await _error(websocket, "bad_request", message, client_id)
        return
    source = frame.get("source")
    if source is not None and not isinstance(source, dict):
        await _error(websocket, "bad_request", "source is an object of strings", client_id)
        return
    try:
        stored = await webchat.accept(customer_id, **fields, source=source)
    except BadRequest as exc:
        await _error(websocket, "bad_request", str(exc), client_id)
        return
    await websocket.send_json(
        {
            "type": "accepted",
            "client_id": fields["client_id"],
            "id": str(stored.id) if stored else None,
        }
    )


async def _push(
    websocket: WebSocket, webchat: WebchatService, customer_id: str, cursor: int
) -> None:
    while True:
        messages = await webchat.history(customer_id, cursor, wait=_PING_SECONDS)
        if not messages:
            await websocket.send_json({"type": "ping"})
            continue
        for message in messages:
            cursor = message.id
            await websocket.send_json(
                {"type": "message", "message": message.to_json(), "cursor": encode_cursor(cursor)}
            )
