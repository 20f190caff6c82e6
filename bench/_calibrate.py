"""Learn how many bot frames answer each benchmark text, so replies can be matched to sends."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from _errors import BenchError
from _webchat import create_sessions, decode_frame, open_customer, send_frame
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

__all__ = ["calibrate"]

_FIRST_REPLY_TIMEOUT_S = 15.0
_QUIET_S = 1.5
_ROUNDS = 2


async def calibrate(base_url: str, ws_url: str, origin: str, texts: Sequence[str]) -> list[int]:
    """The number of bot frames (typing excluded) that answer each text; 0 where it varies.

    Each text is sent twice in its own fresh conversation; a text answered with a different
    number of frames the second time is unusable for matching and gets 0.
    """
    tokens = await create_sessions(base_url, len(texts))
    pairs = zip(tokens, texts, strict=True)
    counts = await asyncio.gather(
        *(_calibrate_text(ws_url, origin, token, text) for token, text in pairs)
    )
    return list(counts)


async def _calibrate_text(ws_url: str, origin: str, token: str, text: str) -> int:
    ws = await open_customer(ws_url, origin, token)
    try:
        # The first answer of a conversation also carries the bot's introduction: not counted.
        rounds = [await _count_replies(ws, text, f"calibration-{n}") for n in range(_ROUNDS + 1)]
        counts = rounds[1:]
    finally:
        await ws.close()
    return counts[0] if len(set(counts)) == 1 else 0


async def _count_replies(ws: ClientConnection, text: str, client_id: str) -> int:
    """Send ``text`` (client ids must differ: a repeated one is dropped as a duplicate)."""
    await send_frame(ws, {"type": "send", "text": text, "client_id": client_id})
    count = 0
    timeout = _FIRST_REPLY_TIMEOUT_S
    while True:
        try:
            async with asyncio.timeout(timeout):
                frame = decode_frame(await ws.recv())
        except TimeoutError:
            break
        except ConnectionClosed as exc:
            raise BenchError(f"the server closed the WebSocket while answering {text!r}") from exc
        if _is_reply(frame):
            count += 1
            timeout = _QUIET_S
    if count == 0:
        raise BenchError(f"no bot reply to {text!r} within {_FIRST_REPLY_TIMEOUT_S:.0f} s")
    return count


def _is_reply(frame: dict[str, object]) -> bool:
    message = frame.get("message")
    if frame.get("type") != "message" or not isinstance(message, dict):
        return False
    content = message.get("content")
    return message.get("from") == "bot" and not (
        isinstance(content, dict) and content.get("type") == "typing"
    )
