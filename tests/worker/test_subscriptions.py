"""'Sag mir Bescheid, wenn er wieder da ist': the wish is stored once, and STOP withdraws it."""

from __future__ import annotations

from sqlalchemy import select

from theke.runtime import Runtime
from theke.store import subscriptions
from theke.store.schema import subscriptions as subscription_rows


async def _say(runtime: Runtime, customer_id: str, *texts: str) -> None:
    for text in texts:
        await runtime.webchat.accept(customer_id, text=text)
        await runtime.turns("w").run_once()


def _rows(runtime: Runtime) -> list[tuple[str, str, str]]:
    return runtime.db.read_now(
        lambda conn: [
            (row.topic, row.subject, row.status)
            for row in conn.execute(select(subscription_rows).order_by(subscription_rows.c.id))
        ]
    )


async def test_a_wish_for_a_sold_out_size_is_stored_once(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    wish = "sagt mir bitte bescheid wenn der air force 1 in größe 43 wieder da ist"
    await _say(runtime, customer_id, wish, wish)
    assert _rows(runtime) == [("back_in_stock", "SC-LIF-002:43", "active")]
    active = runtime.db.read_now(lambda conn: subscriptions.active_for(conn, customer_id))
    assert active[0]["data"] == {"product": "Air Force 1 '07", "sku": "SC-LIF-002", "size": "43"}


async def test_nothing_is_stored_for_a_size_in_stock(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    await _say(
        runtime, customer_id, "kannst du mir bescheid geben wenn samba og in 43 wieder da ist"
    )
    assert _rows(runtime) == []
    history = await runtime.webchat.history(customer_id, 0)
    assert "gibt es gerade in Größe 43" in str(history[-1].content)


async def test_stop_withdraws_every_wish(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    await _say(
        runtime,
        customer_id,
        "sagt mir bitte bescheid wenn der air force 1 in größe 43 wieder da ist",
        "STOP",
    )
    assert _rows(runtime) == [("back_in_stock", "SC-LIF-002:43", "withdrawn")]


async def test_a_sold_out_model_offers_the_wish_with_what_was_asked(runtime: Runtime) -> None:
    customer_id, _ = await runtime.webchat.create_session()
    await _say(runtime, customer_id, "zeig mir den air force 1 in 43")
    history = await runtime.webchat.history(customer_id, 0)
    assert "ausverkauft" in str(history[-1].content)
    await runtime.webchat.accept(
        customer_id, postback="theke:continue:notify_me", title="Ja, Bescheid sagen"
    )
    await runtime.turns("w").run_once()
    assert _rows(runtime) == [("back_in_stock", "SC-LIF-002:43", "active")]
