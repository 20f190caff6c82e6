"""Customers' opt-ins to be told about something ("back in stock"), one row per promise.

A subscription is ``active`` until the message it promised went out (``sent``)
or the customer withdrew it (``withdrawn``); asking twice for the same thing
keeps one active row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from theke.store.schema import subscriptions, utcnow

__all__ = ["SUBJECT_MAX", "NewSubscription", "active_for", "add", "withdraw"]


@dataclass(frozen=True, slots=True)
class NewSubscription:
    customer_id: str
    conversation_id: str
    channel: str
    topic: str
    subject: str  # at most SUBJECT_MAX characters (the caller cuts it, before comparing)
    data: dict[str, Any]


SUBJECT_MAX = 200


def add(conn: Connection, items: Sequence[NewSubscription]) -> list[NewSubscription]:
    """Store the new ones (an active one for the same customer, topic and subject stays);
    returns those stored."""
    added: list[NewSubscription] = []
    for item in items:
        exists = conn.execute(
            select(subscriptions.c.id).where(
                subscriptions.c.customer_id == item.customer_id,
                subscriptions.c.topic == item.topic,
                subscriptions.c.subject == item.subject,
                subscriptions.c.status == "active",
            )
        ).first()
        if exists is not None:
            continue
        conn.execute(
            subscriptions.insert().values(
                customer_id=item.customer_id,
                conversation_id=item.conversation_id,
                channel=item.channel,
                topic=item.topic,
                subject=item.subject,
                data=item.data,
                status="active",
                created_at=utcnow(),
            )
        )
        added.append(item)
    return added


def active_for(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's active subscriptions, oldest first."""
    rows = conn.execute(
        select(subscriptions.c.topic, subscriptions.c.subject, subscriptions.c.data)
        .where(subscriptions.c.customer_id == customer_id, subscriptions.c.status == "active")
        .order_by(subscriptions.c.id)
    )
    return [dict(row._mapping) for row in rows]


def withdraw(conn: Connection, customer_id: str, topic: str | None = None) -> int:
    """End the customer's active subscriptions (of ``topic``, or all); returns how many."""
    statement = update(subscriptions).where(
        subscriptions.c.customer_id == customer_id, subscriptions.c.status == "active"
    )
    if topic is not None:
        statement = statement.where(subscriptions.c.topic == topic)
    result = conn.execute(statement.values(status="withdrawn", ended_at=utcnow()))
    return int(result.rowcount or 0)
