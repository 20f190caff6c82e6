"""The transactional outbox: replies committed with the turn, delivered by the dispatcher."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, update

from theke.store.schema import conversations, outbox, utcnow

__all__ = [
    "ClaimedMessage",
    "Failure",
    "NewMessage",
    "claim",
    "counts",
    "enqueue",
    "mark_failed",
    "mark_held",
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


def enqueue(conn: Connection, messages: Sequence[NewMessage]) -> list[int]:
    """Add messages to the outbox in one round trip; returns their ids in order."""
    if not messages:
        return []
    now = utcnow()
    statement = outbox.insert().returning(outbox.c.id, sort_by_parameter_order=True)
    rows = [
        {
            "conversation_id": message.conversation_id,
            "channel": message.channel,
            "recipient": message.recipient,
            "content": message.content,
            "actor": message.actor,
            "is_reply": message.is_reply,
            "inbound_id": message.inbound_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for message in messages
    ]
    return [int(new_id) for new_id in (conn.execute(statement, rows)).scalars()]


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


def claim(conn: Connection, owner: str, limit: int, ttl: float) -> list[ClaimedMessage]:
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
    claimed = {row.id: row.status == "inflight" for row in conn.execute(candidates)}
    if claimed:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(claimed)))
            .values(status="inflight", claimed_by=owner, claimed_until=now + timedelta(seconds=ttl))
        )
    if not claimed:
        return []
    rows = conn.execute(
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


def mark_sent(conn: Connection, ids: Sequence[int], owner: str) -> int:
    """Mark delivered rows sent; only rows still claimed by ``owner`` (returns how many)."""
    if not ids:
        return 0
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(list(ids)), _still_ours(owner))
        .values(status="sent", sent_at=utcnow(), attempts=outbox.c.attempts + 1)
    )
    return int(result.rowcount)


def _still_ours(owner: str) -> Any:
    """Guards every settling statement: a dispatcher whose claim lapsed changes nothing."""
    return and_(outbox.c.status == "inflight", outbox.c.claimed_by == owner)


@dataclass(frozen=True, slots=True)
class Failure:
    """A failed attempt: retried at ``retry_at``, or dead-lettered when it is None."""

    message_id: int
    code: str
    error: str
    retry_at: datetime | None = None


def mark_failed(conn: Connection, failures: Sequence[Failure], owner: str) -> None:
    """Record failed attempts (one round trip per kind), keeping code and error text."""
    retries = [f for f in failures if f.retry_at is not None]
    dead = [f for f in failures if f.retry_at is None]
    if retries:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("message_id"), _still_ours(owner))
            .values(
                status="pending",
                next_attempt_at=bindparam("retry_at"),
                attempts=outbox.c.attempts + 1,
                error_code=bindparam("code"),
                last_error=bindparam("error"),
                claimed_by=None,
                claimed_until=None,
            ),
            [_failure_row(f) for f in retries],
        )
    if dead:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("message_id"), _still_ours(owner))
            .values(
                status="dead",
                attempts=outbox.c.attempts + 1,
                error_code=bindparam("code"),
                last_error=bindparam("error"),
            ),
            [_failure_row(f) for f in dead],
        )


def _failure_row(failure: Failure) -> dict[str, Any]:
    row: dict[str, Any] = {
        "message_id": failure.message_id,
        "code": failure.code,
        "error": failure.error[:2000],
    }
    if failure.retry_at is not None:
        row["retry_at"] = failure.retry_at
    return row


def mark_held(conn: Connection, held: Sequence[tuple[int, str]], owner: str) -> None:
    """Record messages the policy held back, with the reason."""
    if held:
        conn.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("message_id"), _still_ours(owner))
            .values(status="held", error_code=bindparam("reason"), last_error=None),
            [{"message_id": message_id, "reason": reason} for message_id, reason in held],
        )


def release(conn: Connection, ids: Sequence[int], owner: str) -> None:
    """Put claimed but untried messages back, unchanged."""
    if ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), _still_ours(owner))
            .values(status="pending", claimed_by=None, claimed_until=None)
        )


def counts(conn: Connection) -> dict[str, int]:
    """How many messages are in each status."""
    result = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in result.all()}
