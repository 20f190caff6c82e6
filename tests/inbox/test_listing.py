"""The inbox list an agent sees: views, filters, search, unread counts, paging, and the
change feed behind the live updates. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, create_engine, insert

from theke.content.codec import text_json
from theke.inbox.changes import HANDOFF_STARTED, ChangeFeed
from theke.inbox.handling import assign, close, take_over
from theke.inbox.listing import Filters, counts, listing, mark_read
from theke.store import conversations, log, users
from theke.store.conversations import Conversation
from theke.store.schema import events
from theke.store.users import User

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _user(conn: Connection, email: str, role: str = "agent") -> User:
    return users.add(conn, email, role, "not-a-real-hash")


def _wrote(conn: Connection, conversation: Conversation, text: str, minutes: int = 0) -> None:
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, "message.in", "customer",
        NOW + timedelta(minutes=minutes), content=text_json(text),
    )  # fmt: skip
    log.append(conn, [entry])


def _conversation(
    conn: Connection,
    external_id: str,
    text: str,
    *,
    channel: str = "webchat",
    human: bool = True,
    minutes: int = 0,
    language: str | None = None,
    profile: dict[str, str] | None = None,
) -> Conversation:
    conversation = conversations.create(conn, channel, external_id)
    _wrote(conn, conversation, text, minutes)
    if human:
        conversations.set_mode(conn, conversation.id, "human")
    if language or profile:
        conversations.save_profiles(
            conn, {conversation.customer_id: {**(profile or {}), "language": language}}
        )
    return conversation


def _ids(conn: Connection, user: User, **params: str) -> list[str]:
    found = listing(conn, user.id, Filters.from_params(params), NOW + timedelta(hours=1))
    return [row.conversation_id for row in found.rows]


async def test_each_view_shows_its_conversations(engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        waiting = _conversation(conn, "w", "Ich warte", minutes=1)
        bot = _conversation(conn, "b", "Nur der Bot", human=False, minutes=2)
        hers = _conversation(conn, "h", "Annas Kundin", minutes=3)
        take_over(conn, hers.id, anna, NOW)
        closed = _conversation(conn, "c", "Erledigt", minutes=4)
        close(conn, closed.id, ben, NOW)
        views = {view: _ids(conn, anna, view=view) for view in ("waiting", "mine", "bot")}
        views["closed"] = _ids(conn, anna, view="closed")
        views["all"] = _ids(conn, anna, view="all")
        views["ben_mine"] = _ids(conn, ben, view="mine")
        counted = counts(conn, anna.id, NOW)
    assert views["waiting"] == [waiting.id, hers.id]  # who waits longest first
    assert views["mine"] == [hers.id]
    assert views["bot"] == [bot.id]
    assert views["closed"] == [closed.id]
    assert views["all"] == [closed.id, hers.id, bot.id, waiting.id]  # newest first
    assert views["ben_mine"] == []
    assert counted == {"waiting": 2, "mine": 1}


async def test_filters_narrow_by_channel_and_language(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        web = _conversation(conn, "w", "Hallo", language="de")
        telegram = _conversation(conn, "t", "Hi", channel="telegram", language="en", minutes=1)
        by_channel = _ids(conn, anna, channel="telegram")
        by_language = _ids(conn, anna, language="DE")
        unknown_channel = _ids(conn, anna, channel="fax")
    assert by_channel == [telegram.id]
    assert by_language == [web.id]
    assert unknown_channel == [web.id, telegram.id]  # an unknown filter value is ignored


async def test_the_search_finds_text_and_customers(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        paket = _conversation(conn, "visitor-77", "Wo bleibt mein Paket?")
        mail = _conversation(
            conn, "4915112345678", "Hallo", channel="whatsapp",
            profile={"email": "Kunde@Example.org", "remembered": {"phone": "+4917012345678"}},
        )  # fmt: skip
        found = {
            "text": _ids(conn, anna, view="all", q="paket"),
            "customer id": _ids(conn, anna, view="all", q=paket.customer_id[:6]),
            "address": _ids(conn, anna, view="all", q="+49 151 12345678"),
            "email": _ids(conn, anna, view="all", q="KUNDE@example.org"),
            "phone": _ids(conn, anna, view="all", q="0170 1234 5678"),
            "nothing": _ids(conn, anna, view="all", q="Rechnung"),
            "with filter": _ids(conn, anna, view="all", q="paket", channel="whatsapp"),
        }
    assert found["text"] == [paket.id]
    assert found["customer id"] == [paket.id]
    assert found["address"] == [mail.id]
    assert found["email"] == [mail.id]
    assert found["phone"] == [mail.id]
    assert found["nothing"] == []
    assert found["with filter"] == []


async def test_unread_counts_what_came_since_the_agent_last_looked(engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        conversation = _conversation(conn, "v", "Erste Frage")
        never_opened = listing(conn, anna.id, Filters(), NOW).rows[0].unread
        mark_read(conn, anna.id, conversation.id, NOW)
        seen = listing(conn, anna.id, Filters(), NOW).rows[0].unread
        _wrote(conn, conversation, "Zweite Frage", 1)
        _wrote(conn, conversation, "Dritte Frage", 2)
        mark_read(conn, ben.id, conversation.id, NOW)
        later = listing(conn, anna.id, Filters(), NOW).rows[0].unread
        for_ben = listing(conn, ben.id, Filters(), NOW).rows[0].unread
    assert never_opened is None
    assert seen == 0
    assert later == 2
    assert for_ben == 0


async def test_pages_of_the_list(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        made = [_conversation(conn, f"v{i}", f"Frage {i}", minutes=i) for i in range(5)]
        first = listing(conn, anna.id, Filters(view="all"), NOW, page_size=2)
        last = listing(conn, anna.id, Filters(view="all", page=3), NOW, page_size=2)
    assert [row.conversation_id for row in first.rows] == [made[4].id, made[3].id]
    assert first.more
    assert [row.conversation_id for row in last.rows] == [made[0].id]
    assert not last.more


def test_filters_from_a_query_string_fall_back_to_the_defaults() -> None:
    odd = Filters.from_params({"view": "<script>", "channel": "fax", "page": "x", "q": " a "})
    assert odd == Filters(view="waiting", query="a")
    assert Filters.from_params({"page": "99999"}).page == 1000
    kept = Filters(view="all", channel="telegram", language="en", query="paket", page=2)
    assert Filters.from_params(kept.params()) == kept


async def test_the_change_feed_reports_each_change_once(engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        old = _conversation(conn, "old", "Vorher")
        feed = ChangeFeed.from_now(conn)
        nothing_yet = feed.poll(conn)
        new = _conversation(conn, "new", "Neu", human=False)
        log.append(
            conn,
            [log.LogEntry(new.id, new.customer_id, HANDOFF_STARTED, "bot", NOW)],
        )
        assign(conn, old.id, anna, ben, NOW)
        first = feed.poll(conn)
        again = feed.poll(conn)
    assert not nothing_yet
    assert set(first.conversations) == {new.id, old.id}
    assert first.handed_over == (new.id,)
    assert first.assigned == ((old.id, ben.id),)
    assert not again


async def test_the_change_feed_sees_an_event_that_commits_late(engine: Engine) -> None:
    """On PostgreSQL a transaction can commit an id below one already seen."""

    def event(conn: Connection, conversation: Conversation, event_id: int) -> None:
        conn.execute(
            insert(events).values(
                id=event_id, conversation_id=conversation.id,
                customer_id=conversation.customer_id, kind="note", actor="agent", created_at=NOW,
            )
        )  # fmt: skip

    with engine.begin() as conn:
        first = _conversation(conn, "first", "Hallo")
        second = _conversation(conn, "second", "Hallo")
        feed = ChangeFeed.from_now(conn)
        event(conn, first, feed.newest + 5)  # committed first, with the later id
        seen = feed.poll(conn)
        event(conn, second, feed.newest - 2)  # committed after, with an earlier id
        late = feed.poll(conn)
        again = feed.poll(conn)
    assert seen.conversations == (first.id,)
    assert late.conversations == (second.id,)
    assert not again
