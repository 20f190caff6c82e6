"""The transactional outbox: replies committed with the turn, delivered by the dispatcher."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, update

from theke.store.schema import conversations, customers, outbox, utcnow

__all__ = [
    "ClaimedMessage",
    "Failure",
    "NewMessage",
    "asked_to_share",
    "claim",
    "counts",
    "enqueue",
    "extend_claim",
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
    purpose: str | None = None  # for a message that answers nothing: why it goes out
    data: dict[str, Any] | None = None  # fills a WhatsApp template outside the window
    settled: str | None = None  # "sent" or "held": decided in the same transaction, no dispatch
    reason: str | None = None  # why it was held


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
    purpose: str | None = None
    reachable: bool = True
    data: dict[str, Any] | None = None
    human_until: datetime | None = None  # a pause by a person in the platform's inbox
    opted_out: bool = False  # the customer sent STOP


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
            "purpose": message.purpose,
            "data": message.data,
            "inbound_id": message.inbound_id,
            "status": message.settled or "pending",
            "attempts": 1 if message.settled == "sent" else 0,
            "error_code": message.reason,
            "next_attempt_at": now,
            "created_at": now,
            "sent_at": now if message.settled == "sent" else None,
        }
        for message in messages
    ]
    return [int(new_id) for new_id in (conn.execute(statement, rows)).scalars()]


def _due(now: datetime) -> Any:
    """Pending and due, or in flight under a claim that lapsed."""
    return or_(
        and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now),
        and_(outbox.c.status == "inflight", outbox.c.claimed_until < now),
    )


def _claimable(now: datetime) -> Any:
    """Due, and no earlier message of its conversation waits for a retry or is in flight."""
    earlier = outbox.alias("earlier")
    blocked = exists().where(
        earlier.c.conversation_id == outbox.c.conversation_id,
        earlier.c.id < outbox.c.id,
        or_(
            and_(earlier.c.status == "pending", earlier.c.next_attempt_at > now),
            and_(earlier.c.status == "inflight", earlier.c.claimed_until >= now),
        ),
    )
    return and_(_due(now), ~blocked)


@dataclass(frozen=True, slots=True)
class _Queued:
    """A pending or in-flight message, as much of it as deciding on a claim needs."""

    id: int
    conversation_id: str
    status: str
    next_attempt_at: datetime
    claimed_until: datetime | None
    mode: str
    last_inbound_at: datetime | None
    unreachable_at: datetime | None
    human_until: datetime | None
    opted_out_at: datetime | None

    def due(self, now: datetime) -> bool:
        if self.status == "pending":
            return self.next_attempt_at <= now
        return self.claimed_until is not None and self.claimed_until < now


def claim(
    conn: Connection, owner: str, limit: int, ttl: float, *, skip: Sequence[str] = ()
) -> list[ClaimedMessage]:
    """Claim due messages for delivery, oldest first, never overtaking within a conversation.

    Messages of the channels in ``skip`` (stopped for a refused token) stay where they are.

    One dispatcher at a time claims a conversation's messages. On PostgreSQL
    its ``conversations`` row is locked first, and conversations another
    dispatcher is claiming are skipped; the messages are read only then, by a
    statement that sees every claim committed before ours.
    """
    now = utcnow()
    in_hand = _take_conversations(conn, now, limit, skip)
    if not in_hand:
        return []
    ready = _leading(_queued(conn, in_hand, limit), lambda row: row.due(now))
    if conn.dialect.name == "postgresql" and ready:
        free = _lock_free(conn, [row.id for row in ready], now)
        ready = _leading(ready, lambda row: row.id in free)
    if not ready:
        return []
    return _mark_claimed(conn, ready, owner, now + timedelta(seconds=ttl))


def _take_conversations(
    conn: Connection, now: datetime, limit: int, skip: Sequence[str]
) -> list[str]:
    """Conversations with a claimable message, oldest first; on PostgreSQL locked until commit."""
    statement = (
        select(outbox.c.conversation_id).where(_claimable(now)).order_by(outbox.c.id).limit(limit)
    )
    if skip:
        statement = statement.where(outbox.c.channel.not_in(list(skip)))
    if conn.dialect.name == "postgresql":
        # NO KEY UPDATE: a turn may still add messages (they take a KEY SHARE lock) meanwhile.
        statement = statement.join(
            conversations, conversations.c.id == outbox.c.conversation_id
        ).with_for_update(of=conversations, skip_locked=True, key_share=True)
    return list(dict.fromkeys(conn.execute(statement).scalars()))


def _queued(conn: Connection, conversation_ids: list[str], limit: int) -> list[_Queued]:
    """The conversations' pending and in-flight messages, oldest first."""
    result = conn.execute(
        select(
            outbox.c.id,
            outbox.c.conversation_id,
            outbox.c.status,
            outbox.c.next_attempt_at,
            outbox.c.claimed_until,
            conversations.c.mode,
            conversations.c.last_inbound_at,
            conversations.c.unreachable_at,
            conversations.c.human_until,
            customers.c.opted_out_at,
        )
        .join_from(outbox, conversations, conversations.c.id == outbox.c.conversation_id)
        .join(customers, customers.c.id == conversations.c.customer_id)
        .where(
            outbox.c.conversation_id.in_(conversation_ids),
            outbox.c.status.in_(("pending", "inflight")),
        )
        .order_by(outbox.c.id)
        .limit(limit)
    )
    return [_Queued(**row) for row in result.mappings()]


