"""The web chat's mailbox: what a visitor's browser shows, in order, with a cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from theke.store._dialect import upsert
from theke.store.ingest import Companion
from theke.store.schema import utcnow, webchat_messages

__all__ = ["MailboxMessage", "after", "deliver_many", "visitor_echo"]


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    id: int
    sender: str
    content: dict[str, Any]
    client_id: str | None
    created_at: datetime


def visitor_echo(
    customer_id: str, content: dict[str, Any], client_id: str | None, created_at: datetime
) -> Companion:
    """The visitor's own message, stored with their inbound event (see ``Ingestor.submit``)."""
    return Companion(
        webchat_messages,
        {
            "customer_id": customer_id,
            "sender": "customer",
            "content": content,
            "client_id": client_id,
            "created_at": created_at,
        },
    )


def deliver_many(conn: Connection, messages: list[tuple[str, str, dict[str, Any], int]]) -> None:
    """Put outbox messages ``(customer_id, sender, content, outbox_id)`` into mailboxes.

    One statement for the batch; a row delivered before (a resent claim) adds nothing.
    """
    if not messages:
        return
    now = utcnow()
    statement = upsert(conn, webchat_messages).on_conflict_do_nothing(index_elements=["outbox_id"])
    conn.execute(
        statement,
        [
            {
                "customer_id": customer_id,
                "sender": sender,
                "content": content,
                "client_id": None,
                "outbox_id": outbox_id,
                "created_at": now,
            }
            for customer_id, sender, content, outbox_id in messages
        ],
    )


def after(
    conn: Connection, customer_id: str, after_id: int, limit: int = 200
) -> list[MailboxMessage]:
    """The visitor's messages newer than ``after_id``, oldest first."""
    result = conn.execute(
        select(webchat_messages)
        .where(webchat_messages.c.customer_id == customer_id, webchat_messages.c.id > after_id)
        .order_by(webchat_messages.c.id)
        .limit(limit)
    )
    return [
        MailboxMessage(
            id=row["id"],
            sender=row["sender"],
            content=row["content"],
            client_id=row["client_id"],
            created_at=row["created_at"],
        )
        for row in result.mappings()
    ]
