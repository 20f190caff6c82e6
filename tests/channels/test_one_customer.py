"""One customer on Messenger and WhatsApp once Meta confirms the same number on both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.channels.meta_shop import MetaShop, meta_shop
from tests.conftest import make_settings
from theke.store.schema import conversations, customers, events, identities
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import messenger_quick_reply, messenger_text, whatsapp_text

PAGE, NUMBER, SECRET = "1111", "2222", "meta-app-secret"
ANNA_PSID, ANNA_WA, ANNA_PHONE = "24000000000001", "4915112345678", "+4915112345678"


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, phone_number_id=NUMBER) as server:
        yield server


@pytest.fixture
async def shop(database_url: str, api: GraphApi, tmp_path: Path) -> AsyncIterator[MetaShop]:
    settings = make_settings(
        database_url,
        messenger_api_base=api.base_url,
        messenger_page_access_token=api.page_token,
        messenger_app_secret=SECRET,
        messenger_page_id=PAGE,
        messenger_app_id=api.app_id,
        whatsapp_api_base=api.base_url,
        whatsapp_access_token=api.wa_token,
        whatsapp_app_secret=SECRET,
        whatsapp_phone_number_id=NUMBER,
        public_url="https://shop.example",
        media_dir=tmp_path / "media",
    )
    async with meta_shop(settings, "messenger", ANNA_PSID, SECRET, api) as shop:
        yield shop


async def _messenger(shop: MetaShop, body: dict[str, object]) -> None:
    shop.api.messenger_user_wrote(ANNA_PSID)
    assert (await shop.deliver(body)).status_code == 200  # type: ignore[arg-type]
    await shop.work()


async def test_a_number_meta_fills_in_links_messenger_and_whatsapp(shop: MetaShop) -> None:
    await _messenger(shop, messenger_text(PAGE, ANNA_PSID, "Ruf mich bitte zurück"))
    question = shop.api.messenger_sent(ANNA_PSID)[-1].body["message"]
    assert {"content_type": "user_phone_number"} in question["quick_replies"]
    # Meta sends the number from Anna's profile as the quick reply's text and payload.
    tap = messenger_quick_reply(PAGE, ANNA_PSID, ANNA_PHONE, ANNA_PHONE)
    await _messenger(shop, tap)
    said = [
        c.body["message"].get("text", "")
        for c in shop.api.messenger_sent(ANNA_PSID)
        if "message" in c.body
    ]
    assert f"unter {ANNA_PHONE} zurück" in said[-1]
    shop.channel = "whatsapp"
    wamid = shop.api.whatsapp_user_wrote(ANNA_WA)
    assert (
        await shop.deliver(whatsapp_text(NUMBER, ANNA_WA, "Hallo", wamid=wamid))
    ).status_code == 200
    await shop.work()
    rows = shop.runtime.db.read_now(
        lambda conn: conn.execute(
            select(conversations.c.channel, conversations.c.customer_id)
        ).all()
    )
    assert {channel for channel, _ in rows} == {"messenger", "whatsapp"}
    assert len({customer for _, customer in rows}) == 1  # one Anna
    assert "customer.merged" in shop.log()
    count = shop.runtime.db.read_now(lambda conn: len(conn.execute(select(customers.c.id)).all()))
    assert count == 1


async def test_a_number_in_a_quick_reply_the_bot_did_not_ask_for_links_no_one(
    shop: MetaShop,
) -> None:
    await _messenger(shop, messenger_text(PAGE, ANNA_PSID, "Hallo"))
    await _messenger(shop, messenger_quick_reply(PAGE, ANNA_PSID, ANNA_PHONE, ANNA_PHONE))
    phones = shop.runtime.db.read_now(
        lambda conn: conn.execute(
            select(identities.c.external_id).where(identities.c.channel == "phone")
        ).all()
    )
    assert phones == []
    merged = shop.runtime.db.read_now(
        lambda conn: conn.execute(
            select(events.c.id).where(events.c.kind == "customer.merged")
        ).all()
    )
    assert merged == []
