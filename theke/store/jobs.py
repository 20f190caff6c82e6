"""Scheduled jobs: work that runs later, once, on whichever worker claims it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, or_, select, update

from theke.store.schema import scheduled_jobs, utcnow

__all__ = ["Job", "claim", "complete", "fail", "schedule"]


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def schedule(conn: Connection, kind: str, payload: dict[str, Any], run_at: datetime) -> int:
    """Plan a job; returns its id."""
    statement = (
        scheduled_jobs.insert()
        .values(
            kind=kind,
            payload=payload,
            run_at=run_at,
            status="pending",
            attempts=0,
            created_at=utcnow(),
        )
        .returning(scheduled_jobs.c.id)
    )
    return int((conn.execute(statement)).scalar_one())


def claim(
    conn: Connection, owner: str, limit: int, ttl: float, *, now: datetime | None = None
) -> list[Job]:
    """Claim due jobs (and jobs whose worker died while running them) at ``now``."""
    now = now or utcnow()
    due = or_(
        and_(scheduled_jobs.c.status == "pending", scheduled_jobs.c.run_at <= now),
        and_(scheduled_jobs.c.status == "running", scheduled_jobs.c.claimed_until < now),
    )
    candidates = (
        select(scheduled_jobs.c.id).where(due).order_by(scheduled_jobs.c.run_at).limit(limit)
    )
    if conn.dialect.name == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True)
    statement = (
        update(scheduled_jobs)
        .where(scheduled_jobs.c.id.in_(candidates.scalar_subquery()))
        .values(
            status="running",
            claimed_by=owner,
            claimed_until=now + timedelta(seconds=ttl),
            attempts=scheduled_jobs.c.attempts + 1,
        )
        .returning(
            scheduled_jobs.c.id,
            scheduled_jobs.c.kind,
            scheduled_jobs.c.payload,
            scheduled_jobs.c.attempts,
        )
    )
    return [
        Job(id=row.id, kind=row.kind, payload=row.payload, attempts=row.attempts)
        for row in conn.execute(statement)
    ]


def complete(conn: Connection, job_id: int) -> None:
    conn.execute(
        update(scheduled_jobs)
        .where(scheduled_jobs.c.id == job_id)
        .values(status="done", done_at=utcnow(), last_error=None)
    )


def fail(conn: Connection, job_id: int, error: str, retry_at: datetime | None) -> None:
    """Record a failure; retry at ``retry_at`` or give up (status failed) when it is None."""
    values: dict[str, Any] = {"last_error": error[:2000]}
    if retry_at is None:
        values["status"] = "failed"
    else:
        values.update(status="pending", run_at=retry_at)
    conn.execute(update(scheduled_jobs).where(scheduled_jobs.c.id == job_id).values(values))
