"""An agent's work on a conversation: take over, reply, hand back, and what the rules say
before a reply goes out (SQLite only)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, Engine, select

from theke.content.codec import text_json
from theke.inbox.handling import (
    AlreadyTaken,
    HandlingRefused,
    UnknownConversation,
    assignee,
    hand_back,
    history,
    preview,
    reply,
    take_over,
)
from theke.store import conversations, log, users
from theke.store.conversations import Conversation
from theke.store.schema import audit_log, events, outbox
from theke.store.users import User

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    return sqlite_engine


def _user(conn: Connection, email: str, role: str = "agent") -> User:
    return users.add(conn, email, role, "not-a-real-hash")


def _handed_over(conn: Connection, channel: str = "webchat") -> Conversation:
    """A conversation in which the customer wrote once, then the bot handed over."""
    conversation = conversations.create(conn, channel, "visitor-1")
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, "message.in", "customer",
        NOW - timedelta(minutes=1), content=text_json("Ich will einen Menschen"),
    )  # fmt: skip
    log.append(conn, [entry])
    conversations.save(
        conn, [conversations.StateChange(conversation.id, {"introduced": True}, NOW)]
    )
    conversations.set_mode(conn, conversation.id, "human")
    found = conversations.get(conn, conversation.id)
    assert found is not None
    return found


def test_of_two_agents_taking_over_only_the_first_gets_it(engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        conversation = _handed_over(conn)
        taken = take_over(conn, conversation.id, anna, NOW)
        assert taken.mode == "human"
        with pytest.raises(AlreadyTaken, match=r"anna@shop\.example"):
            take_over(conn, conversation.id, ben, NOW)
        holder = assignee(conn, conversation.id)
        assert holder is not None
        assert holder.email == "anna@shop.example"
        take_over(conn, conversation.id, anna, NOW)  # again: still hers, no error
        kinds = [tuple(row) for row in conn.execute(select(events.c.kind, events.c.actor))]
        actions = list(conn.execute(select(audit_log.c.action)).scalars())
    assert kinds.count(("handoff.taken", "agent")) == 2
    assert actions == ["conversation.taken", "conversation.taken"]


def test_taking_over_an_unknown_conversation_is_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        with pytest.raises(UnknownConversation):
            take_over(conn, "0" * 32, anna, NOW)


def test_handing_back_gives_it_to_the_bot_which_introduces_itself_again(
    engine: Engine,
) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        conversation = _handed_over(conn)
        take_over(conn, conversation.id, anna, NOW)
        with pytest.raises(AlreadyTaken):
            hand_back(conn, conversation.id, ben, NOW)
        back = hand_back(conn, conversation.id, anna, NOW)
        assert assignee(conn, conversation.id) is None
        take_over(conn, conversation.id, ben, NOW)  # free again for anyone
    assert back.mode == "bot"
    assert back.state["introduced"] is False


def test_a_reply_queues_an_agent_message_and_shows_in_the_history(engine: Engine) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        conversation = _handed_over(conn)
        take_over(conn, conversation.id, anna, NOW)
        outbox_id = reply(conn, conversation.id, anna, "Hallo, hier ist Anna.", NOW)
        row = conn.execute(select(outbox).where(outbox.c.id == outbox_id)).one()
        entries = history(conn, conversation.id)
    assert (row.actor, row.is_reply, row.status) == ("agent", False, "pending")
    assert (row.channel, row.recipient) == ("webchat", "visitor-1")
    assert row.content == {"type": "text", "text": "Hallo, hier ist Anna."}
    assert [(entry.kind, entry.actor) for entry in entries] == [
        ("message.in", "customer"),
        ("message.out", "agent"),
    ]
    assert entries[-1].content == {"type": "text", "text": "Hallo, hier ist Anna."}


def test_the_history_keeps_the_newest_messages_oldest_first(engine: Engine) -> None:
    with engine.begin() as conn:
        conversation = _handed_over(conn)
        entries = [
            log.LogEntry(
                conversation.id, conversation.customer_id, "message.in", "customer",
                NOW, content=text_json(f"Nachricht {i}"),
            )
            for i in range(5)
        ]  # fmt: skip
        log.append(conn, entries)
        texts = [
            entry.content["text"]
            for entry in history(conn, conversation.id, limit=3)
            if entry.content
        ]
    assert texts == ["Nachricht 2", "Nachricht 3", "Nachricht 4"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [("x" * 4001, "zu lang: 4001 Zeichen"), ("   ", "Schreib zuerst eine Nachricht")],
)
def test_an_empty_or_too_long_reply_is_refused_and_nothing_queued(
    engine: Engine, text: str, problem: str
) -> None:
    with engine.begin() as conn:
        anna = _user(conn, "anna@shop.example")
        conversation = _handed_over(conn)
        take_over(conn, conversation.id, anna, NOW)
        with pytest.raises(ValueError, match=problem):
            reply(conn, conversation.id, anna, text, NOW)
        reply(conn, conversation.id, anna, "x" * 4000, NOW)  # the longest that goes
        queued = conn.execute(select(outbox.c.id)).all()
    assert len(queued) == 1


def test_only_the_agent_who_took_over_or_an_admin_may_reply(engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _user(conn, "anna@shop.example"), _user(conn, "ben@shop.example")
        boss = _user(conn, "chefin@shop.example", "admin")
        conversation = _handed_over(conn)
        with pytest.raises(HandlingRefused, match="Übernimm das Gespräch zuerst"):
            reply(conn, conversation.id, ben, "Hallo", NOW)
        take_over(conn, conversation.id, anna, NOW)
        with pytest.raises(AlreadyTaken, match=r"anna@shop\.example"):
            reply(conn, conversation.id, ben, "Hallo", NOW)
        reply(conn, conversation.id, boss, "Hier die Chefin.", NOW)
        actors = list(conn.execute(select(outbox.c.actor)).scalars())
    assert actors == ["agent"]


def _on(channel: str, ago: timedelta) -> Conversation:
    return Conversation(
        id="c" * 32, key=f"{channel}:x", customer_id="k" * 32, channel=channel,
        external_id="x", mode="human", state={}, last_inbound_at=NOW - ago,
    )  # fmt: skip


def test_the_preview_says_what_the_rules_will_do_with_a_reply() -> None:
    assert preview(_on("webchat", timedelta(days=30)), NOW) is None
    assert preview(_on("messenger", timedelta(hours=2)), NOW) is None
    tagged = preview(_on("messenger", timedelta(days=3)), NOW)
    assert tagged is not None
    assert "HUMAN_AGENT" in tagged
    assert preview(_on("messenger", timedelta(days=8)), NOW) == (
        "Mehr als 7 Tage seit der letzten Nachricht: Messenger lässt keine Antwort mehr zu."
    )
    assert preview(_on("whatsapp", timedelta(days=2)), NOW) == (
        "WhatsApp: außerhalb der 24 Stunden nur mit einer Vorlage."
    )
    assert preview(_on("whatsapp", timedelta(hours=23)), NOW) is None
    gone = replace(_on("telegram", timedelta(minutes=5)), unreachable_at=NOW)
    assert preview(gone, NOW) == "Der Kunde ist gerade nicht erreichbar."
    stopped = preview(_on("telegram", timedelta(minutes=5)), NOW, is_opted_out=True)
    assert stopped is not None
    assert "STOP" in stopped
