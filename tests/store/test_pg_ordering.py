"""PostgreSQL draws an id at insert time but shows the row at commit: orders that must hold anyway.

Each test holds one transaction open on its own connection and runs a second
one against it, so the interleaving is the same on every run.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from tests.conftest import truncate
from theke.channels.base import InboundEvent
from theke.content import Text, to_json
from theke.store import conversations, outbox, webchat
from theke.store.database import Database
from theke.store.ingest import Ingestor
from theke.store.outbox import Failure, NewMessage
from theke.store.schema import utcnow, webchat_messages
from theke.store.signals import LocalSignals

pytestmark = pytest.mark.postgres

Writer = Callable[[Database, str], Awaitable[object]]


@pytest.fixture
async def db(postgres_url: str) -> AsyncIterator[Database]:
    await asyncio.to_thread(truncate, postgres_url)
    database = Database(postgres_url)
    try:
        yield database
    finally:
        await database.dispose()


def _someone_waits_for_a_lock(conn: Connection) -> bool:
    waiting = conn.exec_driver_sql(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    ).scalar_one()
    return bool(waiting)


async def _until_done_or_waiting(db: Database, task: asyncio.Future[Any]) -> None:
    """Return once ``task`` finished or its transaction waits for a lock the test holds."""
    for _ in range(1000):
        if task.done() or await db.read(_someone_waits_for_a_lock):
            return
        await asyncio.sleep(0.01)
    pytest.fail("the second transaction neither finished nor waited for a lock")


async def _visitor_writes(db: Database, customer_id: str) -> object:
    """The visitor's next message, stored with its echo by the ingest path."""
    event = InboundEvent(
        channel="webchat",
        event_id=f"{customer_id}:next",
        sender=customer_id,
        kind="message",
        received_at=utcnow(),
        text="Noch eine Frage",
    )
    echo = webchat.visitor_echo(customer_id, to_json(Text(text="Noch eine Frage")), None, utcnow())
    return await Ingestor(db, LocalSignals()).submit(event, echo)


async def _another_dispatcher_delivers(db: Database, customer_id: str) -> object:
    content = to_json(Text(text="Und noch etwas"))
    await db.write(lambda conn: webchat.deliver_many(conn, [(customer_id, "bot", content, 2)]))
    return None


@pytest.mark.parametrize("later", [_visitor_writes, _another_dispatcher_delivers])
async def test_the_live_view_never_skips_a_reply_that_commits_late(
    db: Database, later: Writer
) -> None:
    customer_id = conversations.new_id()
    db.write_now(
        lambda conn: conversations.ensure_customer(conn, "webchat", customer_id, customer_id)
    )
    reply = to_json(Text(text="Gern, hier ist die Antwort"))
    with db.engine.connect() as dispatcher:  # its reply draws the smaller id, commits last
        webchat.deliver_many(dispatcher, [(customer_id, "bot", reply, 1)])
        task = asyncio.ensure_future(later(db, customer_id))
        await _until_done_or_waiting(db, task)
        pushed = await db.read(lambda conn: webchat.after(conn, customer_id, 0))
        cursor = pushed[-1].id if pushed else 0  # the push moves its cursor to the last id sent
        dispatcher.commit()
    await task
    pushed += await db.read(lambda conn: webchat.after(conn, customer_id, cursor))
    stored = await db.read(lambda conn: webchat.after(conn, customer_id, 0))
    assert len(stored) == 2
    assert [message.id for message in pushed] == [message.id for message in stored]


def _queue(db: Database, conversation_id: str, *texts: str) -> list[int]:
    messages = [
        NewMessage(conversation_id, "testchan", conversation_id, to_json(Text(text=text)))
        for text in texts
    ]
    return db.write_now(lambda conn: outbox.enqueue(conn, messages))


async def test_a_second_dispatcher_never_takes_the_next_reply_of_a_conversation_in_hand(
    db: Database,
) -> None:
    busy = db.write_now(lambda conn: conversations.create(conn, "testchan", "busy"))
    quiet = db.write_now(lambda conn: conversations.create(conn, "testchan", "quiet"))
    first, second = _queue(db, busy.id, "Eins", "Zwei")
    (other,) = _queue(db, quiet.id, "Hallo")

    with db.engine.connect() as dispatcher_a:  # claims the first reply, not yet committed
        claimed_a = outbox.claim(dispatcher_a, "a", 1, ttl=30)
        claimed_b = db.write_now(lambda conn: outbox.claim(conn, "b", 10, ttl=30))
        dispatcher_a.commit()
    claimed_later = db.write_now(lambda conn: outbox.claim(conn, "b", 10, ttl=30))

    assert [m.id for m in claimed_a] == [first]
    assert [m.id for m in claimed_b] == [other]  # not "Zwei": it would race "Eins" out
    assert claimed_later == []  # "Zwei" waits until "Eins" is settled
    db.write_now(lambda conn: outbox.mark_sent(conn, [first], "a"))
    claimed_next = db.write_now(lambda conn: outbox.claim(conn, "b", 10, ttl=30))
    assert [m.id for m in claimed_next] == [second]


async def test_a_message_a_late_dispatcher_is_still_settling_is_not_overtaken(
    db: Database,
) -> None:
    busy = db.write_now(lambda conn: conversations.create(conn, "testchan", "busy"))
    first, _ = _queue(db, busy.id, "Eins", "Zwei")
    db.write_now(lambda conn: outbox.claim(conn, "late", 10, ttl=-1))  # a claim already lapsed
    failure = Failure(first, "timeout", "too slow", retry_at=utcnow() + timedelta(hours=1))

    with db.engine.connect() as late:  # "Eins" failed and waits for a retry; not committed yet
        outbox.mark_failed(late, [failure], "late")
        task = asyncio.ensure_future(db.write(lambda conn: outbox.claim(conn, "b", 10, ttl=30)))
        await _until_done_or_waiting(db, task)
        late.commit()
    claimed = await task
    claimed_later = db.write_now(lambda conn: outbox.claim(conn, "b", 10, ttl=30))

    assert claimed == []  # neither "Eins" (it waits for its retry) nor "Zwei" (it would overtake)
    assert claimed_later == []


async def test_the_mailbox_keeps_every_message_once(db: Database) -> None:
    customer_id = conversations.new_id()
    db.write_now(
        lambda conn: conversations.ensure_customer(conn, "webchat", customer_id, customer_id)
    )
    await _visitor_writes(db, customer_id)
    await _another_dispatcher_delivers(db, customer_id)
    await _another_dispatcher_delivers(db, customer_id)  # a resent claim adds nothing
    count = db.read_now(
        lambda conn: conn.execute(select(func.count()).select_from(webchat_messages)).scalar_one()
    )
    assert count == 2
