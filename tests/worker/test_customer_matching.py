"""One customer across channels, once a platform confirms their phone number."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.store.schema import conversations, customers, events, identities, subscriptions

PHONE = "+4915112345678"


async def _say(runtime: Runtime, channel: str, sender: str, text: str, **extra: object) -> None:
    event = replace(InboundEvent.typed(channel, sender, text=text), extra=dict(extra))
    await runtime.ingestor.submit(event)
    while await runtime.turns("w").run_once():
        pass


def _rows(runtime: Runtime, statement: object) -> list[tuple[object, ...]]:
    return [tuple(row) for row in runtime.db.read_now(lambda conn: conn.execute(statement).all())]  # type: ignore[call-overload]


async def test_a_number_confirmed_on_a_second_channel_merges_into_the_older_customer(
    runtime: Runtime,
) -> None:
    await _say(runtime, "telegram", "777", "Hallo, ich bin Anna")
    await _say(
        runtime, "telegram", "777", "+49 151 12345678", contact_phone=PHONE, contact_verified=True
    )
    (anna,) = _rows(runtime, select(customers.c.id))
    await _say(
        runtime, "whatsapp", "4915112345678", "Hallo", contact_phone=PHONE, contact_verified=True
    )
    assert _rows(runtime, select(customers.c.id)) == [anna]  # the WhatsApp customer is gone
    owners = _rows(
        runtime,
        select(conversations.c.channel, conversations.c.customer_id).order_by(
            conversations.c.channel
        ),
    )
    assert owners == [("telegram", anna[0]), ("whatsapp", anna[0])]
    linked = _rows(
        runtime,
        select(identities.c.channel)
        .where(identities.c.customer_id == anna[0])
        .order_by(identities.c.channel),
    )
    assert linked == [("phone",), ("telegram",), ("whatsapp",)]
    history = _rows(runtime, select(events.c.customer_id).distinct())
    assert history == [anna]  # the WhatsApp messages moved with it
    merged = _rows(runtime, select(events.c.data).where(events.c.kind == "customer.merged"))
    assert merged and merged[0][0]["survivor"] == anna[0] and merged[0][0]["phone"] == PHONE


async def test_a_number_typed_in_free_text_merges_no_one(runtime: Runtime) -> None:
    await _say(runtime, "telegram", "777", "Hallo", contact_phone=PHONE, contact_verified=True)
    await _say(
        runtime, "whatsapp", "4915199999999", f"Meine Nummer ist {PHONE}", contact_phone=PHONE
    )
    assert len(_rows(runtime, select(customers.c.id))) == 2


async def test_subscriptions_and_profiles_move_with_the_merge(runtime: Runtime) -> None:
    from theke.store import customers as customer_store
    from theke.store.subscriptions import NewSubscription, add

    await _say(runtime, "telegram", "777", "Hallo", contact_phone=PHONE, contact_verified=True)
    await _say(runtime, "messenger", "psid-1", "Hallo")
    older, younger = (
        row[0] for row in _rows(runtime, select(customers.c.id).order_by(customers.c.created_at))
    )
    conversation = _rows(
        runtime, select(conversations.c.id).where(conversations.c.customer_id == younger)
    )[0][0]

    def prepare(conn: object) -> None:
        add(
            conn,
            [
                NewSubscription(
                    str(younger), str(conversation), "messenger", "back_in_stock", "SC-1:43", {}
                )
            ],
        )  # type: ignore[arg-type]
        conn.execute(
            customers.update()
            .where(customers.c.id == younger)
            .values(profile={"name": "Anna", "likes": {"brand": {"Nike": 2}}})
        )  # type: ignore[attr-defined]
        conn.execute(
            customers.update()
            .where(customers.c.id == older)
            .values(profile={"likes": {"brand": {"Nike": 1, "Asics": 1}}})
        )  # type: ignore[attr-defined]

    runtime.db.write_now(prepare)
    merge = runtime.db.write_now(
        lambda conn: customer_store.confirm_phone(conn, str(younger), PHONE)
    )
    assert merge is not None and (merge.survivor, merge.merged) == (older, younger)
    assert _rows(runtime, select(subscriptions.c.customer_id)) == [(older,)]
    (profile,) = _rows(runtime, select(customers.c.profile))
    assert profile[0] == {"name": "Anna", "likes": {"brand": {"Nike": 3, "Asics": 1}}}


async def test_a_stop_on_either_side_holds_for_the_merged_customer(runtime: Runtime) -> None:
    await _say(runtime, "telegram", "777", "Hallo", contact_phone=PHONE, contact_verified=True)
    await _say(runtime, "whatsapp", "4915112345678", "stop")  # the newer customer says STOP
    await _say(
        runtime, "whatsapp", "4915112345678", "Hi", contact_phone=PHONE, contact_verified=True
    )
    rows = _rows(runtime, select(customers.c.id, customers.c.opted_out_at))
    assert len(rows) == 1 and rows[0][1] is not None  # merged, and still opted out
