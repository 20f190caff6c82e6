"""Ingest: commit inbound events before anyone is told "200 OK", many per transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from theke.channels.base import InboundEvent
from theke.store import inbound
from theke.store.database import Database
from theke.store.signals import LocalSignals

__all__ = ["AfterInsert", "Ingestor"]

AfterInsert = Callable[[AsyncConnection, int], Awaitable[None]]


@dataclass(slots=True)
class _Pending:
    event: InboundEvent
    after: AfterInsert | None
    future: asyncio.Future[int | None]


class Ingestor:
    """Stores inbound events with group commit.

    Callers that arrive while a commit is running share the next one, so the
    database sees one transaction per burst instead of one per message. A
    caller's ``submit`` returns only after its event is durable.
    """

    def __init__(self, db: Database, signals: LocalSignals) -> None:
        self._db = db
        self._signals = signals
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, event: InboundEvent, after: AfterInsert | None = None) -> int | None:
        """Store ``event``; its row id, or None when it was a duplicate (and was dropped).

        ``after`` runs in the same transaction when the event is new (the web chat
        uses it to put the customer's message into the visitor's mailbox).
        """
        future: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(event, after, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                results = await self._commit(batch)
            except BaseException as exc:
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                if not isinstance(exc, Exception):
                    raise
                continue
            for pending, result in zip(batch, results, strict=True):
                if not pending.future.done():
                    pending.future.set_result(result)
            if any(result is not None for result in results):
                await self._signals.publish("inbound")

    async def _commit(self, batch: list[_Pending]) -> list[int | None]:
        results: list[int | None] = []
        async with self._db.write() as conn:
            for pending in batch:
                row_id = await inbound.insert(conn, pending.event)
                if row_id is not None and pending.after is not None:
                    await pending.after(conn, row_id)
                results.append(row_id)
        return results
