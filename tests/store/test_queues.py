"""The queues' guarantees: order, leases, claims, and bad events that fail alone."""

from __future__ import annotations

import asyncio
import secrets

from sqlalchemy import select

from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.store import inbound, leases, outbox
from theke.store.outbox import Failure
from theke.store.schema import inbound_events, utcnow


def _event(sender: str, text: str, event_id: str | None = None) -> InboundEvent:
    return InboundEvent(
        channel="test",
        event_id=event_id or secrets.token_hex(8),
        sender=sender,
        kind="message",
        received_at=utcnow(),
        text=text,
    )


async def test_a_burst_is_stored_in_the_order_it_arrived(runtime: Runtime) -> None:
    texts = ["erste", "zweite", "dritte", "vierte"]
    await asyncio.gather(*(runtime.ingestor.submit(_event("u1", text)) for text in texts))
    rows = runtime.db.read_now(
        lambda conn: (
            conn.execute(select(inbound_events.c.payload).order_by(inbound_events.c.id))
            .scalars()
            .all()
        )
    )
    assert [row["text"] for row in rows] == texts


async def test_a_repeated_event_id_in_one_burst_is_stored_once(runtime: Runtime) -> None:
    results = await asyncio.gather(
        runtime.ingestor.submit(_event("u1", "a", event_id="same")),
        runtime.ingestor.submit(_event("u1", "b", event_id="same")),
    )
    assert results[0] is not None and results[1] is None


async def test_one_bad_event_fails_alone_and_the_rest_of_its_burst_is_stored(
    runtime: Runtime,
) -> None:
    too_long = "x" * 400  # longer than the column allows: PostgreSQL refuses the row
    outcomes = await asyncio.gather(
        runtime.ingestor.submit(_event("u1", "gut")),
        runtime.ingestor.submit(_event("u2", "böse", event_id=too_long)),
        runtime.ingestor.submit(_event("u3", "auch gut")),
        return_exceptions=True,
    )
    assert outcomes[0] is not None and not isinstance(outcomes[0], BaseException)
    assert outcomes[2] is not None and not isinstance(outcomes[2], BaseException)
    if runtime.db.dialect == "postgresql":
        assert isinstance(outcomes[1], Exception)


async def test_workers_skip_conversations_another_worker_holds(runtime: Runtime) -> None:
    for sender in ("a", "b", "c"):
        await runtime.ingestor.submit(_event(sender, "Hallo"))
    runtime.db.write_now(lambda conn: leases.acquire(conn, ["test:a"], "worker-1", ttl=30))
    keys = runtime.db.read_now(lambda conn: inbound.pending_keys(conn, 10))
    assert keys == ["test:b", "test:c"]


async def test_a_dispatcher_whose_claim_lapsed_changes_nothing(runtime: Runtime) -> None:
    await runtime.ingestor.submit(_event("a", "Hallo"))  # a platform channel: dispatched
    await runtime.turns("w").run_once()
    first = runtime.db.write_now(lambda conn: outbox.claim(conn, "slow", 10, ttl=0.2))
    assert first
    await asyncio.sleep(0.3)
    second = runtime.db.write_now(lambda conn: outbox.claim(conn, "fast", 10, ttl=30))
    assert [m.id for m in second] == [m.id for m in first]
    assert all(m.resumed for m in second)
    ids = [m.id for m in second]
    assert runtime.db.write_now(lambda conn: outbox.mark_sent(conn, ids, "fast")) == len(ids)

    failures = [Failure(i, "timeout", "too slow", retry_at=utcnow()) for i in ids]
    runtime.db.write_now(lambda conn: outbox.mark_failed(conn, failures, "slow"))

    counts = runtime.db.read_now(outbox.counts)
    assert counts == {"sent": len(ids)}


async def test_a_held_lease_turns_a_stale_commit_away(runtime: Runtime) -> None:
    await runtime.ingestor.submit(_event("a", "Hallo"))
    runtime.db.write_now(lambda conn: leases.acquire(conn, ["test:a"], "old", ttl=0.1))
    await asyncio.sleep(0.2)
    runtime.db.write_now(lambda conn: leases.acquire(conn, ["test:a"], "new", ttl=30))
    ours = runtime.db.write_now(lambda conn: leases.extend(conn, ["test:a"], "old", ttl=30))
    assert ours == set()
