"""The list of conversations waiting for a person: what it shows, and what it never runs."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from tests.server.inbox.conftest import AGENT, AGENT_PASSWORD, Browser, only_our_script, signed_in
from theke.content.codec import text_json
from theke.runtime import Runtime
from theke.server.inbox._render import relative_time
from theke.store import conversations, log
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
    wrote_at: datetime | None = None,
    human_until: datetime | None = None,
) -> conversations.Conversation:
    """A conversation in which the customer wrote ``texts`` (the last at ``wrote_at``),
    then (maybe) handed over."""

    def make(conn: Connection) -> conversations.Conversation:
        conversation = conversations.create(conn, channel, external_id)
        now = wrote_at or datetime.now(UTC)
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
    assert only_our_script(page.text)
    assert "Web-Chat" in page.text
    assert f"Kunde {waiting.customer_id[:8]}" in page.text
    assert "wartet seit weniger als 1 Min." in page.text
    assert "Hallo?" not in page.text  # only the newest message
    assert "Nur der Bot hier" not in page.text
    assert "Niemand wartet" not in page.text


async def test_who_waits_longest_comes_first_and_all_shows_the_newest_first(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    now = datetime.now(UTC)
    await _conversation(runtime, "old", ["Die ältere Frage"], wrote_at=now - timedelta(hours=2))
    await _conversation(runtime, "new", ["Die neuere Frage"], wrote_at=now)
    await _conversation(runtime, "mid", ["Die mittlere Frage"], wrote_at=now - timedelta(hours=1))
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    text = (await http.get("/inbox")).text
    assert re.findall(r"Die (\w+) Frage", text) == ["ältere", "mittlere", "neuere"]
    assert "wartet seit 2 Std." in text
    assert "3 Gespräche warten" in text
    everything = (await http.get("/inbox?view=all")).text
    assert re.findall(r"Die (\w+) Frage", everything) == ["neuere", "mittlere", "ältere"]


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


async def test_search_and_filters_on_the_page(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    await _conversation(runtime, "visitor-1", ["Wo bleibt mein Paket?"])
    await _conversation(runtime, "4711", ["Gibt es den Samba in 43?"], channel="telegram")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    found = (await http.get("/inbox", params={"view": "all", "q": "paket"})).text
    assert "Wo bleibt mein Paket?" in found
    assert "Samba" not in found
    assert 'value="paket"' in found  # the search stays in the box
    telegram = (await http.get("/inbox", params={"channel": "telegram"})).text
    assert "Samba" in telegram
    assert "Paket" not in telegram
    none = (await http.get("/inbox", params={"view": "all", "q": SCRIPT})).text
    assert "Nichts gefunden für „&lt;script&gt;alert(1)&lt;/script&gt;“." in none
    assert only_our_script(none)
