"""Tell the agents that a conversation waits for a person: a ``conversation.waiting``
webhook to the inbox's receiver (``THEKE_INBOX_WEBHOOK_URL``).

The event is queued in the caller's transaction, beside the hand-over it reports, and
sent by the worker like the shop system's events (signed, retried, skipped without a
URL). It carries no customer text and no customer id: the receiver may be a chat tool
that more people can read than the inbox; the link leads to the conversation, behind the
inbox's sign-in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from theke.store import webhooks

__all__ = ["WAITING_TOPIC", "waiting"]

WAITING_TOPIC = "conversation.waiting"


def waiting(
    conn: Connection,
    conversation_id: str,
    channel: str,
    reason: str | None,
    now: datetime,
    public_url: str,
) -> str:
    """Queue ``conversation.waiting`` for the conversation the bot handed to a person on
    ``channel`` (``reason``: why, if known); returns the event id (``evt_...``)."""
    data = {
        "conversation_id": conversation_id,
        "channel": channel,
        "reason": reason,
        "waiting_since": now.isoformat(),
        "url": f"{public_url.rstrip('/')}/inbox/c/{conversation_id}",
    }
    return webhooks.record(conn, WAITING_TOPIC, data, now, target="inbox")
