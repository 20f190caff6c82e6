"""The web chat over a real WebSocket, served by uvicorn on loopback."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import websockets

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _session(address: str) -> dict[str, str]:
    async with httpx.AsyncClient() as http:
        response = await http.post(f"http://{address}/webchat/sessions")
    assert response.status_code == 201
    session: dict[str, str] = response.json()
    return session


async def _frames_until(ws: Any, predicate: Any, limit: int = 30) -> list[dict[str, Any]]:
    frames: list[dict[str, Any]] = []
    for _ in range(limit):
        frame = json.loads(await ws.recv())
        frames.append(frame)
        if predicate(frame):
            return frames
    raise AssertionError(f"never saw the expected frame in {frames}")


def _is_bot(frame: dict[str, Any]) -> bool:
    return frame.get("type") == "message" and frame["message"]["from"] == "bot"


async def test_a_visitor_chats_over_the_websocket(server: str) -> None:
    session = await _session(server)
    async with websockets.connect(f"ws://{server}/webchat/ws") as ws:
        await ws.send(json.dumps({"type": "hello", "token": session["token"]}))
        ready = json.loads(await ws.recv())
        assert ready == {"type": "ready", "customer_id": session["customer_id"]}
        await ws.send(json.dumps({"type": "send", "text": "Hallo", "client_id": "a1"}))

        frames = await _frames_until(ws, _is_bot)

    accepted = [f for f in frames if f["type"] == "accepted"]
    assert accepted and accepted[0]["client_id"] == "a1"
    echoed = [f for f in frames if f["type"] == "message" and f["message"]["from"] == "customer"]
    assert echoed[0]["message"]["content"] == {"type": "text", "text": "Hallo"}


async def test_reconnecting_with_the_cursor_resumes_without_duplicates(server: str) -> None:
    session = await _session(server)
    async with websockets.connect(f"ws://{server}/webchat/ws") as ws:
        await ws.send(json.dumps({"type": "hello", "token": session["token"]}))
        await ws.recv()
        await ws.send(json.dumps({"type": "send", "text": "Hallo"}))
        frames = await _frames_until(ws, _is_bot)
    cursor = [f for f in frames if f["type"] == "message"][-1]["cursor"]
    seen_ids = {f["message"]["id"] for f in frames if f["type"] == "message"}

    async with websockets.connect(f"ws://{server}/webchat/ws") as ws:
        await ws.send(json.dumps({"type": "hello", "token": session["token"], "after": cursor}))
        await ws.recv()
        await ws.send(json.dumps({"type": "send", "text": "danke"}))
        frames = await _frames_until(ws, _is_bot)
    again = {f["message"]["id"] for f in frames if f["type"] == "message"}
    assert not again & seen_ids


async def test_a_bad_token_closes_with_4401(server: str) -> None:
    async with websockets.connect(f"ws://{server}/webchat/ws") as ws:
        await ws.send(json.dumps({"type": "hello", "token": "v1.forged.token"}))
        error = json.loads(await ws.recv())
        assert error["code"] == "unauthorized"
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4401


async def test_a_foreign_origin_cannot_open_the_socket(server: str) -> None:
    with pytest.raises(websockets.InvalidStatus):
        async with websockets.connect(
            f"ws://{server}/webchat/ws",
            origin="https://evil.example",  # type: ignore[arg-type]
        ):
            pass


async def test_garbage_frames_get_a_clear_error(server: str) -> None:
    session = await _session(server)
    async with websockets.connect(f"ws://{server}/webchat/ws") as ws:
        await ws.send(json.dumps({"type": "hello", "token": session["token"]}))
        await ws.recv()
        await ws.send(json.dumps({"type": "send", "text": 42, "client_id": "x9"}))
        error = await _frames_until(ws, lambda f: f["type"] == "error")
        assert error[-1]["code"] == "bad_request"
        assert error[-1]["client_id"] == "x9"  # the widget knows which message failed
        await ws.send(json.dumps({"type": "ping"}))
        await _frames_until(ws, lambda f: f["type"] == "pong")
