"""One message end to end: ingest, the bot's turn, the outbox, delivery — on both databases."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from theke.channels.webchat.service import WebchatMessage
from theke.content import Text, from_json
from theke.dialogue.handover import AWAITING_CONTACT
from theke.runtime import Runtime
from theke.store import conversations
from theke.store.schema import conversations as conversations_table
from theke.store.schema import events, inbound_events, outbox, webhook_deliveries


async def _reply(runtime: Runtime, customer_id: str, after: int) -> list[WebchatMessage]:
    """Wait for the bot's answer in the visitor's mailbox."""
    for _ in range(100):
        got = await runtime.webchat.history(customer_id, after, wait=0.5)
        bot = [message for message in got if message.sender == "bot"]
        if bot:
            return bot
    raise AssertionError("the bot did not answer")


async def test_a_visitor_greets_and_the_bot_answers(running_worker: Runtime) -> None:
    customer_id, _token = await running_worker.webchat.create_session()
    echoed = await running_worker.webchat.accept(customer_id, text="Hallo")
    assert echoed is not None and echoed.sender == "customer"

    replies = await _reply(running_worker, customer_id, echoed.id)

    first = from_json(replies[0].content)
    text = first.text if isinstance(first, Text) else str(replies[0].content)
    assert "Sohle" in text


async def test_every_inbound_event_gets_exactly_one_set_of_replies(
    running_worker: Runtime,
) -> None:
    customers = [(await running_worker.webchat.create_session())[0] for _ in range(20)]
    sent = await asyncio.gather(
        *(
            running_worker.webchat.accept(customer, text=word)
            for customer in customers
            for word in ("Hallo", "Versand?", "danke")
        )
    )
    assert all(message is not None for message in sent)
    for _ in range(200):
        with running_worker.db.engine.connect() as conn:
            pending = (
                conn.execute(select(func.count()).where(inbound_events.c.status == "pending"))
            ).scalar_one()
            unsent = (
                conn.execute(select(func.count()).where(outbox.c.status != "sent"))
            ).scalar_one()
        if pending == 0 and unsent == 0:
            break
        await asyncio.sleep(0.05)
    with running_worker.db.engine.connect() as conn:
        per_inbound = (
            conn.execute(select(outbox.c.inbound_id, func.count()).group_by(outbox.c.inbound_id))
        ).all()
        handled = (
            conn.execute(select(func.count()).where(inbound_events.c.status == "done"))
        ).scalar_one()
    assert handled == 60
    assert len(per_inbound) == 60  # every inbound event answered, none twice
    assert pending == 0 and unsent == 0


async def test_a_repeated_delivery_is_stored_once(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    first = await runtime.webchat.accept(customer_id, text="Hallo", client_id="c-1")
    again = await runtime.webchat.accept(customer_id, text="Hallo", client_id="c-1")
    assert first is not None
    assert again is None
    with runtime.db.engine.connect() as conn:
        stored = (conn.execute(select(func.count()).select_from(inbound_events))).scalar()
    assert stored == 1


async def test_in_human_mode_the_bot_stays_silent_but_logs(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    turns = runtime.turns("w1")
    dispatcher = runtime.dispatcher("w1")
    await runtime.webchat.accept(customer_id, text="Hallo")
    await turns.run_once()
    await dispatcher.run_once()
    with runtime.db.engine.begin() as conn:
        found = conversations.load_many(conn, [f"webchat:{customer_id}"])
        conversations.set_mode(conn, found[f"webchat:{customer_id}"].id, "human")

    await runtime.webchat.accept(customer_id, text="Hallo nochmal")
    assert await turns.run_once() == 1
    await dispatcher.run_once()

    with runtime.db.engine.connect() as conn:
        kinds = list((conn.execute(select(events.c.kind).order_by(events.c.id))).scalars())
        replies = (conn.execute(select(func.count()).select_from(outbox))).scalar_one()
    assert kinds.count("message.in") == 2
    assert replies == kinds.count("message.out")  # nothing new was queued in human mode
    history = await runtime.webchat.history(customer_id, 0)
    assert [m.sender for m in history][-1] == "customer"


async def test_a_dead_workers_lease_lapses_and_another_worker_answers(runtime: Runtime) -> None:
    from theke.store import leases

    customer_id, _ = await runtime.webchat.create_session()
    await runtime.webchat.accept(customer_id, text="Hallo")
    key = f"webchat:{customer_id}"
    with runtime.db.engine.begin() as conn:  # a worker takes the lease, then dies
        assert leases.acquire(conn, [key], "dead-worker", ttl=0.3) == [key]

    survivor = runtime.turns("survivor")
    assert await survivor.run_once() == 0  # the lease is still held
    await asyncio.sleep(0.4)
    assert await survivor.run_once() == 1


async def test_web_chat_replies_are_delivered_in_the_turns_own_transaction(
    runtime: Runtime,
) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    echoed = await runtime.webchat.accept(customer_id, text="Hallo")
    assert echoed is not None

    await runtime.turns("w").run_once()  # no dispatcher runs

    statuses = runtime.db.read_now(
        lambda conn: conn.execute(select(outbox.c.status, outbox.c.sent_at)).all()
    )
    assert statuses and all(status == "sent" and sent for status, sent in statuses)
    history = await runtime.webchat.history(customer_id, echoed.id)
    assert [message.sender for message in history] == ["bot"] * len(statuses)


async def test_a_hand_over_waits_in_the_inbox_and_notifies_the_agents(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    turns = runtime.turns("w1")
    await runtime.webchat.accept(customer_id, text="Das ist doch lächerlich, verstehst du nicht?")
    await turns.run_once()
    with runtime.db.engine.connect() as conn:
        [conversation] = conversations.load_many(conn, [f"webchat:{customer_id}"]).values()
        started = conn.execute(
            select(events.c.data).where(events.c.kind == "handoff.started")
        ).scalar_one()
        row = conn.execute(
            select(conversations_table.c.waiting_since, conversations_table.c.preview).where(
                conversations_table.c.id == conversation.id
            )
        ).one()
        [delivery] = conn.execute(
            select(webhook_deliveries.c.topic, webhook_deliveries.c.target,
                   webhook_deliveries.c.payload)
        ).all()  # fmt: skip
    assert conversation.mode == "human"
    assert started == {"reason": "frustration"}
    assert row.waiting_since is not None
    assert row.preview == "Das ist doch lächerlich, verstehst du nicht?"
    assert (delivery.topic, delivery.target) == ("conversation.waiting", "inbox")
    assert delivery.payload["data"]["reason"] == "frustration"
    assert delivery.payload["data"]["url"].endswith(f"/inbox/c/{conversation.id}")


async def test_after_hours_the_contact_a_customer_sends_is_remembered(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    turns = runtime.turns("w1")
    await runtime.webchat.accept(customer_id, text="Hallo")
    await turns.run_once()
    with runtime.db.engine.begin() as conn:
        [conversation] = conversations.load_many(conn, [f"webchat:{customer_id}"]).values()
        conversations.set_mode(conn, conversation.id, "human")
        conversations.save_profiles(conn, {customer_id: {AWAITING_CONTACT: "2026-11-30"}})
        greeted = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    await runtime.webchat.accept(customer_id, text="Ihr erreicht mich unter anna@example.org")
    await turns.run_once()
    with runtime.db.engine.connect() as conn:
        profile = conversations.profiles(conn, [customer_id])[customer_id]
        replies = conn.execute(select(func.count()).select_from(outbox)).scalar_one()
    assert profile["email"] == "anna@example.org"
    assert AWAITING_CONTACT not in profile
    assert replies == greeted  # while a person has it the bot stays silent
