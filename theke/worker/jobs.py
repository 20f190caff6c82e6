"""Runs scheduled jobs by kind; failures are retried with backoff, then recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

import structlog

from theke.store import jobs
from theke.store.database import Database
from theke.store.jobs import Job
from theke.store.schema import utcnow

__all__ = ["JobHandler", "JobRunner"]

JobHandler = Callable[[Job], Awaitable[None]]

_log = structlog.get_logger("theke.worker.jobs")


class JobRunner:
    """Claims due jobs and hands each to the handler registered for its kind."""

    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, JobHandler],
        *,
        owner: str,
        max_attempts: int = 5,
        claim_seconds: float = 300.0,
    ) -> None:
        self._db = db
        self._handlers = handlers
        self._owner = owner
        self._max_attempts = max_attempts
        self._claim_seconds = claim_seconds

    async def run_once(self) -> int:
        claimed = await self._db.write(
            lambda conn: jobs.claim(conn, self._owner, 16, self._claim_seconds)
        )
        # Together: a slow media download must not hold a reminder back past its claim.
        await asyncio.gather(*(self._run(job) for job in claimed))
        return len(claimed)

    async def _run(self, job: Job) -> None:
        handler = self._handlers.get(job.kind)
        error: str | None = None
        if handler is None:
            error = f"no handler for job kind {job.kind!r}"
        else:
            try:
                await handler(job)
            except Exception as exc:  # a failing job is recorded and retried, never lost
                _log.exception("theke.worker.jobs.failed", job_id=job.id, kind=job.kind)
                error = f"{type(exc).__name__}: {exc}"
        if error is None:
            await self._db.write(lambda conn: jobs.complete(conn, job.id))
            return
        give_up = handler is None or job.attempts >= self._max_attempts
        retry_at = None if give_up else utcnow() + timedelta(seconds=30 * 2**job.attempts)
        await self._db.write(lambda conn: jobs.fail(conn, job.id, error, retry_at))
