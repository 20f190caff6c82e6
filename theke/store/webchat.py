"""The web chat's mailbox: what a visitor's browser shows, in order, with a cursor.

A browser reads "the messages after the last id I saw", so within one visitor's
mailbox ids must become visible in id order. PostgreSQL draws an id when a row
is inserted but shows the row when its transaction commits: a reply inserted
first and committed last would be passed over for good. Every writer of a
mailbox therefore locks the visitor's ``customers`` row before it inserts and
holds the lock until commit, so one visitor's rows commit in the order their
ids were drawn. SQLite has one writer at a time, which already does that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select

from theke.store._dialect import upsert
from theke.store.ingest import Companion
from theke.store.schema import customers, utcnow, webchat_messages

__all__ = ["READ_LIMIT", "MailboxMessage", "after", "deliver_many", "visitor_echo"]


READ_LIMIT = 200
"""The most messages one read returns; the cursor pages through longer histories."""


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
        lock=_lock_echoes,
    )


def deliver_many(
    conn: Connection, messages: list[tuple[str, str, dict[str, Any], int]]
) -> list[tuple[str, MailboxMessage]]:
    """Put outbox messages ``(customer_id, sender, content, outbox_id)`` into mailboxes.

    One statement for the batch; a row delivered before (a resent claim) adds
    nothing. Returns ``(customer_id, row)`` for the rows added, in the order given.
    """
    if not messages:
        return []
    _lock_mailboxes(conn, (customer_id for customer_id, _, _, _ in messages))
    now = utcnow()
    statement = (
        upsert(conn, webchat_messages)
        .on_conflict_do_nothing(index_elements=["outbox_id"])
        .returning(webchat_messages.c.id, webchat_messages.c.outbox_id)
    )
    result = conn.execute(
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
    added = {row.outbox_id: int(row.id) for row in result}
    return [
        (customer_id, MailboxMessage(added[outbox_id], sender, content, None, now))
        for customer_id, sender, content, outbox_id in messages
        if outbox_id in added
    ]


def _lock_mailboxes(conn: Connection, customer_ids: Iterable[str]) -> None:
    """Hold these visitors' mailboxes until commit (one statement, in id order: no deadlock).

    ``FOR NO KEY UPDATE`` leaves rows that reference a customer free to be written.
    """
    if conn.dialect.name != "postgresql":
        return
    ids = sorted(set(customer_ids))
    if ids:
        conn.execute(
            select(customers.c.id)
            .where(customers.c.id.in_(ids))
            .order_by(customers.c.id)
            .with_for_update(key_share=True)
        )


def _lock_echoes(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    _lock_mailboxes(conn, (row["customer_id"] for row in rows))


_AFTER = (
    select(webchat_messages)
    .where(
        webchat_messages.c.customer_id == bindparam("customer_id"),
        webchat_messages.c.id > bindparam("after_id"),
    )
    .order_by(webchat_messages.c.id)
    .limit(bindparam("limit"))
)


def after(
    conn: Connection, customer_id: str, after_id: int, limit: int = READ_LIMIT
) -> list[MailboxMessage]:
    """The visitor's messages newer than ``after_id``, oldest first."""
    result = conn.execute(
        _AFTER, {"customer_id": customer_id, "after_id": after_id, "limit": limit}
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
