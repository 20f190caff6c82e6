"""After the order button: Stripe's webhooks, the payment jobs, invoice and prepayment, a double
tap and the last pair sold twice, as the customer and the shop owner notice them.

The demo shop runs in-process (web chat HTTP API, Stripe webhook endpoint, REST API), the
worker's steps run by hand, and Stripe is the loopback fake. SQLite only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from tests.commerce.shop_story import Seen, button, work
from tests.conftest import make_settings
from theke.commerce.payments.stripe_events import sign
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store import api_tokens, catalog, orders
from theke.store.migrate import upgrade
from theke.store.orders import Order
from theke.store.schema import conversations as conversation_rows
from theke.store.schema import orders as order_rows
from theke.store.schema import (
    product_sizes,
    scheduled_jobs,
    subscriptions,
    utcnow,
    webhook_deliveries,
)
from theke.testing.stripe_api import StripeApi

SKU, SIZE = "SC-RUN-002", "43"  # Revolution 7, 64,99 €: what "Laufschuhe unter 100 Euro" finds
WHSEC = "whsec_theke"
PAID = "Zahlung für die Bestellung"


# -- the shop and its customers ----------------------------------------------------------------


class WidgetCustomer:
    """A visitor of the web chat: says, taps, and reads what the bot sent since the last look."""

    def __init__(self, http: httpx.AsyncClient, session: dict[str, str]) -> None:
        self.http, self.cursor, self.customer_id = http, None, session["customer_id"]
        self.auth = {"Authorization": f"Bearer {session['token']}"}
        self.all: list[Seen] = []  # everything seen so far

    async def say(self, text: str) -> None:
        await self._send({"text": text})

    async def tap(self, title: str, payload: str) -> None:
        await self._send({"postback": payload, "title": title})

    async def _send(self, body: dict[str, str]) -> None:
        sent = await self.http.post("/webchat/messages", headers=self.auth, json=body)
        assert sent.status_code == 202

    async def seen(self) -> list[Seen]:
        params: dict[str, str] = {"after": self.cursor} if self.cursor else {}
        answer = (await self.http.get("/webchat/messages", headers=self.auth, params=params)).json()
        self.cursor = answer["cursor"]
        new = [_seen(m["content"]) for m in answer["messages"] if m["from"] == "bot"]
        self.all.extend(new)
        return new

    async def texts(self) -> list[str]:
        """The texts that arrived since the last look."""
        return [message.text for message in await self.seen()]


def _seen(content: dict[str, Any]) -> Seen:
    buttons = {reply["title"]: reply["payload"] for reply in content.get("replies", ())}
    for item in [content, *content.get("cards", ())]:
        for found in item.get("buttons", ()):
            buttons.setdefault(found["title"], found.get("payload") or found.get("url", ""))
    return Seen(content["type"], content.get("text", ""), buttons)


@dataclass
class Shop:
    """The demo shop, its customers, and what its owner can look up."""

    runtime: Runtime
    http: httpx.AsyncClient
    stripe: StripeApi

    async def customer(self) -> WidgetCustomer:
        return WidgetCustomer(self.http, (await self.http.post("/webchat/sessions")).json())

    async def step(self, customer: WidgetCustomer, action: Any) -> list[Seen]:
        await action
        await work(self.runtime)
        return await customer.seen()

    async def to_summary(self, customer: WidgetCustomer, pay_with: str) -> tuple[str, str]:
        """From "Laufschuhe unter 100 Euro" to the summary; returns the order button."""
        await self.step(customer, customer.say("Laufschuhe unter 100 Euro"))
        await self.step(customer, customer.say(SIZE))
        for title in ("In den Warenkorb", "Zur Kasse", "Liefern"):
            await self.step(customer, customer.tap(*button(customer.all, title)))
        await self.step(customer, customer.say("Anna Schmidt, Hauptstraße 5, 10115 Berlin"))
        await self.step(customer, customer.say("anna@example.com"))
        await self.step(customer, customer.tap(*button(customer.all, pay_with)))
        return button(customer.all, "Zahlungspflichtig")

    async def order_by(self, customer: WidgetCustomer, pay_with: str) -> Order:
        """The customer orders the running shoes; returns the order placed."""
        await self.step(customer, customer.tap(*await self.to_summary(customer, pay_with)))
        return self.orders()[-1]

    async def stripe_event(self, delivery: tuple[bytes, dict[str, str]]) -> httpx.Response:
        body, headers = delivery
        return await self.http.post("/webhooks/stripe", content=body, headers=headers)

    def orders(self) -> list[Order]:
        def read(conn: Any) -> list[Order]:
            ids = conn.execute(select(order_rows.c.id).order_by(order_rows.c.created_at)).scalars()
            return [order for order_id in ids if (order := orders.get(conn, order_id))]

        return self.runtime.db.read_now(read)

    def order(self, order: Order) -> Order:
        """The order as it is now."""
        found = self.runtime.db.read_now(lambda conn: orders.get(conn, order.id))
        assert found is not None
        return found

    def stock(self) -> tuple[int, int]:
        """(stock, reserved) of the running shoes in 43."""
        row = self.runtime.db.read_now(
            lambda conn: conn.execute(
                select(product_sizes.c.stock, product_sizes.c.reserved).where(
                    product_sizes.c.sku == SKU, product_sizes.c.size == SIZE
                )
            ).one()
        )
        return int(row.stock), int(row.reserved)

    def cart(self, customer: WidgetCustomer) -> list[dict[str, Any]]:
        """What the customer's cart holds now."""
        customer_id = customer.customer_id
        state = self.runtime.db.read_now(
            lambda conn: conn.execute(
                select(conversation_rows.c.state).where(
                    conversation_rows.c.customer_id == customer_id
                )
            ).scalar_one()
        )
        return list(state.get("cart") or [])

    def set_stock(self, stock: int) -> None:
        self.runtime.db.write_now(lambda conn: catalog.set_stock(conn, SKU, SIZE, stock))

    def topics(self) -> list[str]:
        return self.runtime.db.read_now(
            lambda conn: list(
                conn.execute(
                    select(webhook_deliveries.c.topic).order_by(webhook_deliveries.c.id)
                ).scalars()
            )
        )

    def wishes(self) -> list[tuple[str, str]]:
        """The back-in-stock subscriptions: (subject, status), oldest first."""
        query = select(subscriptions.c.subject, subscriptions.c.status).order_by(subscriptions.c.id)
        return self.runtime.db.read_now(
            lambda conn: [(row.subject, row.status) for row in conn.execute(query)]
        )

    def make_due(self, kind: str) -> None:
        """Time passes: the pending jobs of ``kind`` are due now (for ``payment.lapse``: the
        payment pages have expired too)."""
        past = utcnow() - timedelta(seconds=1)

        def travel(conn: Any) -> None:
            conn.execute(
                update(scheduled_jobs)
                .where(scheduled_jobs.c.kind == kind, scheduled_jobs.c.status == "pending")
                .values(run_at=past)
            )
            if kind == "payment.lapse":
                expired = (past - timedelta(minutes=5)).isoformat()
                for order in orders.changed(conn, None, None, 100):
                    if "payment_expires_at" in order.data:
                        data = {"payment_expires_at": expired}
                        orders.update_order(conn, order.id, data=data)

        self.runtime.db.write_now(travel)

    async def api(self, path: str, body: dict[str, Any]) -> httpx.Response:
        token = self.runtime.db.write_now(lambda conn: api_tokens.create(conn, "erp"))
        headers = {"Authorization": f"Bearer {token}"}
        return await self.http.post(f"/api/v1{path}", headers=headers, json=body)


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
def stripe() -> Iterator[StripeApi]:
    with StripeApi() as server:
        yield server


