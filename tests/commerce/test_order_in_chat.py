"""Issue 6's story: from "Laufschuhe unter 100 Euro" to a paid order and its shipping update,
in the web chat and in Messenger, against the loopback Stripe and Graph API servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.channels.meta_shop import meta_shop
from tests.commerce.shop_story import Seen, buy, pay, ship, work
from tests.conftest import make_settings
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.schema import customers, orders, product_sizes, webhook_deliveries
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import messenger_postback, messenger_quick_reply, messenger_text
from theke.testing.stripe_api import StripeApi

PAGE, APP, SECRET, ANNA = "1111", "3333", "messenger-app-secret", "24000000000001"
SKU = "SC-RUN-002"  # Revolution 7, 64,99 €: the best running shoe under 100 € in 43


@pytest.fixture
def stripe() -> Iterator[StripeApi]:
    with StripeApi() as server:
        yield server


def _settings(database_url: str, stripe: StripeApi, **more: Any) -> Any:
    return make_settings(
        database_url,
        stripe_api_base=stripe.base_url,
        stripe_secret_key="sk_test_theke",
        stripe_webhook_secret="whsec_theke",
        public_url="https://shop.example",
        **more,
    )


# -- the web chat ----------------------------------------------------------------------------


class WidgetCustomer:
    def __init__(self, http: httpx.AsyncClient, auth: dict[str, str]) -> None:
        self.http, self.auth, self.cursor = http, auth, None
        # The widget sends the page's campaign parameters with the first message.
        self.source: dict[str, str] | None = {"utm_source": "instagram", "utm_campaign": "lena_fit"}

    async def say(self, text: str) -> None:
        body: dict[str, Any] = {"text": text}
        if self.source:
            body["source"], self.source = self.source, None
        sent = await self.http.post("/webchat/messages", headers=self.auth, json=body)
        assert sent.status_code == 202

    async def tap(self, title: str, payload: str) -> None:
        body = {"postback": payload, "title": title}
        sent = await self.http.post("/webchat/messages", headers=self.auth, json=body)
        assert sent.status_code == 202

    async def seen(self) -> list[Seen]:
        params = {"after": self.cursor} if self.cursor else {}
        answer = (await self.http.get("/webchat/messages", headers=self.auth, params=params)).json()
        self.cursor = answer["cursor"]
        return [_widget_seen(m["content"]) for m in answer["messages"] if m["from"] == "bot"]


def _widget_seen(content: dict[str, Any]) -> Seen:
    kind = content["type"]
    buttons: dict[str, str] = {}
    for reply in content.get("replies", ()):
        buttons[reply["title"]] = reply["payload"]
    cards = content.get("cards", ())
    for item in [content, *cards]:
        for found in item.get("buttons", ()):
            buttons.setdefault(found["title"], found.get("payload") or found.get("url", ""))
    return Seen(kind, content.get("text", ""), buttons)


@pytest.fixture
async def widget_shop(
    database_url: str, stripe: StripeApi
) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    runtime = await Runtime.open(_settings(database_url, stripe), migrate=False)
    app = create_app(runtime, run_worker=False)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            yield runtime, http
    finally:
        await runtime.close()


async def test_a_widget_customer_buys_running_shoes_pays_with_stripe_and_hears_they_shipped(
    widget_shop: tuple[Runtime, httpx.AsyncClient], stripe: StripeApi
) -> None:
    runtime, http = widget_shop
    session = (await http.post("/webchat/sessions")).json()
    customer = WidgetCustomer(http, {"Authorization": f"Bearer {session['token']}"})
    seen = await buy(customer, runtime, pay_with="Online bezahlen")
    texts = "\n".join(message.text for message in seen)
    assert "Zahlungspflichtig bestellen" in [label for m in seen for label in m.buttons]
    assert "inkl." in texts and "MwSt." in texts  # prices include VAT, and say so
    summary = next(m for m in seen if m.text.startswith("Bitte prüf deine Bestellung"))
    assert summary.buttons["AGB"].startswith("https://")  # terms and withdrawal linked
    assert summary.buttons["Widerrufsbelehrung"].startswith("https://")
    number = _order_number(runtime)
    assert number.startswith("SC-") and len(number) == 9
    receipt = next(m for m in seen if m.kind == "receipt")
    assert number in receipt.text and "64,99 €" in receipt.text
    pay_link = next(m for m in seen if "Jetzt bezahlen" in m.buttons)
    assert pay_link.buttons["Jetzt bezahlen"] == stripe.sessions[-1]["url"]
    assert _stock(runtime, SKU, "43") == (_initial_stock(runtime, SKU, "43"), 1)  # held

    answer = await pay(stripe, http, times=2)  # Stripe may deliver an event twice
    assert answer.status_code == 200
    await work(runtime)
    after_payment = await customer.seen()
    assert sum("Zahlung" in m.text and number in m.text for m in after_payment) == 1

    shipped = await ship(runtime, http, number)
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    await work(runtime)
    update = [m for m in await customer.seen() if "unterwegs" in m.text]
    assert len(update) == 1 and "00340434161234567890" in update[0].text
    assert update[0].buttons["Sendung verfolgen"].startswith("https://www.dhl.de/")
    assert _webhook_topics(runtime) == ["order.created", "order.paid", "order.shipped"]
    source = runtime.db.read_now(lambda conn: conn.execute(select(orders.c.source)).scalar_one())
    assert source["utm_campaign"] == "lena_fit"  # the influencer's campaign gets the sale
    profile = runtime.db.read_now(
        lambda conn: conn.execute(select(customers.c.profile)).scalar_one()
    )
    assert profile["bought"] == [SKU]  # remembered: recommendations leave it out


def _order_number(runtime: Runtime) -> str:
    return str(runtime.db.read_now(lambda conn: conn.execute(select(orders.c.number)).scalar_one()))


def _stock(runtime: Runtime, sku: str, size: str) -> tuple[int, int]:
    row = runtime.db.read_now(
        lambda conn: conn.execute(
            select(product_sizes.c.stock, product_sizes.c.reserved).where(
                product_sizes.c.sku == sku, product_sizes.c.size == size
            )
        ).one()
    )
    return int(row.stock), int(row.reserved)


def _initial_stock(runtime: Runtime, sku: str, size: str) -> int:
    return _stock(runtime, sku, size)[0]


def _webhook_topics(runtime: Runtime) -> list[str]:
    rows = runtime.db.read_now(
        lambda conn: conn.execute(
            select(webhook_deliveries.c.topic).order_by(webhook_deliveries.c.id)
        ).all()
    )
    return [row.topic for row in rows]


# -- Messenger -------------------------------------------------------------------------------


class MessengerCustomer:
    def __init__(self, http: httpx.AsyncClient, api: GraphApi) -> None:
        self.http, self.api, self.read = http, api, 0
        self.kinds: dict[str, str] = {}

    async def _deliver(self, body: dict[str, Any]) -> None:
        import json

        from theke.testing.meta_webhooks import sign

        raw = json.dumps(body).encode()
        headers = {"X-Hub-Signature-256": sign(raw, SECRET), "Content-Type": "application/json"}
        assert (
            await self.http.post("/webhooks/messenger", content=raw, headers=headers)
        ).status_code == 200

    async def say(self, text: str) -> None:
        self.api.messenger_user_wrote(ANNA)
        await self._deliver(messenger_text(PAGE, ANNA, text))

    async def tap(self, title: str, payload: str) -> None:
        self.api.messenger_user_wrote(ANNA)
        if self.kinds.get(payload) == "quick_reply":
            await self._deliver(messenger_quick_reply(PAGE, ANNA, title, payload))
        else:
            await self._deliver(messenger_postback(PAGE, ANNA, payload, title=title))

    async def seen(self) -> list[Seen]:
        calls = [c.body for c in self.api.messenger_sent(ANNA) if "message" in c.body]
        new, self.read = calls[self.read :], len(calls)
        return [self._seen(body) for body in new]

    def _seen(self, body: dict[str, Any]) -> Seen:
        message = body["message"]
        buttons: dict[str, str] = {}
        for reply in message.get("quick_replies", ()):
            if reply.get("content_type") != "text":
                continue  # Meta's own "send my e-mail address" button
            buttons[reply["title"]] = reply["payload"]
            self.kinds[reply["payload"]] = "quick_reply"
        attachment = message.get("attachment", {}).get("payload", {})
        kind = attachment.get("template_type", "text")
        for item in [attachment, *attachment.get("elements", ())]:
            for found in item.get("buttons", ()):
                buttons.setdefault(found["title"], found.get("payload") or found.get("url", ""))
        text = message.get("text") or attachment.get("text") or ""
        if kind == "receipt":
            text = attachment["order_number"]
        return Seen(kind, text, buttons)


@pytest.fixture
def graph() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, app_id=APP) as server:
        yield server


async def test_a_messenger_customer_buys_gets_a_receipt_pays_and_hears_they_shipped(
    database_url: str, stripe: StripeApi, graph: GraphApi
) -> None:
    settings = _settings(
        database_url,
        stripe,
        messenger_api_base=graph.base_url,
        messenger_page_access_token=graph.page_token,
        messenger_app_secret=SECRET,
        messenger_verify_token="verify",
        messenger_page_id=PAGE,
        messenger_app_id=APP,
    )
    async with meta_shop(settings, "messenger", ANNA, SECRET, graph) as shop:
        runtime, http = shop.runtime, shop.http
        customer = MessengerCustomer(http, graph)
        seen = await buy(customer, runtime, pay_with="Online bezahlen")
        labels = [label for message in seen for label in message.buttons]
        assert "Jetzt kaufen" in labels  # Messenger cuts titles at 20: the accepted short form
        summary = next(m for m in seen if m.text.startswith("Bitte prüf deine Bestellung"))
        assert "„Jetzt kaufen“" in summary.text
        number = _order_number(runtime)
        assert any(m.kind == "receipt" and m.text == number for m in seen)
        assert any("Jetzt bezahlen" in m.buttons for m in seen)

        assert (await pay(stripe, http)).status_code == 200
        await work(runtime)
        assert any("Zahlung" in m.text and number in m.text for m in await customer.seen())

        assert (await ship(runtime, http, number)).status_code == 200
        await work(runtime)
        update = [m for m in await customer.seen() if "unterwegs" in m.text]
        assert len(update) == 1 and "Sendung verfolgen" in update[0].buttons