def _leading(rows: list[_Queued], keep: Callable[[_Queued], bool]) -> list[_Queued]:
    """Each conversation's messages in order, up to the first one ``keep`` turns down."""
    stopped: set[str] = set()
    kept: list[_Queued] = []
    for row in rows:
        if row.conversation_id in stopped:
            continue
        if keep(row):
            kept.append(row)
        else:
            stopped.add(row.conversation_id)
    return kept


def _lock_free(conn: Connection, ids: list[int], now: datetime) -> set[int]:
    """Lock the messages still due; skip those a dispatcher whose claim lapsed is settling."""
    result = conn.execute(
        select(outbox.c.id).where(outbox.c.id.in_(ids), _due(now)).with_for_update(skip_locked=True)
    )
    return set(result.scalars())


def _mark_claimed(
    conn: Connection, ready: list[_Queued], owner: str, until: datetime
) -> list[ClaimedMessage]:
    queued = {row.id: row for row in ready}
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(list(queued)))
        .values(status="inflight", claimed_by=owner, claimed_until=until)
        .returning(
            outbox.c.id,
            outbox.c.channel,
            outbox.c.recipient,
            outbox.c.content,
            outbox.c.actor,
            outbox.c.is_reply,
            outbox.c.attempts,
            outbox.c.purpose,
            outbox.c.data,
        )
    )
    claimed = [
        ClaimedMessage(
            id=row["id"],
            conversation_id=queued[row["id"]].conversation_id,
            channel=row["channel"],
            recipient=row["recipient"],
            content=row["content"],
            actor=row["actor"],
            is_reply=row["is_reply"],
            attempts=row["attempts"],
            resumed=queued[row["id"]].status == "inflight",
            mode=queued[row["id"]].mode,
            last_inbound_at=queued[row["id"]].last_inbound_at,
            purpose=row["purpose"],
            reachable=queued[row["id"]].unreachable_at is None,
            data=row["data"],
            opted_out=queued[row["id"]].opted_out_at is not None,
            human_until=queued[row["id"]].human_until,
        )
        for row in result.mappings()
    ]
    return sorted(claimed, key=lambda message: message.id)


def extend_claim(conn: Connection, ids: Sequence[int], owner: str, ttl: float) -> int:
    """Keep claimed rows ours ``ttl`` seconds longer while they are being sent; how many."""
    if not ids:
        return 0
    result = conn.execute(
        update(outbox)
        .where(outbox.c.id.in_(list(ids)), _still_ours(owner))
        .values(claimed_until=utcnow() + timedelta(seconds=ttl))
    )
    return int(result.rowcount)


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
    counts: bool = True  # False: the channel failed, not the message (a refused token)


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
                attempts=outbox.c.attempts + bindparam("increment"),
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
        row["increment"] = 1 if failure.counts else 0
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


def asked_to_share(
    conn: Connection, conversation_id: str, kind: str, inbound_id: int, recent: int = 3
) -> bool:
    """Whether one of the bot's last ``recent`` messages before the inbound event
    ``inbound_id`` offered the platform's own "share my ``kind``" button."""
    rows = conn.execute(
        select(outbox.c.content)
        .where(
            outbox.c.conversation_id == conversation_id,
            or_(outbox.c.inbound_id.is_(None), outbox.c.inbound_id < inbound_id),
        )
        .order_by(outbox.c.id.desc())
        .limit(recent)
    )
    return any(
        isinstance(content, dict) and content.get("share") == kind for content in rows.scalars()
    )


def counts(conn: Connection) -> dict[str, int]:
    """How many messages are in each status."""
    result = conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in result.all()}
