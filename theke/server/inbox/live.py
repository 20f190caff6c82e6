"""Live updates for the inbox pages: ``GET /inbox/live``, a stream of server-sent events.

The pages work without it; ``static/inbox.js`` listens and reloads the parts of the page
that changed. Each stream follows the event log (``theke.inbox.changes``): it wakes on
the ``inbox`` signal (at once, from any web or worker process when Redis is configured)
and looks at least every ``POLL_SECONDS`` anyway. Events:

- ``changed``: ``{"conversations": [...], "handed_over": [...], "assigned_to_me": [...],
  "counts": {"waiting": n, "mine": n}}``;
- ``signed_out``: the session ended (signed out elsewhere, deactivated); the stream ends.

A comment line every ``KEEPALIVE_SECONDS`` keeps proxies from closing an idle stream.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import Connection

from theke.inbox.changes import LIVE_TOPIC, ChangeFeed, Changes
from theke.inbox.listing import counts
from theke.runtime import Runtime
from theke.server.deps import runtime_of
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent
from theke.store import user_sessions
from theke.store.schema import utcnow

__all__ = ["KEEPALIVE_SECONDS", "POLL_SECONDS", "router"]

router = APIRouter(prefix="/inbox", route_class=InboxRoute, include_in_schema=False)

POLL_SECONDS = 2.0
KEEPALIVE_SECONDS = 15.0
_SESSION_CHECK_SECONDS = 30.0


@router.get("/live")
async def live(request: Request, agent: Agent) -> Response:
    """The signed-in agent's stream of changes."""
    runtime = runtime_of(request)
    feed = await runtime.db.read(ChangeFeed.from_now)
    token = request.state.agent_token
    return StreamingResponse(
        _stream(request, runtime, feed, agent.user.id, token),
        media_type="text/event-stream",
        headers={"X-Accel-Buffering": "no"},  # nginx: pass each event on at once
    )


async def _stream(
    request: Request, runtime: Runtime, feed: ChangeFeed, user_id: str, token: str
) -> AsyncIterator[str]:
    yield "retry: 3000\n\n"
    last_sent = checked = time.monotonic()
    while not await request.is_disconnected():
        async with runtime.signals.listen(LIVE_TOPIC) as woken:
            changes = await runtime.db.read(feed.poll)
            if changes:
                found = await runtime.db.read(lambda conn: _counts(conn, user_id))
                yield _event("changed", _payload(changes, user_id, found))
                last_sent = time.monotonic()
            try:
                await asyncio.wait_for(woken.wait(), POLL_SECONDS)
            except TimeoutError:
                pass
        now = time.monotonic()
        if now - checked >= _SESSION_CHECK_SECONDS:
            checked = now
            if not await runtime.db.read(lambda conn: user_sessions.still_live(conn, token)):
                yield _event("signed_out", {})
                return
        if now - last_sent >= KEEPALIVE_SECONDS:
            yield ": still here\n\n"
            last_sent = now


def _counts(conn: Connection, user_id: str) -> dict[str, int]:
    return counts(conn, user_id, utcnow())


def _payload(changes: Changes, user_id: str, found: dict[str, int]) -> dict[str, object]:
    return {
        "conversations": list(changes.conversations),
        "handed_over": list(changes.handed_over),
        "assigned_to_me": [cid for cid, to in changes.assigned if to == user_id],
        "counts": found,
    }


def _event(name: str, data: dict[str, object]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
