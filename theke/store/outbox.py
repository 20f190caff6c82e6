"""The transactional outbox: replies committed with the turn, delivered by the dispatcher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.store.schema import conversations, outbox, utcnow

__all__ = [
    "ClaimedMessage",
    "NewMessage",
    "claim",
    "counts",
    "enqueue",
    "mark_dead",
    "mark_held",
    "mark_retry",
    "mark_sent",
    "release",
]


@dataclass(frozen=True, slots=True)
class NewMessage:
    conversation_id: str
    channel: str
    recipient: str
    content: dict[str, Any]
    actor: str = "bot"
    is_reply: bool = True
    inbound_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    conversation_id: str
    channel: str
    recipient: str
    content: dict[str, Any]
    actor: str
    is_reply: bool
    attempts: int
    resumed: bool  # claimed again after a lapsed claim: it may have gone out already
    mode: str
    last_inbound_at: datetime | None


async def enqueue(conn: AsyncConnection, messages: Sequence[NewMessage]) -> list[int]:
    """Add messages to the outbox; returns their ids in order."""
    now = utcnow()
    ids: list[int] = []
    for message in messages:
        statement = (
            outbox.insert()
            .values(
                conversation_id=message.conversation_id,
                channel=message.channel,
                recipient=message.recipient,
                content=message.content,
                actor=message.actor,
                is_reply=message.is_reply,
                inbound_id=message.inbound_id,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
            .returning(outbox.c.id)
        )
        ids.append(int((await conn.execute(statement)).scalar_one()))
    return ids


def _claimable(now: datetime) -> Any:
    due = and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now)
    lapsed = and_(outbox.c.status == "inflight", outbox.c.claimed_until < now)
    earlier = outbox.alias("earlier")
    blocked = exists().where(
        earlier.c.conversation_id == outbox.c.conversation_id,
        earlier.c.id < outbox.c.id,
        or_(
            and_(earlier.c.status == "pending", earlier.c.next_attempt_at > now),
            and_(earlier.c.status == "inflight", earlier.c.claimed_until >= now),
        ),
    )
    return and_(or_(due, lapsed), ~blocked)


async def claim(conn: AsyncConnection, owner: str, limit: int, ttl: float) -> list[ClaimedMessage]:
    """Claim due messages for delivery, oldest first, never overtaking within a conversation."""
    now = utcnow()
    candidates = (
        select(outbox.c.id, outbox.c.status)
        .where(_claimable(now))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    claimed = {row.id: row.status == "inflight" for row in await conn.execute(candidates)}
    if claimed:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(claimed)))
            .values(status="inflight", claimed_by=owner, claimed_until=now + timedelta(seconds=ttl))
        )
    if not claimed:
        return []
    rows = await conn.execute(
        select(outbox, conversations.c.mode, conversations.c.last_inbound_at)
        .join(conversations, conversations.c.id == outbox.c.conversation_id)
        .where(outbox.c.id.in_(list(claimed)))
        .order_by(outbox.c.id)
    )
    return [
        ClaimedMessage(
            id=row["id"],
            conversation_id=row["conversation_id"],
            channel=row["channel"],
            recipient=row["recipient"],
            content=row["content"],
            actor=row["actor"],
            is_reply=row["is_reply"],
            attempts=row["attempts"],
            resumed=claimed[row["id"]],
            mode=row["mode"],
            last_inbound_at=row["last_inbound_at"],
        )
        for row in rows.mappings()
    ]


async def mark_sent(conn: AsyncConnection, ids: Sequence[int]) -> None:
    if ids:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)))
            .values(status="sent", sent_at=utcnow(), attempts=outbox.c.attempts + 1)
        )


async def mark_retry(
    conn: AsyncConnection, message_id: int, at: datetime, code: str, error: str
) -> None:
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id)
        .values(
            status="pending",
            next_attempt_at=at,
            attempts=outbox.c.attempts + 1,
            error_code=code,
            last_error=error[:2000],
        )
    )


async def mark_dead(conn: AsyncConnection, message_id: int, code: str, error: str) -> None:
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id)
        .values(
            status="dead", attempts=outbox.c.attempts + 1, error_code=code, last_error=error[:2000]
        )
    )


async def mark_held(conn: AsyncConnection, message_id: int, reason: str) -> None:
    await conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id)
        .values(status="held", error_code=reason, last_error=None)
    )


async def release(conn: AsyncConnection, ids: Sequence[int]) -> None:
    """Put claimed but untried messages back, unchanged."""
    if ids:
        await conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.status == "inflight")
            .values(status="pending", claimed_by=None, claimed_until=None)
        )


async def counts(conn: AsyncConnection) -> dict[str, int]:
    """How many messages are in each status."""
    result = await conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in result.all()}
