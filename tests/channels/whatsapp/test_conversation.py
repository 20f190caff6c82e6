"""The demo shop through WhatsApp: signed webhooks in, answers out to a loopback Cloud API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.channels.meta_shop import MetaShop, meta_shop
from tests.conftest import make_settings
from theke.store.schema import utcnow
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import (
    whatsapp_button_reply,
    whatsapp_list_reply,
    whatsapp_status,
    whatsapp_text,
)

NUMBER = "2222"
SECRET = "whatsapp-app-secret"
KIM = "4915112345678"


class Shop(MetaShop):
    async def customer_says(self, text: str) -> None:
        wamid = self.api.whatsapp_user_wrote(KIM, text)
        body = whatsapp_text(NUMBER, KIM, text, wamid=wamid)
        assert (await self.deliver(body)).status_code == 200
        await self.work()

    async def customer_taps(self, reply: dict[str, Any]) -> None:
        wamid = self.api.whatsapp_user_wrote(KIM)
        if "row" in reply:
            body = whatsapp_list_reply(
                NUMBER, KIM, reply["row"]["id"], reply["row"]["title"], wamid=wamid
            )
        else:
            body = whatsapp_button_reply(NUMBER, KIM, reply["id"], reply["title"], wamid=wamid)
        assert (await self.deliver(body)).status_code == 200
        await self.work()

    def messages(self) -> list[dict[str, Any]]:
        return [call.body for call in self.api.whatsapp_sent(KIM) if "type" in call.body]


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(phone_number_id=NUMBER) as server:
        yield server


@pytest.fixture
async def shop(database_url: str, api: GraphApi, tmp_path: Path) -> AsyncIterator[Shop]:
    settings = make_settings(
        database_url,
        whatsapp_api_base=api.base_url,
        whatsapp_access_token=api.wa_token,
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token="verify",
        whatsapp_phone_number_id=NUMBER,
        public_url="https://shop.example",
        media_dir=tmp_path / "media",
        media_hosts=[api.base_url.split("/")[2]],
    )
    async with meta_shop(settings, "whatsapp", KIM, SECRET, api) as shop:
        yield Shop(**vars(shop))


def _text(body: dict[str, Any]) -> str:
    if body["type"] == "text":
        return str(body["text"]["body"])
    if body["type"] == "interactive":
        return str(body["interactive"]["body"]["text"])
    return ""


async def test_a_customer_writes_and_gets_the_answer_in_whatsapp(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    texts = [_text(body) for body in shop.messages()]
    assert any("Chatbot von Sohle & Co." in text for text in texts)
    receipts = [call.body for call in shop.api.whatsapp_sent(KIM) if call.body.get("status")]
    assert receipts and receipts[0]["typing_indicator"] == {"type": "text"}


async def test_the_advice_runs_on_reply_buttons_and_lists_up_to_the_products(shop: Shop) -> None:
    await shop.customer_says("Ich suche Laufschuhe unter 100 Euro")
    for _ in range(5):
        last = shop.messages()[-1]
        interactive = last.get("interactive") or {}
        if (
            interactive.get("type") == "button"
            and interactive.get("header", {}).get("type") == "image"
        ):
            break  # a product card: picture, name, price and its buttons
        if interactive.get("type") == "button":
            await shop.customer_taps(interactive["action"]["buttons"][0]["reply"])
        elif interactive.get("type") == "list":
            await shop.customer_taps({"row": interactive["action"]["sections"][0]["rows"][0]})
        else:
            await shop.customer_says("43")
    cards = [
        body
        for body in shop.messages()
        if body.get("interactive", {}).get("header", {}).get("type") == "image"
        or body["type"] == "image"
    ]
    assert cards, [_text(body) for body in shop.messages()]


async def test_after_24_hours_free_text_is_held_for_a_template(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    shop.set_conversation(last_inbound_at=utcnow() - timedelta(hours=25))
    await shop.enqueue("agent", "Deine Bestellung ist unterwegs.")
    assert shop.outbox()[-1] == ("held", "needs_template")


async def test_an_undeliverable_number_is_marked_unreachable(shop: Shop) -> None:
    shop.api.whatsapp_undeliverable(KIM)
    await shop.customer_says("Hallo")
    assert shop.outbox()[0] == ("dead", "recipient_unavailable")
    await shop.enqueue("agent", "Hallo Kim, wir haben deine Frage gesehen.")
    assert shop.outbox()[-1] == ("held", "unreachable")  # not tried again
    await shop.customer_says("Hallo?")  # writing again proves the way back: tried again
    assert shop.outbox()[-1] == ("dead", "recipient_unavailable")


async def test_statuses_are_logged_and_never_answered(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    sent = [call for call in shop.api.whatsapp_sent(KIM) if call.id]
    before = len(shop.messages())
    for status in ("sent", "delivered", "read"):
        await shop.deliver(whatsapp_status(NUMBER, sent[0].id or "", KIM, status))
    await shop.deliver(whatsapp_status(NUMBER, sent[0].id or "", KIM, "delivered"))  # again
    await shop.work()
    assert len(shop.messages()) == before
    assert [kind for kind in shop.log() if kind.startswith("message.")][-3:] == [
        "message.sent",
        "message.delivered",
        "message.read",
    ]


async def test_a_voice_message_is_fetched_with_the_token_and_kept(shop: Shop) -> None:
    voice = b"OggS-voice-note-bytes"
    media_id = shop.api.whatsapp_add_media(voice, "audio/ogg")
    body = whatsapp_text(NUMBER, KIM, "x", wamid=shop.api.whatsapp_user_wrote(KIM))
    message = body["entry"][0]["changes"][0]["value"]["messages"][0]
    del message["text"]
    message |= {"type": "audio", "audio": {"id": media_id, "mime_type": "audio/ogg", "voice": True}}
    assert (await shop.deliver(body)).status_code == 200
    await shop.work()
    await shop.fetch_media()
    assert "media.stored" in shop.log()
    stored = [
        path for path in (shop.runtime.settings.resolved_media_dir()).rglob("*") if path.is_file()
    ]
    assert any(path.read_bytes() == voice for path in stored)


async def test_a_late_failed_status_for_an_undeliverable_number_marks_it_unreachable(
    shop: Shop,
) -> None:
    await shop.customer_says("Hallo")
    wamid = next(call.id for call in shop.api.whatsapp_sent(KIM) if call.id)
    failed = whatsapp_status(NUMBER, wamid or "", KIM, "failed", error_code=131026)
    assert (await shop.deliver(failed)).status_code == 200
    await shop.work()
    assert "message.failed" in shop.log()
    await shop.enqueue("agent", "Hallo Kim?")
    assert shop.outbox()[-1] == ("held", "unreachable")


async def test_past_the_window_an_order_update_goes_out_as_the_approved_template(
    shop: Shop,
) -> None:
    shop.api.whatsapp_add_template("sohle_order_update", "de", body_params=3)
    await shop.customer_says("Hallo")
    long_ago = utcnow() - timedelta(days=3)
    shop.set_conversation(last_inbound_at=long_ago)
    shop.api.whatsapp_user_wrote(KIM, at=long_ago.timestamp())
    data = {"customer_name": "Kim", "order_number": "SC-123456", "status": "unterwegs"}
    await shop.enqueue(
        "system", "Deine Bestellung SC-123456 ist unterwegs.", purpose="order_update", data=data
    )
    assert shop.outbox()[-1] == ("sent", None)
    template = shop.api.whatsapp_sent(KIM)[-1].body["template"]
    assert template["name"] == "sohle_order_update"
    parameters = [p["text"] for p in template["components"][0]["parameters"]]
    assert parameters == ["Kim", "SC-123456", "unterwegs"]
    await shop.enqueue("system", "Neu im Laden!", purpose="promotion")  # no template, no consent
    assert shop.outbox()[-1] == ("held", "no_consent")
