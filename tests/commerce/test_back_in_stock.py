"""Back in stock on Messenger and WhatsApp: asked for in the chat, told once, days later,
within each platform's rules (Messenger's opt-in token; WhatsApp's approved template)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.channels.meta_shop import meta_shop
from tests.commerce.shop_story import work
from tests.conftest import make_settings
from theke.store import api_tokens
from theke.store.schema import outbox, subscriptions, utcnow
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import messenger_postback, whatsapp_button_reply

PAGE, APP, SECRET, ANNA = "1111", "3333", "app-secret", "24000000000001"
NUMBER, KIM = "2222", "4915112345678"
PEGASUS = "SC-RUN-001"  # sold out in 42


@pytest.fixture
def graph() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, app_id=APP, phone_number_id=NUMBER) as server:
        yield server


def _settings(database_url: str, graph: GraphApi) -> Any:
    return make_settings(
        database_url,
        messenger_api_base=graph.base_url,
        messenger_page_access_token=graph.page_token,
        messenger_app_secret=SECRET,
        messenger_verify_token="verify",
        messenger_page_id=PAGE,
        messenger_app_id=APP,
        whatsapp_api_base=graph.base_url,
        whatsapp_access_token=graph.wa_token,
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token="verify",
        whatsapp_phone_number_id=NUMBER,
        public_url="https://shop.example",
    )


async def _restock(http: Any, runtime: Any, sizes: dict[str, int]) -> None:
    name = f"erp-{uuid.uuid4().hex[:8]}"
    token = runtime.db.write_now(lambda conn: api_tokens.create(conn, name))
    answer = await http.patch(
        f"/api/v1/products/{PEGASUS}/stock",
        headers={"Authorization": f"Bearer {token}"},
        json={"sizes": sizes},
    )
    assert answer.status_code == 200, answer.text


def _subscription_status(runtime: Any) -> list[str]:
    rows = runtime.db.read_now(lambda conn: conn.execute(select(subscriptions.c.status)).all())
    return [row.status for row in rows]


async def test_messenger_asks_for_the_opt_in_and_its_token_carries_the_news_days_later(
    database_url: str, graph: GraphApi
) -> None:
    async with meta_shop(_settings(database_url, graph), "messenger", ANNA, SECRET, graph) as shop:
        graph.messenger_user_wrote(ANNA)
        await shop.deliver(messenger_postback(PAGE, ANNA, f"theke:notify:{PEGASUS}:42"))
        await work(shop.runtime)
        sent = [
            call.body["message"] for call in graph.messenger_sent(ANNA) if "message" in call.body
        ]
        assert "Sobald Pegasus 41 in Größe 42 wieder da ist" in sent[-2]["text"]
        request = sent[-1]["attachment"]["payload"]
        assert request["template_type"] == "notification_messages"
        assert request["payload"] == "back_in_stock"
        await shop.deliver(graph.messenger_tap_optin(ANNA))  # "Get updates"
        await work(shop.runtime)

        long_ago = utcnow() - timedelta(days=3)  # the 24 hours are long over
        shop.set_conversation(last_inbound_at=long_ago)
        graph.messenger_user_wrote(ANNA, at=long_ago.timestamp())
        await _restock(shop.http, shop.runtime, {"42": 4})
        await work(shop.runtime)
        news = graph.messenger_sent(ANNA)[-1].body
        assert "notification_messages_token" in news["recipient"]
        assert "jetzt wieder lieferbar in Größe 42" in json.dumps(news, ensure_ascii=False)
        assert _subscription_status(shop.runtime) == ["sent"]

        calls = len(graph.messenger_sent(ANNA))
        await _restock(shop.http, shop.runtime, {"42": 0})
        await _restock(shop.http, shop.runtime, {"42": 2})  # back again: told once, not twice
        await work(shop.runtime)
        assert len(graph.messenger_sent(ANNA)) == calls


async def test_without_the_opt_in_messenger_holds_the_news_after_24_hours(
    database_url: str, graph: GraphApi
) -> None:
    async with meta_shop(_settings(database_url, graph), "messenger", ANNA, SECRET, graph) as shop:
        graph.messenger_user_wrote(ANNA)
        await shop.deliver(messenger_postback(PAGE, ANNA, f"theke:notify:{PEGASUS}:42"))
        await work(shop.runtime)
        shop.set_conversation(last_inbound_at=utcnow() - timedelta(days=3))
        await _restock(shop.http, shop.runtime, {"42": 4})
        await work(shop.runtime)
        rows = shop.runtime.db.read_now(
            lambda conn: conn.execute(
                select(outbox.c.status, outbox.c.error_code).where(
                    outbox.c.purpose == "back_in_stock"
                )
            ).all()
        )
        assert [(row.status, row.error_code) for row in rows] == [("held", "outside_window")]


async def test_whatsapp_sends_the_approved_back_in_stock_template_once(
    database_url: str, graph: GraphApi
) -> None:
    graph.whatsapp_add_template("sohle_back_in_stock", "de", body_params=2)
    async with meta_shop(_settings(database_url, graph), "whatsapp", KIM, SECRET, graph) as shop:
        wamid = graph.whatsapp_user_wrote(KIM)
        tap = whatsapp_button_reply(
            NUMBER, KIM, f"theke:notify:{PEGASUS}:42", "Bescheid sagen", wamid=wamid
        )
        assert (await shop.deliver(tap)).status_code == 200
        await work(shop.runtime)
        long_ago = utcnow() - timedelta(days=3)
        shop.set_conversation(last_inbound_at=long_ago)
        graph.whatsapp_user_wrote(KIM, at=long_ago.timestamp())
        await _restock(shop.http, shop.runtime, {"42": 4})
        await work(shop.runtime)
        templates = [c.body["template"] for c in graph.whatsapp_sent(KIM) if "template" in c.body]
        assert len(templates) == 1 and templates[0]["name"] == "sohle_back_in_stock"
        parameters = [p["text"] for p in templates[0]["components"][0]["parameters"]]
        assert parameters == ["Pegasus 41", "Größe 42"]
