"""The event log: everything that happened in a conversation, the source of truth."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from theke.store import threads
from theke.store.schema import events

__all__ = ["LogEntry", "append", "event_entries", "message_out", "row"]


@dataclass(frozen=True, slots=True)
class LogEntry:
    conversation_id: str
    customer_id: str
    kind: str
    actor: str
    created_at: datetime
    content: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    inbound_id: int | None = None
    outbox_id: int | None = None


def append(conn: Connection, entries: Sequence[LogEntry]) -> None:
    """Add entries to the log (one round trip for the whole batch); messages among them
    also update their conversation's inbox row and the search index (``threads``)."""
    if not entries:
        return
    rows = [row(e) for e in entries]
    if not any(e.kind in threads.MESSAGE_KINDS for e in entries):
        conn.execute(events.insert(), rows)
        return
    ids = conn.execute(
        events.insert().returning(events.c.id, sort_by_parameter_order=True), rows
    ).scalars()
    threads.record(conn, entries, list(ids))


def row(e: LogEntry) -> dict[str, Any]:
    """The ``events`` row of the entry ``e``."""
    return {
        "conversation_id": e.conversation_id,
        "customer_id": e.customer_id,
        "kind": e.kind,
        "actor": e.actor,
        "content": e.content,
        "data": e.data,
        "inbound_id": e.inbound_id,
        "outbox_id": e.outbox_id,
        "created_at": e.created_at,
    }


def event_entries(
    conversation_id: str,
    customer_id: str,
    events: Sequence[tuple[str, dict[str, Any]]],
    now: datetime,
    *,
    actor: str = "bot",
    inbound_id: int | None = None,
) -> list[LogEntry]:
    """Log entries for what a turn or a job did (``(kind, data)`` pairs)."""
    return [
        LogEntry(
            conversation_id=conversation_id,
            customer_id=customer_id,
            kind=kind,
            actor=actor,
            created_at=now,
            data=data,
            inbound_id=inbound_id,
        )
        for kind, data in events
    ]


def message_out(
    conversation_id: str,
    customer_id: str,
    content: dict[str, Any],
    outbox_id: int,
    now: datetime,
    *,
    data: dict[str, Any] | None = None,
    inbound_id: int | None = None,
) -> LogEntry:
    """The log entry of a message the bot queued (``outbox_id``)."""
    return LogEntry(
        conversation_id=conversation_id,
        customer_id=customer_id,
        kind="message.out",
        actor="bot",
        created_at=now,
        content=content,
        data=data,
        inbound_id=inbound_id,
        outbox_id=outbox_id,
    )
