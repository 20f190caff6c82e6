"""Before the steps: one webhook per text, to see the whole path work and keep what is answered.

A wrong secret, a Send API the server cannot reach or a bot that stays silent would
otherwise show up as thousands of errors; here it is one clear message with the server's
log. A text the bot does not answer on Messenger is left out of the steps (and said so).
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from _errors import BenchError
from _graph_sink import GraphSink

from theke.testing.meta_webhooks import messenger_text, sign

__all__ = ["answered_texts"]

_FIRST_PSID = 6_900_000_000_000_000
"""Customers of their own, never among the benchmark's."""
_ANSWER_TIMEOUT_S = 30.0


async def answered_texts(
    base_url: str, sink: GraphSink, page_id: str, app_secret: str, texts: tuple[str, ...]
) -> tuple[str, ...]:
    """The ``texts`` the bot answered with a message, each from a new customer."""
    await sink.take()
    psids = {str(_FIRST_PSID + n): text for n, text in enumerate(texts)}
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=10.0) as client:
        for psid, text in psids.items():
            await _post(client, page_id, app_secret, psid, text)
    answered = await _answered(sink, set(psids))
    kept = tuple(text for psid, text in psids.items() if psid in answered)
    if not kept:
        raise BenchError(
            f"no Send API message came within {_ANSWER_TIMEOUT_S:.0f} s of "
            f"{len(texts)} webhooks: is the Messenger channel configured?"
        )
    for psid, text in psids.items():
        if psid not in answered:
            print(f"webhooks: left out {text!r}: the bot did not answer it on Messenger")
    return kept


async def _post(
    client: httpx.AsyncClient, page_id: str, app_secret: str, psid: str, text: str
) -> None:
    body = json.dumps(messenger_text(page_id, psid, text), ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}
    try:
        response = await client.post("/webhooks/messenger", content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise BenchError(f"POST /webhooks/messenger failed: {exc!r}") from exc
    if response.status_code != httpx.codes.OK:
        raise BenchError(
            f"POST /webhooks/messenger answered {response.status_code}: {response.text[:500]}"
        )


async def _answered(sink: GraphSink, psids: set[str]) -> set[str]:
    deadline = time.monotonic() + _ANSWER_TIMEOUT_S
    answered: set[str] = set()
    while answered != psids and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        calls = await sink.take()
        answered |= {call.psid for call in calls if call.kind == "message"} & psids
    await asyncio.sleep(1.0)  # let the last answers' other parts arrive before the steps
    await sink.take()
    return answered
