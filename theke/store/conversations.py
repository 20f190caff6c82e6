"""Customers, their channel identities and their conversations."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.store._dialect import upsert
from theke.store.schema import conversations, customers, identities, utcnow

__all__ = [
    "Conversation",
    "create",
    "customer_for",
    "ensure_customer",
    "get",
    "load_many",
    "new_id",
    "save",
    "set_mode",
]


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    key: str
    customer_id: str
    channel: str
    external_id: str
    mode: str
    state: dict[str, Any]
    last_inbound_at: datetime | None


async def customer_for(conn: AsyncConnection, channel: str, external_id: str) -> str | None:
    """The customer behind a channel identity, or None when we have never seen it."""
    found = await conn.execute(
        select(identities.c.customer_id).where(
            identities.c.channel == channel, identities.c.external_id == external_id
        )
    )
    customer_id: str | None = found.scalar_one_or_none()
    return customer_id


def new_id() -> str:
    """A 128-bit random id in hex: unguessable, safe to show to a browser."""
    return secrets.token_hex(16)


async def ensure_customer(
    conn: AsyncConnection, channel: str, external_id: str, customer_id: str | None = None
) -> str:
    """The customer behind a channel identity, created on first sight."""
    existing = await customer_for(conn, channel, external_id)
    if existing is not None:
        return existing
    now = utcnow()
    customer_id = customer_id or new_id()
    await conn.execute(
        upsert(conn, customers)
        .values(id=customer_id, created_at=now, profile={})
        .on_conflict_do_nothing(index_elements=["id"])
    )
    await conn.execute(
        identities.insert().values(
            channel=channel, external_id=external_id, customer_id=customer_id, created_at=now
        )
    )
    return customer_id


def _row(row: Any) -> Conversation:
    return Conversation(
        id=row["id"],
        key=row["key"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        external_id=row["external_id"],
        mode=row["mode"],
        state=dict(row["state"] or {}),
        last_inbound_at=row["last_inbound_at"],
    )


async def load_many(conn: AsyncConnection, keys: Sequence[str]) -> dict[str, Conversation]:
    """The existing conversations among ``keys``."""
    if not keys:
        return {}
    result = await conn.execute(select(conversations).where(conversations.c.key.in_(list(keys))))
    return {row["key"]: _row(row) for row in result.mappings()}


async def get(conn: AsyncConnection, conversation_id: str) -> Conversation | None:
    result = await conn.execute(select(conversations).where(conversations.c.id == conversation_id))
    row = result.mappings().one_or_none()
    return None if row is None else _row(row)


async def create(conn: AsyncConnection, channel: str, external_id: str) -> Conversation:
    """Start the conversation of a channel identity (and its customer, if new)."""
    customer_id = await ensure_customer(conn, channel, external_id)
    now = utcnow()
    conversation = Conversation(
        id=new_id(),
        key=f"{channel}:{external_id}",
        customer_id=customer_id,
        channel=channel,
        external_id=external_id,
        mode="bot",
        state={},
        last_inbound_at=None,
    )
    await conn.execute(
        conversations.insert().values(
            id=conversation.id,
            key=conversation.key,
            customer_id=customer_id,
            channel=channel,
            external_id=external_id,
            mode="bot",
            state={},
            created_at=now,
            updated_at=now,
        )
    )
    return conversation


async def save(
    conn: AsyncConnection,
    conversation_id: str,
    state: dict[str, Any],
    last_inbound_at: datetime | None,
) -> None:
    """Store the state a turn left behind."""
    await conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(state=state, updated_at=utcnow(), last_inbound_at=last_inbound_at)
    )


async def set_mode(conn: AsyncConnection, conversation_id: str, mode: str) -> None:
    """Switch a conversation between the bot and a human."""
    if mode not in ("bot", "human"):
        raise ValueError(f"unknown conversation mode {mode!r}")
    await conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(mode=mode, updated_at=utcnow())
    )
