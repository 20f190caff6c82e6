"""A customer who goes silent in the middle of a flow gets one reminder — on both databases."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from theke.content import QuickReplies, Text, from_json
from theke.runtime import Runtime
from theke.store import conversations, jobs
from theke.store.schema import conversations as conversation_rows
from theke.store.schema import events, outbox, scheduled_jobs, utcnow
from theke.worker.reminders import REMINDER_JOB, ReminderJob


async def _open_question(runtime: Runtime) -> tuple[str, str]:
    """A visitor starts the sneaker advice and leaves it at the first question."""
    customer_id, _ = await runtime.webchat.create_session()
    await runtime.webchat.accept(customer_id, text="Ich suche neue Sneaker")
    await runtime.turns("w").run_once()
    key = f"webchat:{customer_id}"
    conversation = runtime.db.read_now(lambda conn: conversations.load_many(conn, [key]))[key]
    return customer_id, conversation.id


def _silence(runtime: Runtime, conversation_id: str, minutes: int) -> None:
    """Move the customer's last message ``minutes`` into the past."""

    def move(conn: object) -> None:
        row = conversations.get(conn, conversation_id)  # type: ignore[arg-type]
        assert row is not None
        state = {**row.state, "last_at": (utcnow() - timedelta(minutes=minutes)).isoformat()}
        conn.execute(  # type: ignore[attr-defined]
            update(conversation_rows)
            .where(conversation_rows.c.id == conversation_id)
            .values(state=state, last_inbound_at=utcnow() - timedelta(minutes=minutes))
        )

    with runtime.db.engine.begin() as conn:
        move(conn)


async def _run_reminder(runtime: Runtime) -> None:
    with runtime.db.engine.begin() as conn:  # as the jobs loop will, in two hours
        job = jobs.claim(conn, "test", 10, 60.0, now=utcnow() + timedelta(hours=2))
    handler = ReminderJob(runtime.db, lambda: runtime.engine, runtime.signals, owner="jobs")
    for claimed in job:
        await handler(claimed)


async def test_the_open_question_schedules_a_reminder_in_an_hour(runtime: Runtime) -> None:
    await _open_question(runtime)
    rows = runtime.db.read_now(
        lambda conn: conn.execute(select(scheduled_jobs.c.kind, scheduled_jobs.c.run_at)).all()
    )
    assert [kind for kind, _ in rows] == [REMINDER_JOB]
    delay = rows[0].run_at - utcnow()
    assert timedelta(minutes=58) < delay <= timedelta(minutes=60)


async def test_a_silent_customer_is_reminded_once(runtime: Runtime) -> None:
    customer_id, conversation_id = await _open_question(runtime)
    _silence(runtime, conversation_id, minutes=61)
    await _run_reminder(runtime)
    await runtime.dispatcher("w").run_once()

    history = await runtime.webchat.history(customer_id, 0)
    last = from_json(history[-1].content)
    assert history[-1].sender == "bot"
    assert isinstance(last, Text | QuickReplies) and "Sneaker-Beratung" in last.text
    purposes = runtime.db.read_now(
        lambda conn: list(conn.execute(select(outbox.c.purpose)).scalars())
    )
    assert purposes.count("reminder") == 1

    with runtime.db.engine.begin() as conn:  # the same job again, e.g. after a retry
        jobs.schedule(conn, REMINDER_JOB, {"conversation_id": conversation_id, "started": 0},
                      utcnow())  # fmt: skip
    await _run_reminder(runtime)
    assert (
        runtime.db.read_now(
            lambda conn: list(conn.execute(select(outbox.c.purpose)).scalars())
        ).count("reminder")
        == 1
    )


def _reminded(runtime: Runtime) -> int:
    kinds = runtime.db.read_now(lambda conn: list(conn.execute(select(events.c.kind)).scalars()))
    return kinds.count("flow.reminded")


async def test_a_flow_run_is_reminded_once_however_many_questions_wait(runtime: Runtime) -> None:
    customer_id, conversation_id = await _open_question(runtime)
    await runtime.webchat.accept(customer_id, text="Laufschuhe")
    await runtime.turns("w").run_once()  # a second question, a second job
    _silence(runtime, conversation_id, minutes=61)
    await _run_reminder(runtime)
    assert _reminded(runtime) == 1


async def test_a_finished_flow_is_not_reminded(runtime: Runtime) -> None:
    customer_id, conversation_id = await _open_question(runtime)
    for answer in ("Laufschuhe", "egal", "43"):
        await runtime.webchat.accept(customer_id, text=answer)
        await runtime.turns("w").run_once()
    _silence(runtime, conversation_id, minutes=61)
    await _run_reminder(runtime)
    assert _reminded(runtime) == 0


async def test_outside_the_window_the_reminder_is_held(runtime: Runtime) -> None:
    customer_id, conversation_id = await _open_question(runtime)
    _silence(runtime, conversation_id, minutes=25 * 60)
    await _run_reminder(runtime)
    await runtime.dispatcher("w").run_once()
    rows = runtime.db.read_now(
        lambda conn: conn.execute(
            select(outbox.c.status, outbox.c.error_code).where(outbox.c.purpose == "reminder")
        ).all()
    )
    assert rows == [("held", "outside_window")]
    history = await runtime.webchat.history(customer_id, 0)
    assert "Sneaker-Beratung" not in str(history[-1].content)


def test_the_policy_allows_a_reminder_only_inside_the_window() -> None:
    from theke.outreach.policy import Allow, Hold, OutboundMessage, PolicyContext, decide

    now = utcnow()
    reminder = OutboundMessage(channel="webchat", actor="bot", is_reply=False, purpose="reminder")
    nudge = OutboundMessage(channel="webchat", actor="bot", is_reply=False)

    def context(hours: float, *, mode: str = "bot", opted_out: bool = False) -> PolicyContext:
        last = now - timedelta(hours=hours)
        return PolicyContext(now=now, mode=mode, last_inbound_at=last, opted_out=opted_out)

    assert decide(reminder, context(1)) == Allow()
    assert decide(reminder, context(25)) == Hold("outside_window")
    assert decide(reminder, context(1, opted_out=True)) == Hold("opted_out")
    assert decide(reminder, context(1, mode="human")) == Hold("human_mode")
    assert decide(nudge, context(1)) == Hold("no_consent")  # anything else needs consent


async def test_no_reminder_while_the_customers_new_message_waits(runtime: Runtime) -> None:
    customer_id, conversation_id = await _open_question(runtime)
    _silence(runtime, conversation_id, minutes=61)
    await runtime.webchat.accept(customer_id, text="Laufschuhe")  # not answered by a turn yet
    await _run_reminder(runtime)
    assert _reminded(runtime) == 0
