"""The list of conversations waiting for a person: what it shows, and what it never runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, update

from tests.server.inbox.conftest import AGENT, AGENT_PASSWORD, Browser, signed_in
from theke.content.codec import text_json
from theke.runtime import Runtime
from theke.server.inbox._render import relative_time
from theke.store import conversations, log
from theke.store.schema import conversations as conversations_table
from theke.store.users import User

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=1>"


async def _conversation(
    runtime: Runtime,
    external_id: str,
    texts: list[str],
    *,
    mode: str = "human",
    channel: str = "webchat",
    updated_at: datetime | None = None,
    human_until: datetime | None = None,
) -> conversations.Conversation:
    """A conversation in which the customer wrote ``texts``, then (maybe) handed over."""

    def make(conn: Connection) -> conversations.Conversation:
        conversation = conversations.create(conn, channel, external_id)
        now = datetime.now(UTC)
        entries = [
            log.LogEntry(
                conversation.id, conversation.customer_id, "message.in", "customer",
                now - timedelta(seconds=len(texts) - i), content=text_json(text),
            )
            for i, text in enumerate(texts)
        ]  # fmt: skip
        log.append(conn, entries)
        if mode == "human":
            conversations.set_mode(conn, conversation.id, "human", until=human_until)
        if updated_at is not None:
            conn.execute(
                update(conversations_table)
                .where(conversations_table.c.id == conversation.id)
                .values(updated_at=updated_at)
            )
        return conversation

    return await runtime.db.write(make)


async def test_a_handed_over_conversation_appears_with_its_text_escaped(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    waiting = await _conversation(runtime, "visitor-1", ["Hallo?", f"Frage {SCRIPT} {IMAGE}"])
    await _conversation(runtime, "visitor-2", ["Nur der Bot hier"], mode="bot")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox")
    assert page.status_code == 200
    assert SCRIPT not in page.text
    assert IMAGE not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=1&gt;" in page.text
    assert "<script" not in page.text.lower()
    assert "Web-Chat" in page.text
    assert f"Kunde {waiting.customer_id[:8]}" in page.text
    assert "gerade eben" in page.text
    assert "Hallo?" not in page.text  # only the newest message
    assert "Nur der Bot hier" not in page.text
    assert "Niemand wartet" not in page.text


async def test_the_newest_conversation_comes_first(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    await _conversation(runtime, "old", ["Die ältere Frage"], updated_at=now - timedelta(hours=2))
    await _conversation(runtime, "new", ["Die neuere Frage"], updated_at=now)
    await _conversation(runtime, "mid", ["Die mittlere Frage"], updated_at=now - timedelta(hours=1))
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    text = (await http.get("/inbox")).text
    found = re.findall(r"Die (\w+) Frage", text)
    assert found == ["neuere", "mittlere", "ältere"]
    assert "3 Gespräche warten" in text


async def test_a_pause_that_ran_out_is_back_with_the_bot_and_not_listed(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    past = datetime.now(UTC) - timedelta(minutes=5)
    future = datetime.now(UTC) + timedelta(hours=1)
    await _conversation(runtime, "over", ["Pause vorbei"], human_until=past)
    await _conversation(runtime, "still", ["Pause läuft"], human_until=future, channel="telegram")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    text = (await http.get("/inbox")).text
    assert "Pause vorbei" not in text
    assert "Pause läuft" in text
    assert "Telegram" in text


async def test_with_no_one_waiting_the_list_says_so(browser: Browser, agent: User) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox")
    assert "Niemand wartet gerade auf eine Antwort." in page.text


async def test_the_list_needs_a_signed_in_agent(browser: Browser, runtime: Runtime) -> None:
    await _conversation(runtime, "visitor-1", ["Geheime Frage"])
    response = await browser().get("/inbox")
    assert response.status_code == 303
    assert "Geheime Frage" not in response.text


NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ago", "said"),
    [
        (timedelta(seconds=20), "gerade eben"),
        (timedelta(minutes=5, seconds=30), "vor 5 Min."),
        (timedelta(minutes=59), "vor 59 Min."),
        (timedelta(hours=3), "vor 3 Std."),
        (timedelta(days=1, hours=2), "vor 1 Tag"),
        (timedelta(days=4), "vor 4 Tagen"),
        (timedelta(days=30), "12.02.2026"),
    ],
)
def test_times_are_said_the_way_people_say_them(ago: timedelta, said: str) -> None:
    assert relative_time(NOW - ago, NOW) == said
