"""Marketing-messages opt-ins: the tokens customers grant for a topic, until they stop them.

Messenger sends a ``notification_messages_token`` when a customer agrees to hear about a
topic (Meta's marketing-messages opt-in); the token, not the 24-hour window, is what lets
a message about that topic through later, until it expires or the customer stops it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from theke.store._dialect import upsert
from theke.store.schema import optins, utcnow

__all__ = ["OptinChange", "apply", "token_for"]


@dataclass(frozen=True, slots=True)
class OptinChange:
    """A customer granted (``token`` set) or stopped (``token`` None) messages about a topic."""

    conversation_id: str
    channel: str
    topic: str
    token: str | None
    expires_at: datetime | None = None


def apply(conn: Connection, changes: Sequence[OptinChange]) -> None:
    """Store grants (a new token replaces the old one) and stops, in order."""
    now = utcnow()
    for change in changes:
        if change.token is None:
            conn.execute(
                update(optins)
                .where(
                    optins.c.conversation_id == change.conversation_id,
                    optins.c.topic == change.topic,
                )
                .values(status="stopped", updated_at=now)
            )
            continue
        values = {
            "token": change.token,
            "expires_at": change.expires_at,
            "status": "active",
            "updated_at": now,
        }
        statement = upsert(conn, optins).values(
            conversation_id=change.conversation_id,
            channel=change.channel,
            topic=change.topic,
            created_at=now,
            **values,
        )
        keys = ["conversation_id", "topic"]
        conn.execute(statement.on_conflict_do_update(index_elements=keys, set_=values))


def token_for(conn: Connection, conversation_id: str, topic: str, now: datetime) -> str | None:
    """The active, unexpired token for ``topic`` in this conversation, if the customer gave one."""
    row = conn.execute(
        select(optins.c.token, optins.c.expires_at).where(
            optins.c.conversation_id == conversation_id,
            optins.c.topic == topic,
            optins.c.status == "active",
        )
    ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= now):
        return None
    return str(row.token)
