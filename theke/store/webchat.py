"""The web chat's mailbox: what a visitor's browser shows, in order, with a cursor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.store._dialect import upsert
from theke.store.schema import webchat_messages

__all__ = ["MailboxMessage", "after", "put"]


@dataclass(frozen=True, slots=True)
class MailboxMessage:
    id: int
    sender: str
    content: dict[str, Any]
    client_id: str | None
    created_at: datetime


async def put(
    conn: AsyncConnection,
    *,
    customer_id: str,
    sender: str,
    content: dict[str, Any],
    created_at: datetime,
    client_id: str | None = None,
    outbox_id: int | None = None,
) -> int | None:
    """Add a message; a second delivery of the same outbox row adds nothing (returns None)."""
    statement = upsert(conn, webchat_messages).values(
        customer_id=customer_id,
        sender=sender,
        content=content,
        client_id=client_id,
        outbox_id=outbox_id,
        created_at=created_at,
    )
    if outbox_id is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["outbox_id"])
    new_id: int | None = (
        await conn.execute(statement.returning(webchat_messages.c.id))
    ).scalar_one_or_none()
    return new_id


async def after(
    conn: AsyncConnection, customer_id: str, after_id: int, limit: int = 200
) -> list[MailboxMessage]:
    """The visitor's messages newer than ``after_id``, oldest first."""
    result = await conn.execute(
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
