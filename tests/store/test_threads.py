"""The inbox row of a conversation follows its messages: the newest one, unread counts,
since when the customer waits, reopening; and the search finds what was written. On
SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, select, text

from theke.content.codec import text_json, to_json
from theke.content.model import Card, Carousel
from theke.store import conversations, log, migrate
from theke.store.conversations import Conversation
from theke.store.schema import conversations as table
from theke.store.search import matching_conversations, words_of

NOW = datetime(2026, 12, 9, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def _message(
    conversation: Conversation, kind: str, actor: str, minutes: int, text: str | None
) -> log.LogEntry:
    return log.LogEntry(
        conversation.id, conversation.customer_id, kind, actor, NOW + timedelta(minutes=minutes),
        content=text_json(text) if text is not None else None,
    )  # fmt: skip


def _inbox_row(conn: Connection, conversation_id: str) -> dict[str, object]:
    row = conn.execute(select(table).where(table.c.id == conversation_id)).mappings().one()
    return dict(row)


async def test_a_customer_message_is_previewed_counted_and_starts_the_wait(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        log.append(conn, [_message(conversation, "message.in", "customer", 0, "Hallo, Größe 43?")])
        row = _inbox_row(conn, conversation.id)
    assert row["preview"] == "Hallo, Größe 43?"
    assert row["last_message_at"] == NOW
    assert row["inbound_count"] == 1
    assert row["waiting_since"] == NOW


async def test_the_bot_answering_ends_the_wait_but_not_after_a_hand_over(engine: Engine) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        log.append(conn, [_message(conversation, "message.in", "customer", 0, "Hallo")])
        log.append(conn, [_message(conversation, "message.out", "bot", 1, "Hi, ich bin Paula")])
        answered = _inbox_row(conn, conversation.id)
        log.append(conn, [_message(conversation, "message.in", "customer", 2, "Mensch bitte")])
        conversations.set_mode(conn, conversation.id, "human")
        log.append(conn, [_message(conversation, "message.out", "bot", 3, "Ich verbinde dich")])
        handed = _inbox_row(conn, conversation.id)
        log.append(conn, [_message(conversation, "message.out", "agent", 9, "Hallo, hier Anna")])
        replied = _inbox_row(conn, conversation.id)
    assert answered["waiting_since"] is None
    assert answered["preview"] == "Hallo"  # the customer's words, not the bot's
    assert answered["last_message_at"] == NOW + timedelta(minutes=1)
    assert handed["waiting_since"] == NOW + timedelta(minutes=2)  # since the customer asked
    assert handed["inbound_count"] == 2
    assert replied["waiting_since"] is None
    assert replied["preview"] == "Mensch bitte"


async def test_a_hand_over_in_the_same_batch_as_the_bots_answer_still_waits(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        log.append(
            conn,
            [
                _message(conversation, "message.in", "customer", 0, "Mensch!"),
                _message(conversation, "message.out", "bot", 0, "Ich hole jemanden"),
            ],
        )
        conversations.set_mode(conn, conversation.id, "human")  # the turn's commit, after
        row = _inbox_row(conn, conversation.id)
        conversations.set_mode(conn, conversation.id, "bot")
        back = _inbox_row(conn, conversation.id)
    assert row["waiting_since"] is not None
    assert back["waiting_since"] is None


async def test_a_message_without_words_keeps_the_last_preview(engine: Engine) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        log.append(conn, [_message(conversation, "message.in", "customer", 0, "Schau mal")])
        log.append(conn, [_message(conversation, "message.in", "customer", 1, None)])  # a photo
        row = _inbox_row(conn, conversation.id)
    assert row["preview"] == "Schau mal"
    assert row["inbound_count"] == 2
    assert row["last_message_at"] == NOW + timedelta(minutes=1)


async def test_a_closed_conversation_opens_again_when_the_customer_writes(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        conn.execute(table.update().where(table.c.id == conversation.id).values(closed_at=NOW))
        log.append(conn, [_message(conversation, "message.out", "bot", 1, "Noch was?")])
        still_closed = _inbox_row(conn, conversation.id)
        log.append(conn, [_message(conversation, "postback.in", "customer", 2, "Ja")])
        opened = _inbox_row(conn, conversation.id)
    assert still_closed["closed_at"] == NOW
    assert opened["closed_at"] is None
    assert opened["inbound_count"] == 1


async def test_the_search_finds_words_and_their_beginnings_folded_newest_first(
    engine: Engine,
) -> None:
    card = Card(title="Adidas Samba OG", subtitle="Der Klassiker", price="110,00 €")
    with engine.begin() as conn:
        first = conversations.create(conn, "webchat", "visitor-1")
        second = conversations.create(conn, "telegram", "4711")
        log.append(conn, [_message(first, "message.in", "customer", 0, "Welche GRÖSSE hat er?")])
        log.append(conn, [_message(second, "message.in", "customer", 1, "Laufschuhe in Größe 43")])
        entry = log.LogEntry(
            second.id, second.customer_id, "message.out", "bot", NOW + timedelta(minutes=2),
            content=to_json(Carousel(cards=(card, card))),
        )  # fmt: skip
        log.append(conn, [entry])
        size = matching_conversations(conn, "groesse")
        shoes = matching_conversations(conn, "lauf 43")
        samba = matching_conversations(conn, "samba")
        nothing = matching_conversations(conn, "lauf 44")
        empty = matching_conversations(conn, " ?! ")
    assert size == [second.id, first.id]
    assert shoes == [second.id]
    assert samba == [second.id]
    assert nothing == []
    assert empty == []


@pytest.mark.parametrize(
    "query", ['" OR 1=1 --', "a' OR 'x", "NEAR(a b)", "*", "x:*", "a & b | !c", "^x", "foo_bar"]
)
async def test_query_syntax_in_a_search_is_only_words(engine: Engine, query: str) -> None:
    with engine.begin() as conn:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        log.append(conn, [_message(conversation, "message.in", "customer", 0, "foo bar near")])
        found = matching_conversations(conn, query)
    assert isinstance(found, list)
    assert len(words_of(query)) <= 8


def test_upgrading_fills_the_rows_and_the_search_from_the_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    migrate.upgrade(url, "0009")
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO customers (id, created_at, profile) "
                    "VALUES ('cust1', '2026-12-01 10:00:00.000000', '{}')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO conversations (id, key, customer_id, channel, external_id, mode, "
                    "state, created_at, updated_at) VALUES ('conv1', 'webchat:v1', 'cust1', "
                    "'webchat', 'v1', 'human', '{}', '2026-12-01 10:00:00.000000', "
                    "'2026-12-01 10:00:00.000000')"
                )
            )
            for minute, kind, actor, said in [
                (1, "message.in", "customer", "Wo bleibt mein Paket?"),
                (2, "message.out", "bot", "Ich schaue nach"),
                (3, "message.in", "customer", "Sendungsnummer bitte"),
            ]:
                conn.execute(
                    text(
                        "INSERT INTO events (conversation_id, customer_id, kind, actor, content, "
                        "created_at) VALUES ('conv1', 'cust1', :kind, :actor, :content, :at)"
                    ),
                    {
                        "kind": kind,
                        "actor": actor,
                        "content": json.dumps({"type": "text", "text": said}),
                        "at": f"2026-12-01 10:0{minute}:00.000000",
                    },
                )
        migrate.upgrade(url)
        with engine.begin() as conn:
            row = _inbox_row(conn, "conv1")
            found = matching_conversations(conn, "paket")
    finally:
        engine.dispose()
    assert row["preview"] == "Sendungsnummer bitte"
    assert row["inbound_count"] == 2
    assert row["last_message_at"] == datetime(2026, 12, 1, 10, 3, tzinfo=UTC)
    assert found == ["conv1"]
