"""Outgoing webhooks, kept like the outbox: written with the change that caused them,
claimed by one worker, retried with backoff, given up after the last attempt.

Each delivery has a ``target``, the receiver it is for: ``"shop"`` (order events for the
shop system) or ``"inbox"`` (notifications for the agents); each target has its own
sender, which claims only that target's deliveries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from theke.store.schema import utcnow, webhook_deliveries

__all__ = ["Delivery", "claim", "mark_failed", "mark_sent", "mark_skipped", "record"]


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    event_id: str
    topic: str
    payload: dict[str, Any]
    attempts: int


def record(
    conn: Connection, topic: str, data: dict[str, Any], now: datetime, *, target: str = "shop"
) -> str:
    """Queue the event ``topic`` with ``data`` for ``target``; returns its event id
    (``evt_...``)."""
    event_id = f"evt_{uuid.uuid4().hex}"
    payload = {"id": event_id, "type": topic, "created": now.isoformat(), "data": data}
    conn.execute(
        webhook_deliveries.insert().values(
            event_id=event_id,
            topic=topic,
            target=target,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return event_id


def claim(
    conn: Connection, owner: str, limit: int, ttl: float, *, target: str = "shop"
) -> list[Delivery]:
    """``target``'s due deliveries (and ones whose worker died), oldest first, claimed for
    ``ttl`` seconds."""
    now = utcnow()
    due = or_(
        and_(webhook_deliveries.c.status == "pending", webhook_deliveries.c.next_attempt_at <= now),
        and_(webhook_deliveries.c.status == "sending", webhook_deliveries.c.claimed_until < now),
    )
    ids = (
        select(webhook_deliveries.c.id)
        .where(webhook_deliveries.c.target == target, due)
        .order_by(webhook_deliveries.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        ids = ids.with_for_update(skip_locked=True)
    found = conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id.in_(ids.scalar_subquery()))
        .values(
            status="sending",
            claimed_by=owner,
            claimed_until=now + timedelta(seconds=ttl),
            attempts=webhook_deliveries.c.attempts + 1,
        )
        .returning(
            webhook_deliveries.c.id,
            webhook_deliveries.c.event_id,
            webhook_deliveries.c.topic,
            webhook_deliveries.c.payload,
            webhook_deliveries.c.attempts,
        )
    )
    deliveries = [
        Delivery(row.id, row.event_id, row.topic, row.payload, row.attempts) for row in found
    ]
    return sorted(deliveries, key=lambda delivery: delivery.id)


def mark_sent(conn: Connection, ids: Sequence[int], owner: str) -> None:
    if ids:
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id.in_(ids), webhook_deliveries.c.claimed_by == owner)
            .values(
                status="sent",
                sent_at=utcnow(),
                claimed_by=None,
                claimed_until=None,
                last_error=None,
            )
        )


def mark_skipped(conn: Connection, ids: Sequence[int]) -> None:
    """No receiver to send to (``THEKE_SHOP_WEBHOOK_URL`` or ``THEKE_INBOX_WEBHOOK_URL``
    unset)."""
    if ids:
        conn.execute(
            update(webhook_deliveries)
            .where(webhook_deliveries.c.id.in_(ids))
            .values(status="skipped", claimed_by=None, claimed_until=None)
        )


def mark_failed(
    conn: Connection, delivery_id: int, owner: str, error: str, retry_at: datetime | None
) -> None:
    """A failed attempt: try again at ``retry_at``, or give up (status ``dead``) without one."""
    values: dict[str, Any] = {"last_error": error[:2000], "claimed_by": None, "claimed_until": None}
    if retry_at is None:
        values["status"] = "dead"
    else:
        values.update(status="pending", next_attempt_at=retry_at)
    conn.execute(
        update(webhook_deliveries)
        .where(webhook_deliveries.c.id == delivery_id, webhook_deliveries.c.claimed_by == owner)
        .values(values)
    )
