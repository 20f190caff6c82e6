"""Scheduled jobs run once when due; failures are retried, then recorded."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from theke.runtime import Runtime
from theke.store import jobs
from theke.store.jobs import Job
from theke.store.schema import scheduled_jobs, utcnow
from theke.worker.jobs import JobRunner


async def _job_rows(runtime: Runtime) -> list[tuple[str, int, str | None]]:
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(
            select(
                scheduled_jobs.c.status, scheduled_jobs.c.attempts, scheduled_jobs.c.last_error
            ).order_by(scheduled_jobs.c.id)
        )
        return [(row.status, row.attempts, row.last_error) for row in rows]


async def test_a_due_job_runs_once_and_a_future_one_waits(runtime: Runtime) -> None:
    ran: list[dict[str, object]] = []

    async def remember(job: Job) -> None:
        ran.append(job.payload)

    with runtime.db.engine.begin() as conn:
        jobs.schedule(conn, "remember", {"n": 1}, utcnow())
        jobs.schedule(conn, "remember", {"n": 2}, utcnow() + timedelta(hours=1))
    runner = JobRunner(runtime.db, {"remember": remember}, owner="w")

    assert await runner.run_once() == 1
    assert await runner.run_once() == 0
    assert ran == [{"n": 1}]
    assert [status for status, _, _ in await _job_rows(runtime)] == ["done", "pending"]


async def test_a_failing_job_is_retried_later_and_keeps_the_error(runtime: Runtime) -> None:
    async def broken(job: Job) -> None:
        raise ValueError("the shop system did not answer")

    with runtime.db.engine.begin() as conn:
        jobs.schedule(conn, "sync", {}, utcnow())
    await JobRunner(runtime.db, {"sync": broken}, owner="w").run_once()

    status, attempts, error = (await _job_rows(runtime))[0]
    assert (status, attempts) == ("pending", 1)
    assert error == "ValueError: the shop system did not answer"


async def test_a_job_nobody_handles_is_marked_failed(runtime: Runtime) -> None:
    with runtime.db.engine.begin() as conn:
        jobs.schedule(conn, "unknown.kind", {}, utcnow())
    await JobRunner(runtime.db, {}, owner="w").run_once()
    status, _, error = (await _job_rows(runtime))[0]
    assert status == "failed" and error is not None and "unknown.kind" in error
