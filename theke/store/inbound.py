"""The inbound queue: what channels delivered, stored once, handled in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from theke.channels.base import InboundEvent
from theke.store._dialect import per_dialect, upsert
from theke.store.schema import inbound_events, leases, utcnow

__all__ = [
    "PendingInbound",
    "depth",
    "insert_many",
    "mark_done",
    "pending_for",
    "pending_keys",
]


@dataclass(frozen=True, slots=True)
class PendingInbound:
    id: int
    channel: str
    external_id: str
    conversation_key: str
    payload: dict[str, Any]
    received_at: datetime


def _insert_statement(conn: Connection) -> Any:
    return (
        upsert(conn, inbound_events)
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(inbound_events.c.id, inbound_events.c.channel, inbound_events.c.external_id)
    )


def insert_many(conn: Connection, events: Sequence[InboundEvent]) -> list[int | None]:
    """Store events in one statement; each one's new row id, or None for a duplicate.

    A duplicate is an event whose ``(channel, event_id)`` is already stored, or
    repeats an earlier event of the same batch.
    """
    if not events:
        return []
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for event in events:  # in arrival order; the first of repeated ids wins the row
        rows.setdefault(
            (event.channel, event.event_id),
            {
                "channel": event.channel,
                "external_id": event.event_id,
                "conversation_key": event.conversation_key,
                "payload": event.to_payload(),
                "received_at": event.received_at,
                "status": "pending",
                "attempts": 0,
            },
        )
    statement = per_dialect(conn, "inbound.insert", _insert_statement)
    result = conn.execute(statement, list(rows.values()))
    stored = {(row.channel, row.external_id): int(row.id) for row in result}
    found: list[int | None] = []
    for event in events:
        found.append(stored.pop((event.channel, event.event_id), None))
    return found


# Built once: constructing a statement costs more Python than running it on SQLite.
_LEASED = (
    select(leases.c.key)
    .where(
        leases.c.key == inbound_events.c.conversation_key,
        leases.c.expires_at >= bindparam("now"),
    )
    .exists()
)
_PENDING_KEYS = (
    select(inbound_events.c.conversation_key)
    .where(inbound_events.c.status == "pending", ~_LEASED)
    .group_by(inbound_events.c.conversation_key)
    .order_by(func.min(inbound_events.c.id))
    .limit(bindparam("limit"))
)
_RANKED = (
    select(
        inbound_events,
        func.row_number()
        .over(partition_by=inbound_events.c.conversation_key, order_by=inbound_events.c.id)
        .label("position"),
    )
    .where(inbound_events.c.status == "pending")
    .where(inbound_events.c.conversation_key.in_(bindparam("keys", expanding=True)))
    .subquery()
)
_PENDING_FOR = (
    select(_RANKED).where(_RANKED.c.position <= bindparam("per_key")).order_by(_RANKED.c.id)
)
_MARK_DONE = (
    update(inbound_events)
    .where(inbound_events.c.id.in_(bindparam("ids", expanding=True)))
    .where(inbound_events.c.status == "pending")
    .values(status="done", processed_at=bindparam("now"))
)


def pending_keys(conn: Connection, limit: int) -> list[str]:
    """Conversations with unhandled events and no live lease, the longest-waiting first."""
    return list(conn.execute(_PENDING_KEYS, {"now": utcnow(), "limit": limit}).scalars())


def pending_for(
    conn: Connection, keys: Sequence[str], limit_per_key: int = 50
) -> dict[str, list[PendingInbound]]:
    """The unhandled events of these conversations, in arrival order, at most ``limit_per_key``."""
    found: dict[str, list[PendingInbound]] = {key: [] for key in keys}
    if not keys:
        return found
    rows = conn.execute(_PENDING_FOR, {"keys": list(keys), "per_key": limit_per_key})
    for row in rows.mappings():
        found[row["conversation_key"]].append(
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


def mark_done(conn: Connection, ids: Sequence[int]) -> int:
    """Mark events handled; returns how many were still pending (guards double handling)."""
    if not ids:
        return 0
    return int(conn.execute(_MARK_DONE, {"ids": list(ids), "now": utcnow()}).rowcount)


def depth(conn: Connection) -> int:
    """How many events wait to be handled."""
    statement = select(func.count()).where(inbound_events.c.status == "pending")
    return int((conn.execute(statement)).scalar_one())
