"""The inbound queue: what channels delivered, stored once, handled in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.channels.base import InboundEvent
from theke.store._dialect import upsert
from theke.store.schema import inbound_events, utcnow

__all__ = ["PendingInbound", "depth", "insert", "mark_done", "pending_for", "pending_keys"]


@dataclass(frozen=True, slots=True)
class PendingInbound:
    id: int
    channel: str
    external_id: str
    conversation_key: str
    payload: dict[str, Any]
    received_at: datetime


async def insert(conn: AsyncConnection, event: InboundEvent) -> int | None:
    """Store one event; the new row id, or None when it was a duplicate."""
    statement = (
        upsert(conn, inbound_events)
        .values(
            channel=event.channel,
            external_id=event.event_id,
            conversation_key=event.conversation_key,
            payload=event.to_payload(),
            received_at=event.received_at,
            status="pending",
            attempts=0,
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(inbound_events.c.id)
    )
    row_id: int | None = (await conn.execute(statement)).scalar_one_or_none()
    return row_id


async def pending_keys(conn: AsyncConnection, limit: int) -> list[str]:
    """Conversations with unhandled events, the longest-waiting first."""
    oldest = func.min(inbound_events.c.id)
    statement = (
        select(inbound_events.c.conversation_key)
        .where(inbound_events.c.status == "pending")
        .group_by(inbound_events.c.conversation_key)
        .order_by(oldest)
        .limit(limit)
    )
    return list((await conn.execute(statement)).scalars())


async def pending_for(
    conn: AsyncConnection, keys: Sequence[str], limit_per_key: int = 50
) -> dict[str, list[PendingInbound]]:
    """The unhandled events of these conversations, in arrival order."""
    statement = (
        select(inbound_events)
        .where(inbound_events.c.status == "pending")
        .where(inbound_events.c.conversation_key.in_(list(keys)))
        .order_by(inbound_events.c.id)
    )
    found: dict[str, list[PendingInbound]] = {key: [] for key in keys}
    for row in (await conn.execute(statement)).mappings():
        bucket = found[row["conversation_key"]]
        if len(bucket) < limit_per_key:
            bucket.append(
                PendingInbound(
                    id=row["id"],
                    channel=row["channel"],
                    external_id=row["external_id"],
                    conversation_key=row["conversation_key"],
                    payload=row["payload"],
                    received_at=row["received_at"],
                )
            )
    return found


async def mark_done(conn: AsyncConnection, ids: Sequence[int]) -> int:
    """Mark events handled; returns how many were still pending (guards double handling)."""
    if not ids:
        return 0
    statement = (
        update(inbound_events)
        .where(inbound_events.c.id.in_(list(ids)))
        .where(inbound_events.c.status == "pending")
        .values(status="done", processed_at=utcnow())
    )
    result = await conn.execute(statement)
    return int(result.rowcount)


async def depth(conn: AsyncConnection) -> int:
    """How many events wait to be handled."""
    statement = select(func.count()).where(inbound_events.c.status == "pending")
    return int((await conn.execute(statement)).scalar_one())
