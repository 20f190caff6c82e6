"""The live stream the inbox pages listen to, over real HTTP (uvicorn on loopback)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import Connection, select

from tests.server.inbox.conftest import AGENT, AGENT_PASSWORD, Browser, login, signed_in
from theke.content.codec import text_json
from theke.inbox.changes import HANDOFF_STARTED, LIVE_TOPIC
from theke.runtime import Runtime
from theke.server.inbox import live
from theke.store import conversations, log, user_sessions
from theke.store.conversations import Conversation
from theke.store.schema import user_sessions as user_sessions_table
from theke.store.users import User


@pytest.fixture
def base(server: str) -> str:
    """The app with its worker, served by uvicorn on loopback."""
    return f"http://{server}"


async def _events(response: httpx.Response) -> AsyncIterator[tuple[str, dict[str, object]]]:
    name = ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            yield name, json.loads(line.removeprefix("data: "))


async def _handed_over(runtime: Runtime, text: str) -> Conversation:
    """The customer writes and the bot hands over, as a turn's commit would log it."""

    def make(conn: Connection) -> Conversation:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        now = datetime.now(UTC)
        log.append(
            conn,
            [
                log.LogEntry(
                    conversation.id, conversation.customer_id, "message.in", "customer", now,
                    content=text_json(text),
                ),
                log.LogEntry(
                    conversation.id, conversation.customer_id, HANDOFF_STARTED, "bot", now
                ),
            ],
        )  # fmt: skip
        conversations.set_mode(conn, conversation.id, "human")
        return conversation

    conversation = await runtime.db.write(make)
    await runtime.signals.publish(LIVE_TOPIC)
    return conversation


async def test_a_hand_over_reaches_the_open_page_at_once(
    base: str, agent: User, runtime: Runtime
) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        assert (await login(http, AGENT, AGENT_PASSWORD)).status_code == 303
        async with http.stream("GET", "/inbox/live") as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            assert response.headers["cache-control"] == "no-store"
            stream = _events(response)
            conversation = await _handed_over(runtime, "Ich will einen Menschen")
            name, data = await asyncio.wait_for(anext(stream), timeout=10)
    assert name == "changed"
    assert data["conversations"] == [conversation.id]
    assert data["handed_over"] == [conversation.id]
    assert data["counts"] == {"waiting": 1, "mine": 0}


async def test_the_stream_ends_when_the_session_does(
    base: str, agent: User, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "_SESSION_CHECK_SECONDS", 0.0)
    monkeypatch.setattr(live, "POLL_SECONDS", 0.05)
    async with httpx.AsyncClient(base_url=base) as http:
        await login(http, AGENT, AGENT_PASSWORD)
        async with http.stream("GET", "/inbox/live") as response:
            stream = _events(response)
            await runtime.db.write(lambda conn: user_sessions.end_all(conn, agent.id))
            name, _ = await asyncio.wait_for(anext(stream), timeout=10)
    assert name == "signed_out"


async def test_the_stream_needs_a_signed_in_agent(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        response = await http.get("/inbox/live")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/inbox/login")


async def test_a_page_refreshing_itself_does_not_keep_the_session_alive(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)

    def ends(conn: Connection) -> list[datetime]:
        return list(conn.execute(select(user_sessions_table.c.expires_at)).scalars())

    before = await runtime.db.read(ends)
    refreshed = await http.get("/inbox", headers={"X-Theke-Refresh": "1"})
    assert refreshed.status_code == 200
    assert await runtime.db.read(ends) == before
    await http.get("/inbox")  # the agent's own click slides it
    assert await runtime.db.read(ends) != before
