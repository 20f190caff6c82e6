"""The questions the bot missed most often, grouped by similarity (typos and case do not
split a group), the biggest group first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, insert

from theke.content.codec import text_json
from theke.inbox.missed import missed_questions, similarity
from theke.store import conversations, log
from theke.store.schema import inbound_events

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    return sqlite_engine


def _missed(conn: Connection, text: str, minutes: int, reason: str = "no_match") -> None:
    """A customer wrote ``text`` ``minutes`` ago and the bot fell back."""
    conversation = conversations.create(conn, "webchat", f"v-{text}-{minutes}")
    at = NOW - timedelta(minutes=minutes)
    inbound_id = conn.execute(
        insert(inbound_events).values(
            channel="webchat", external_id=f"e-{text}-{minutes}",
            conversation_key=conversation.key, payload={}, received_at=at, status="done",
        )
    ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    c = conversation
    log.append(
        conn,
        [
            log.LogEntry(c.id, c.customer_id, "message.in", "customer", at,
                         content=text_json(text), inbound_id=inbound_id),
            log.LogEntry(c.id, c.customer_id, "fallback", "bot", at,
                         data={"reason": reason}, inbound_id=inbound_id),
        ],
    )  # fmt: skip


def test_similar_questions_are_counted_together_the_biggest_group_first(engine: Engine) -> None:
    with engine.begin() as conn:
        _missed(conn, "Kann ich mit Paypal zahlen?", 50)
        _missed(conn, "kann ich mit paypal bezahlen", 40)
        _missed(conn, "KANN ICH MIT PAYPLA ZAHLEN", 30)  # a typo, shouted
        _missed(conn, "Gibt es Studentenrabatt?", 20)
        _missed(conn, "gibt es studenten rabatt", 10)
        _missed(conn, "Wie ist das Wetter?", 5)
        _missed(conn, "", 4, reason="empty")
        _missed(conn, "Zu alt, vor 40 Tagen", 60 * 24 * 40)
        groups = missed_questions(conn, NOW)
    assert [group.count for group in groups] == [3, 2, 1]
    assert groups[0].examples[0].text == "KANN ICH MIT PAYPLA ZAHLEN"  # the newest first
    assert "paypal" in groups[0].label.lower()
    assert groups[2].label == "Wie ist das Wetter?"


@given(st.text(max_size=60), st.text(max_size=60))
def test_similarity_is_symmetric_and_between_zero_and_one(first: str, second: str) -> None:
    a, b = set(first[i : i + 3] for i in range(len(first))), set(second)
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