@contextlib.asynccontextmanager
async def open_shop(url: str, stripe: StripeApi, **overrides: Any) -> AsyncIterator[Shop]:
    values: dict[str, Any] = {
        "stripe_api_base": stripe.base_url,
        "stripe_secret_key": stripe.secret_key,
        "stripe_webhook_secret": WHSEC,
        "public_url": "https://shop.example",
    }
    runtime = await Runtime.open(make_settings(url, **(values | overrides)), migrate=False)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime, run_worker=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            yield Shop(runtime, http, stripe)
    finally:
        await runtime.close()


@pytest.fixture
async def shop(sqlite_url: str, stripe: StripeApi) -> AsyncIterator[Shop]:
    async with open_shop(sqlite_url, stripe) as opened:
        yield opened


def _count(texts: list[str], *parts: str) -> int:
    return sum(all(part in text for part in parts) for text in texts)


# -- Stripe's webhook ---------------------------------------------------------------------------


async def test_a_webhook_that_is_not_stripes_is_refused_and_changes_nothing(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    held = shop.stock()
    body, headers = shop.stripe.pay(shop.stripe.sessions[-1]["id"])
    unsigned = {key: value for key, value in headers.items() if key != "Stripe-Signature"}
    forged = {**unsigned, "Stripe-Signature": sign(body, "whsec_other", int(time.time()))}
    replayed = {**unsigned, "Stripe-Signature": sign(body, WHSEC, int(time.time()) - 3600)}
    garbage = b'{"object": "event", "type": "checkout.session.completed"}'
    garbage_headers = {**unsigned, "Stripe-Signature": sign(garbage, WHSEC, int(time.time()))}

    assert (await shop.stripe_event((body, unsigned))).status_code == 401
    assert (await shop.stripe_event((body, forged))).status_code == 403
    assert (await shop.stripe_event((body, replayed))).status_code == 403  # an hour old
    assert (await shop.stripe_event((garbage, garbage_headers))).status_code == 400
    await work(shop.runtime)

    now = shop.order(order)
    assert (now.status, now.payment_status) == ("placed", "pending")
    assert shop.stock() == held and held[1] == 1
    assert _count(await anna.texts(), PAID) == 0
    assert shop.topics() == ["order.created"]


async def test_an_event_about_a_session_no_order_has_is_answered_and_ignored(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    session = shop.stripe.sessions[-1]
    for other in ("cs_test_someone_else", "cs_test_same_number_other_session"):
        stranger = {**session, "id": other, "status": "complete", "payment_status": "paid"}
        if other == "cs_test_someone_else":
            stranger["client_reference_id"] = "XY-123456"
        event = {
            "id": f"evt_{other}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "data": {"object": stranger},
        }
        body = json.dumps(event).encode()
        headers = {"Stripe-Signature": sign(body, WHSEC, int(time.time()))}
        answer = await shop.stripe_event((body, headers))
        assert answer.status_code == 200 and "ignored" in answer.json()
    await work(shop.runtime)

    assert shop.order(order).payment_status == "pending"
    assert _count(await anna.texts(), PAID) == 0
    assert shop.topics() == ["order.created"]


async def test_a_payment_delivered_twice_is_told_once_and_sold_once(shop: Shop) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Online bezahlen")
    delivery = shop.stripe.pay(shop.stripe.sessions[-1]["id"])

    for _ in range(2):
        answer = await shop.stripe_event(delivery)
        assert answer.status_code == 200 and answer.json()["status"] == "paid"
        await work(shop.runtime)

    assert _count(await anna.texts(), PAID, order.number, "angekommen") == 1
    assert shop.topics() == ["order.created", "order.paid"]
    assert shop.stock() == (before - 1, 0)
    assert shop.order(order).payment_status == "paid"


async def test_an_expired_session_gives_the_pair_back_to_the_one_who_waited_for_it(
    shop: Shop,
) -> None:
    shop.set_stock(1)  # the last pair in 43
    anna, ben, cleo = await shop.customer(), await shop.customer(), await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    assert shop.stock() == (1, 1)  # held for Anna: nothing left to buy
    wish = "sagt mir bitte bescheid wenn der revolution 7 in größe {} wieder da ist"
    await shop.step(ben, ben.say(wish.format(43)))
    await shop.step(cleo, cleo.say(wish.format(38)))  # sold out too, and stays so
    assert shop.wishes() == [("SC-RUN-002:43", "active"), ("SC-RUN-002:38", "active")]

    expired = shop.stripe.expire_now(shop.stripe.sessions[-1]["id"])
    for _ in range(2):  # Stripe delivers at least once
        assert (await shop.stripe_event(expired)).status_code == 200
        await work(shop.runtime)

    now = shop.order(order)
    assert (now.status, now.payment_status) == ("cancelled", "expired")
    assert shop.stock() == (1, 0)
    assert _count(await anna.texts(), order.number, "storniert") == 1
    assert shop.topics() == ["order.created", "order.cancelled"]
    assert _count(await ben.texts(), "Revolution 7", "wieder lieferbar", "43") == 1
    assert await cleo.texts() == []
    assert shop.wishes() == [("SC-RUN-002:43", "sent"), ("SC-RUN-002:38", "active")]


@pytest.mark.parametrize(
    ("outcome", "status", "payment", "told"),
    [
        ("fail_async", "cancelled", "failed", "keine Zahlung angekommen"),
        ("settle_async", "paid", "paid", "Zahlung für die Bestellung"),
    ],
)
async def test_a_delayed_payment_keeps_the_order_waiting_until_it_settles(
    shop: Shop, outcome: str, status: str, payment: str, told: str
) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Online bezahlen")
    session_id = shop.stripe.sessions[-1]["id"]

    assert (await shop.stripe_event(shop.stripe.pay(session_id, delayed=True))).status_code == 200
    await work(shop.runtime)
    waiting = shop.order(order)
    assert (waiting.status, waiting.payment_status) == ("placed", "pending")
    assert await anna.texts() == []
    assert shop.stock() == (before, 1)

    settled = getattr(shop.stripe, outcome)(session_id)
    assert (await shop.stripe_event(settled)).status_code == 200
    await work(shop.runtime)
    now = shop.order(order)
    assert (now.status, now.payment_status) == (status, payment)
    assert _count(await anna.texts(), told, order.number) == 1
    assert shop.stock() == ((before, 0) if status == "cancelled" else (before - 1, 0))


# -- the end of the time to pay ------------------------------------------------------------------


async def test_a_payment_whose_webhook_was_lost_counts_when_the_time_is_over(shop: Shop) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Online bezahlen")
    shop.stripe.pay(shop.stripe.sessions[-1]["id"])  # paid; the webhook never arrives

    shop.make_due("payment.lapse")
    await work(shop.runtime)

    now = shop.order(order)
    assert (now.status, now.payment_status) == ("paid", "paid")
    assert _count(await anna.texts(), PAID, order.number) == 1
    assert shop.stock() == (before - 1, 0)
    assert shop.topics() == ["order.created", "order.paid"]


async def test_an_unpaid_session_is_closed_at_stripe_when_the_time_is_over(shop: Shop) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Online bezahlen")
    session_id = shop.stripe.sessions[-1]["id"]

    shop.make_due("payment.lapse")
    await work(shop.runtime)

    assert shop.stripe.session(session_id)["status"] == "expired"  # nobody can pay it now
    now = shop.order(order)
    assert (now.status, now.payment_status) == ("cancelled", "expired")
    assert _count(await anna.texts(), "keine Zahlung angekommen", order.number) == 1
    assert shop.stock() == (before, 0)


async def test_a_delayed_payment_under_way_is_not_cancelled_when_the_time_is_over(
    shop: Shop,
) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Online bezahlen")
    session_id = shop.stripe.sessions[-1]["id"]
    assert (await shop.stripe_event(shop.stripe.pay(session_id, delayed=True))).status_code == 200

    shop.make_due("payment.lapse")
    await work(shop.runtime)
    waiting = shop.order(order)
    assert (waiting.status, waiting.payment_status) == ("placed", "pending")
    assert _count(await anna.texts(), "storniert") == 0
    assert shop.stock() == (before, 1)

    late = shop.stripe.settle_async(session_id)  # the money came; its webhook got lost
    shop.make_due("payment.lapse")  # the next day's look
    await work(shop.runtime)
    assert shop.order(order).status == "paid"
    assert (await shop.stripe_event(late)).status_code == 200  # and arrives after all
    await work(shop.runtime)
    assert _count(await anna.texts(), PAID, order.number) == 1
    assert shop.stock() == (before - 1, 0)


async def test_an_order_the_shop_sent_off_unpaid_is_not_cancelled_when_the_time_is_over(
    shop: Shop,
) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    answer = await shop.api(f"/orders/{order.number}/status", {"status": "shipped"})
    assert answer.status_code == 200

    shop.make_due("payment.lapse")
    await work(shop.runtime)

    now = shop.order(order)
    assert (now.status, now.payment_status) == ("shipped", "expired")  # the shop's to settle
    assert _count(await anna.texts(), "storniert") == 0
    assert shop.topics() == ["order.created", "order.shipped"]


# -- starting the payment ------------------------------------------------------------------------


async def test_the_payment_link_comes_once_stripe_is_back(shop: Shop) -> None:
    anna = await shop.customer()
    shop.stripe.fail_next(500, times=2)
    order = await shop.order_by(anna, "Online bezahlen")
    assert not any("Jetzt bezahlen" in message.buttons for message in anna.all)

    for attempt in (2, 3):
        shop.make_due("payment.start")
        await work(shop.runtime)
        waiting = shop.order(order)
        assert (waiting.status, waiting.payment_status) == ("placed", "pending")
        links = [
            m.buttons["Jetzt bezahlen"] for m in await anna.seen() if "Jetzt bezahlen" in m.buttons
        ]
        assert len(links) == (attempt == 3)

    assert [request.status for request in shop.stripe.requests] == [500, 500, 200]
    assert len(shop.stripe.sessions) == 1
    assert links == [shop.stripe.sessions[0]["url"]]
    assert shop.order(order).payment_ref == shop.stripe.sessions[0]["id"]


@pytest.mark.parametrize("refusal", ["invalid_request", "wrong_key", "key_gone"])
async def test_an_order_stripe_cannot_take_is_cancelled_and_the_customer_told(
    sqlite_url: str, stripe: StripeApi, refusal: str
) -> None:
    settings: dict[str, dict[str, Any]] = {"wrong_key": {"stripe_secret_key": "sk_test_revoked"}}
    overrides = settings.get(refusal, {})
    if refusal == "invalid_request":
        stripe.fail_next(400, code="parameter_invalid_empty")
    async with open_shop(sqlite_url, stripe, **overrides) as shop:
        if refusal == "key_gone":  # ordered while the key was set; the worker has none now
            shop.runtime.providers = replace(shop.runtime.providers, online={})
        anna = await shop.customer()
        before = shop.stock()[0]
        order = await shop.order_by(anna, "Online bezahlen")

        now = shop.order(order)
        assert (now.status, now.data.get("cancel_reason")) == ("cancelled", "payment_unavailable")
        told = [m.text for m in anna.all]
        assert _count(told, "Online-Zahlung klappt gerade leider nicht", order.number) == 1
        assert not any("Jetzt bezahlen" in message.buttons for message in anna.all)
        assert shop.stock() == (before, 0)
        assert shop.topics() == ["order.created", "order.cancelled"]
        assert stripe.sessions == []


async def test_without_a_stripe_key_online_payment_is_not_offered(
    sqlite_url: str, stripe: StripeApi
) -> None:
    async with open_shop(sqlite_url, stripe, stripe_secret_key=None) as shop:
        assert shop.runtime.engine.unavailable_payments == frozenset({"stripe"})
        anna = await shop.customer()
        with pytest.raises(AssertionError, match="Online bezahlen"):
            await shop.order_by(anna, "Online bezahlen")
        assert "Rechnung" in [label for m in anna.all for label in m.buttons]


# -- invoice and prepayment ----------------------------------------------------------------------


async def test_an_invoice_order_says_when_to_pay_and_needs_no_stripe(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Rechnung")

    told = [m.text for m in anna.all]
    assert _count(told, "auf Rechnung", "innerhalb von 14 Tagen") == 1
    assert shop.stripe.requests == []
    assert not any("Jetzt bezahlen" in message.buttons for message in anna.all)
    assert (shop.order(order).status, shop.order(order).payment_status) == ("placed", "pending")


async def test_a_prepayment_order_gives_the_bank_details_and_hears_when_the_money_is_in(
    shop: Shop,
) -> None:
    anna = await shop.customer()
    before = shop.stock()[0]
    order = await shop.order_by(anna, "Vorkasse")
    transfer = next(m.text for m in anna.all if "IBAN" in m.text)
    assert "DE89 3704 0044 0532 0130 00" in transfer and "Sohle & Co. GmbH" in transfer
    assert f"Verwendungszweck: {order.number}" in transfer and "64,99" in transfer
    assert shop.stripe.requests == []
    assert shop.stock() == (before, 1)  # held until the money is in

    answer = await shop.api(f"/orders/{order.number}/status", {"status": "paid"})
    assert answer.status_code == 200 and answer.json()["status"] == "paid"
    await work(shop.runtime)

    assert _count(await anna.texts(), PAID, order.number, "angekommen") == 1
    assert shop.stock() == (before - 1, 0)
    assert shop.topics() == ["order.created", "order.paid"]


# -- the order button ----------------------------------------------------------------------------


@pytest.mark.parametrize("batches", [1, 2])
async def test_a_double_tap_on_the_order_button_orders_once(shop: Shop, batches: int) -> None:
    anna = await shop.customer()
    order_button = await shop.to_summary(anna, "Online bezahlen")
    await anna.tap(*order_button)
    if batches == 2:
        await work(shop.runtime)
    await anna.tap(*order_button)
    await work(shop.runtime)

    told = await anna.texts()
    assert len(shop.orders()) == 1
    assert _count(told, "Danke für deine Bestellung") == 1
    assert _count(told, "schon aufgegeben") == 1
    thanks = next(i for i, text in enumerate(told) if "Danke für deine Bestellung" in text)
    again = next(i for i, text in enumerate(told) if "schon aufgegeben" in text)
    assert thanks < again  # the confirmation first, then "placed already"
    assert len(shop.stripe.sessions) == 1 and shop.stock()[1] == 1
    assert shop.topics() == ["order.created"]


async def test_the_last_pair_sold_elsewhere_before_the_tap_places_no_order(shop: Shop) -> None:
    anna = await shop.customer()
    order_button = await shop.to_summary(anna, "Online bezahlen")
    shop.set_stock(0)  # sold in the shop's own store meanwhile: the worker sees it before the tap

    told = [message.text for message in await shop.step(anna, anna.tap(*order_button))]

    assert shop.orders() == []
    assert _count(told, "Revolution 7", "nicht mehr lieferbar", "aus dem Warenkorb") == 1
    assert shop.cart(anna) == []  # as the customer was told
    assert shop.stock() == (0, 0)
    assert shop.stripe.requests == [] and shop.topics() == []


async def test_two_customers_tapping_for_the_last_pair_at_once_get_one_order(shop: Shop) -> None:
    shop.set_stock(1)
    anna, ben = await shop.customer(), await shop.customer()
    buttons = [await shop.to_summary(anna, "Rechnung"), await shop.to_summary(ben, "Rechnung")]

    await anna.tap(*buttons[0])
    await ben.tap(*buttons[1])
    await work(shop.runtime)  # one batch: both orders reach the database together

    (order,) = shop.orders()
    winner, loser = (anna, ben) if shop.cart(ben) else (ben, anna)
    assert _count(await winner.texts(), "Danke für deine Bestellung", order.number) == 1
    assert _count(await loser.texts(), "Revolution 7", "ausverkauft", "Warenkorb ist noch da") == 1
    assert shop.cart(loser) == [{"sku": SKU, "size": SIZE, "quantity": 1}]
    assert shop.cart(winner) == []
    assert shop.stock() == (1, 1)


# -- an order that stops waiting for its payment page -------------------------------------------


async def test_a_cancelled_order_closes_its_payment_page_at_stripe(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    session = shop.stripe.sessions[-1]["id"]
    answer = await shop.api(f"/orders/{order.number}/status", {"status": "cancelled"})
    assert answer.status_code == 200
    await work(shop.runtime)  # the payment.close job
    assert shop.stripe.session(session)["status"] == "expired"  # the link takes no money now
    assert shop.stock() == (shop.stock()[0], 0)


async def test_money_paid_for_an_order_cancelled_a_moment_before_goes_back(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    session = shop.stripe.sessions[-1]["id"]
    await shop.api(f"/orders/{order.number}/status", {"status": "cancelled"})
    paid = shop.stripe.pay(session)  # the customer was on the payment page already
    assert (await shop.stripe_event(paid)).status_code == 200
    await work(shop.runtime)
    now = shop.order(order)
    assert (now.status, now.payment_status, now.data.get("refund_due")) == (
        "cancelled",
        "paid",
        True,
    )
    told = await anna.texts()
    assert _count(told, order.number, "Geld zurück") == 1
    assert shop.topics()[-1] == "order.paid"  # the shop system refunds it


async def test_the_sweep_settles_an_order_whose_lapse_job_gave_up(shop: Shop) -> None:
    anna = await shop.customer()
    order = await shop.order_by(anna, "Online bezahlen")
    session = shop.stripe.sessions[-1]["id"]
    long_ago = utcnow() - timedelta(hours=3)

    def give_up(conn: Any) -> None:
        conn.execute(
            update(scheduled_jobs)
            .where(scheduled_jobs.c.kind == "payment.lapse")
            .values(status="failed")
        )
        data = {"payment_expires_at": long_ago.isoformat()}
        orders.update_order(conn, order.id, pay_until=long_ago, data=data)

    shop.runtime.db.write_now(give_up)
    assert await shop.runtime.payments().sweep() == 1
    assert shop.order(order).status == "cancelled"
    assert shop.stripe.session(session)["status"] == "expired"
    assert shop.stock()[1] == 0  # the pair is for sale again
    assert await shop.runtime.payments().sweep() == 0  # once a minute, and nothing left
