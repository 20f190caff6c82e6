"""Bot turns: lease conversations, let the bot answer their events in order, commit once.

A turn's new state, its log entries and its outbox rows commit in one
transaction together with marking the inbound events handled, so every
inbound event gets exactly one set of replies — a worker killed before the
commit leaves the events pending, and its lease lapses for the next worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.content import Text, to_json
from theke.dialogue import Engine, Inbound
from theke.errors import StoreError
from theke.observability import Metrics
from theke.store import conversations, inbound, leases, log
from theke.store.conversations import Conversation
from theke.store.database import Database
from theke.store.inbound import PendingInbound
from theke.store.log import LogEntry
from theke.store.outbox import NewMessage, enqueue
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals

__all__ = ["TurnRunner"]

_log = structlog.get_logger("theke.worker.turns")


@dataclass
class _Work:
    conversation: Conversation
    events: list[PendingInbound]
    state: dict[str, Any] = field(default_factory=dict)
    entries: list[LogEntry] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    last_inbound_at: datetime | None = None


class TurnRunner:
    """Claims conversations with pending events and runs the bot on them."""

    def __init__(
        self,
        db: Database,
        engine: Callable[[], Engine],
        signals: LocalSignals,
        metrics: Metrics,
        *,
        owner: str,
        lease_seconds: float = 30.0,
        batch: int = 64,
    ) -> None:
        self._db = db
        self._engine = engine
        self._signals = signals
        self._metrics = metrics
        self._owner = owner
        self._ttl = lease_seconds
        self._batch = batch

    async def run_once(self) -> int:
        """Handle one batch of conversations; returns how many events were handled."""
        async with self._db.read() as conn:
            keys = await inbound.pending_keys(conn, self._batch)
        if not keys:
            return 0
        async with self._db.write() as conn:
            taken = await leases.acquire(conn, keys, self._owner, self._ttl)
            work = await self._load(conn, taken)
        try:
            engine = self._engine()
            for item in work:
                self._run_bot(engine, item)
            async with self._db.write() as conn:
                handled = await self._commit(conn, work)
                await leases.release(conn, taken, self._owner)
        except BaseException:
            async with self._db.write() as conn:
                await leases.release(conn, taken, self._owner)
            raise
        if handled:
            await self._signals.publish("outbox")
        return handled

    async def _load(self, conn: AsyncConnection, keys: Sequence[str]) -> list[_Work]:
        pending = await inbound.pending_for(conn, keys)
        known = await conversations.load_many(conn, keys)
        work: list[_Work] = []
        for key in keys:
            events = pending.get(key) or []
            if not events:
                continue
            conversation = known.get(key)
            if conversation is None:
                first = events[0]
                sender = str(first.payload.get("sender", key.partition(":")[2]))
                conversation = await conversations.create(conn, first.channel, sender)
            work.append(_Work(conversation=conversation, events=events))
        return work

    def _run_bot(self, engine: Engine, item: _Work) -> None:
        conversation = item.conversation
        state = dict(conversation.state)
        for event in item.events:
            now = utcnow()
            item.last_inbound_at = event.received_at
            item.entries.append(_inbound_entry(conversation, event, now))
            if conversation.mode != "bot":
                continue
            try:
                turn = engine.handle(
                    state, _as_inbound(event.payload), conversation_key=conversation.key
                )
            except Exception as exc:  # a bot bug must not stop the queue: record it, go on
                _log.exception("theke.worker.turns.bot_failed", conversation=conversation.id)
                item.entries.append(_failure_entry(conversation, event, now, exc))
                continue
            state = turn.state
            for kind, data in turn.events:
                item.entries.append(
                    LogEntry(
                        conversation_id=conversation.id,
                        customer_id=conversation.customer_id,
                        kind=kind,
                        actor="bot",
                        created_at=now,
                        data=data,
                        inbound_id=event.id,
                    )
                )
            item.replies.extend((event.id, to_json(reply)) for reply in turn.replies)
        item.state = state

    async def _commit(self, conn: AsyncConnection, work: Sequence[_Work]) -> int:
        handled = 0
        for item in work:
            conversation = item.conversation
            if not await leases.extend(conn, conversation.key, self._owner, self._ttl):
                _log.warning("theke.worker.turns.lease_lost", conversation=conversation.id)
                continue
            ids = [event.id for event in item.events]
            if await inbound.mark_done(conn, ids) != len(ids):
                raise StoreError(f"events of conversation {conversation.id} changed under us")
            outbox_ids = await enqueue(
                conn,
                [
                    NewMessage(
                        conversation_id=conversation.id,
                        channel=conversation.channel,
                        recipient=conversation.external_id,
                        content=content,
                        inbound_id=inbound_id,
                    )
                    for inbound_id, content in item.replies
                ],
            )
            now = utcnow()
            out_entries = [
                LogEntry(
                    conversation_id=conversation.id,
                    customer_id=conversation.customer_id,
                    kind="message.out",
                    actor="bot",
                    created_at=now,
                    content=content,
                    inbound_id=inbound_id,
                    outbox_id=outbox_id,
                )
                for (inbound_id, content), outbox_id in zip(item.replies, outbox_ids, strict=True)
            ]
            await log.append(conn, [*item.entries, *out_entries])
            await conversations.save(conn, conversation.id, item.state, item.last_inbound_at)
            handled += len(ids)
            self._observe(item, now)
        return handled

    def _observe(self, item: _Work, now: datetime) -> None:
        channel = item.conversation.channel
        for event in item.events:
            self._metrics.messages_in.labels(channel).inc()
            self._metrics.turn_seconds.observe(max(0.0, (now - event.received_at).total_seconds()))


def _as_inbound(payload: dict[str, Any]) -> Inbound:
    return Inbound(text=payload.get("text"), postback=payload.get("postback"))


def _inbound_entry(conversation: Conversation, event: PendingInbound, now: datetime) -> LogEntry:
    payload = event.payload
    if payload.get("postback") is not None:
        title = payload.get("title") or payload["postback"]
        content: dict[str, Any] | None = to_json(Text(text=str(title)))
        data: dict[str, Any] | None = {"postback": payload["postback"]}
        kind = "postback.in"
    else:
        text = payload.get("text") or ""
        content = to_json(Text(text=text)) if text else None
        data = None
        kind = "message.in"
    return LogEntry(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        kind=kind,
        actor="customer",
        created_at=now,
        content=content,
        data=data,
        inbound_id=event.id,
    )


def _failure_entry(
    conversation: Conversation, event: PendingInbound, now: datetime, exc: Exception
) -> LogEntry:
    return LogEntry(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        kind="turn.failed",
        actor="system",
        created_at=now,
        data={"error": type(exc).__name__},
        inbound_id=event.id,
    )
