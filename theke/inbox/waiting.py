"""The conversations waiting for a person: handed over by the bot (mode "human"), newest
first, each with the customer's last message from the event log."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, or_, select

from theke.store.schema import conversations, events

__all__ = ["LIMIT", "Waiting", "waiting"]

LIMIT = 100
_CHANNELS = {
    "webchat": "Web-Chat",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "messenger": "Messenger",
    "instagram": "Instagram",
    "console": "Konsole",
}


@dataclass(frozen=True, slots=True)
class Waiting:
    """One line of the inbox list."""

    conversation_id: str
    channel: str
    customer_id: str
    last_written_at: datetime | None
    text: str | None

    @property
    def channel_name(self) -> str:
        return _CHANNELS.get(self.channel, self.channel)

    @property
    def customer_short(self) -> str:
        return self.customer_id[:8]


def waiting(conn: Connection, now: datetime, limit: int = LIMIT) -> list[Waiting]:
    """Up to ``limit`` conversations a person has to answer, the last updated first.

    A timed pause that has run out (a reply typed in the platform's own inbox) gave the
    conversation back to the bot: it is not listed.
    """
    c = conversations.c
    rows = conn.execute(
        select(c.id, c.channel, c.customer_id, c.last_inbound_at)
        .where(c.mode == "human", or_(c.human_until.is_(None), c.human_until > now))
        .order_by(c.updated_at.desc(), c.id)
        .limit(limit)
    ).all()
    last = _last_messages(conn, [row.id for row in rows])
    result = []
    for row in rows:
        text, written_at = last.get(row.id, (None, None))
        result.append(
            Waiting(
                conversation_id=row.id,
                channel=row.channel,
                customer_id=row.customer_id,
                last_written_at=_latest(row.last_inbound_at, written_at),
                text=text,
            )
        )
    return result


def _last_messages(
    conn: Connection, conversation_ids: Sequence[str]
) -> dict[str, tuple[str | None, datetime]]:
    """The text and time of each conversation's newest ``message.in`` event."""
    if not conversation_ids:
        return {}
    newest = (
        select(func.max(events.c.id))
        .where(events.c.kind == "message.in", events.c.conversation_id.in_(conversation_ids))
        .group_by(events.c.conversation_id)
    )
    rows = conn.execute(
        select(events.c.conversation_id, events.c.content, events.c.created_at).where(
            events.c.id.in_(newest)
        )
    )
    return {row.conversation_id: (_text(row.content), row.created_at) for row in rows}


def _text(content: Any) -> str | None:
    text = content.get("text") if isinstance(content, dict) else None
    return text if isinstance(text, str) and text.strip() else None


def _latest(first: datetime | None, second: datetime | None) -> datetime | None:
    known = [when for when in (first, second) if when is not None]
    return max(known) if known else None
