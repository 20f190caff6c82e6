"""Ingest: commit inbound events before anyone is told "200 OK", many per transaction."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table

from theke.channels.base import InboundEvent
from theke.store import inbound
from theke.store.database import Database
from theke.store.signals import LocalSignals

__all__ = ["Accepted", "Companion", "CompanionLock", "Ingestor"]

_MAX_BATCH = 500

CompanionLock = Callable[[Connection, Sequence[Mapping[str, Any]]], None]
"""Takes, in one statement, the locks a batch of companion rows needs: gets all their values."""


@dataclass(frozen=True, slots=True)
class Companion:
    """A row to insert with the event when it is new (the web chat's echo of the visitor).

    ``lock`` runs once per transaction, before any companion row is inserted,
    with the values of every row that names it: a table whose id order must be
    its commit order (the web chat's mailbox) serializes its writers there.
    """

    table: Table
    values: dict[str, Any]
    lock: CompanionLock | None = None


@dataclass(frozen=True, slots=True)
class Accepted:
    """A stored event: its queue id, and the id of its companion row, if it had one."""

    inbound_id: int
    companion_id: int | None = None


@dataclass(slots=True)
class _Pending:
    event: InboundEvent
    companion: Companion | None
    future: asyncio.Future[Accepted | None]


class Ingestor:
    """Stores inbound events with group commit.

    Callers that arrive while a commit is running share the next one, so the
    database sees one transaction (and a few statements) per burst instead of
    one per message. A caller's ``submit`` returns only after its event is
    durable.
    """

    def __init__(self, db: Database, signals: LocalSignals) -> None:
        self._db = db
        self._signals = signals
        self._queue: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(
        self, event: InboundEvent, companion: Companion | None = None
    ) -> Accepted | None:
        """Store ``event``; None when it was a duplicate (and was dropped)."""
        future: asyncio.Future[Accepted | None] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(event, companion, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(future)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
            try:
                stored = await self._commit_alone_on_error(batch)
            except BaseException:
                for pending in batch:
                    pending.future.cancel()
                raise
            if stored:
                await self._signals.publish("inbound")

    async def _commit_alone_on_error(self, batch: list[_Pending]) -> bool:
        """Commit the batch; if that fails, each event alone, so one bad event fails alone."""
        try:
            results = await self._commit(batch)
        except Exception as exc:
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return False
            stored = False
            for pending in batch:
                stored = await self._commit_alone_on_error([pending]) or stored
            return stored
        for pending, result in zip(batch, results, strict=True):
            if not pending.future.done():
                pending.future.set_result(result)
        return any(result is not None for result in results)

    async def _commit(self, batch: list[_Pending]) -> list[Accepted | None]:
        return await self._db.write(lambda conn: _store(conn, batch))


def _store(conn: Connection, batch: list[_Pending]) -> list[Accepted | None]:
    ids = inbound.insert_many(conn, [pending.event for pending in batch])
    companions = _insert_companions(
        conn,
        [
            pending.companion if row_id is not None else None
            for pending, row_id in zip(batch, ids, strict=True)
        ],
    )
    return [
        None if row_id is None else Accepted(row_id, companion_id)
        for row_id, companion_id in zip(ids, companions, strict=True)
    ]


def _insert_companions(conn: Connection, companions: list[Companion | None]) -> list[int | None]:
    """Insert companion rows, one statement per table; their ids in the given order."""
    _lock_for(conn, [companion for companion in companions if companion is not None])
    by_table: defaultdict[Table, list[int]] = defaultdict(list)
    for index, companion in enumerate(companions):
        if companion is not None:
            by_table[companion.table].append(index)
    found: list[int | None] = [None] * len(companions)
    for table, indexes in by_table.items():
        rows = [companions[index].values for index in indexes]  # type: ignore[union-attr]
        statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
        result = conn.execute(statement, rows)
        for index, new_id in zip(indexes, result.scalars(), strict=True):
            found[index] = int(new_id)
    return found


def _lock_for(conn: Connection, companions: Sequence[Companion]) -> None:
    """Run each companion lock once, with the values of all the rows it guards."""
    guarded: dict[CompanionLock, list[Mapping[str, Any]]] = {}
    for companion in companions:
        if companion.lock is not None:
            guarded.setdefault(companion.lock, []).append(companion.values)
    for lock, rows in guarded.items():
        lock(conn, rows)
