"""The demo shop through Messenger: signed webhooks in, answers out to a loopback Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.channels.meta_shop import MetaShop, meta_shop
from tests.conftest import make_settings
from theke.store.schema import events, outbox, utcnow
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import (
    messenger_quick_reply,
    messenger_text,
)

PAGE = "1111"
APP = "3333"
SECRET = "messenger-app-secret"
ANNA = "24000000000001"


class Shop(MetaShop):
    async def customer_says(self, text: str, psid: str = ANNA) -> None:
        self.api.messenger_user_wrote(psid)
        assert (await self.deliver(messenger_text(PAGE, psid, text))).status_code == 200
        await self.work()

    def texts(self, psid: str = ANNA) -> list[str]:
        return [
            call.body["message"].get("text", "")
            for call in self.api.messenger_sent(psid)
            if "message" in call.body
        ]


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, app_id=APP) as server:
        yield server


@pytest.fixture
async def shop(database_url: str, api: GraphApi, tmp_path: Path) -> AsyncIterator[Shop]:
    settings = make_settings(
        database_url,
        messenger_api_base=api.base_url,
        messenger_page_access_token=api.page_token,
        messenger_app_secret=SECRET,
        messenger_verify_token="verify",
        messenger_page_id=PAGE,
        messenger_app_id=APP,
        public_url="https://shop.example",
        media_dir=tmp_path / "media",
        media_hosts=[api.base_url.split("/")[2]],  # the fake's CDN runs on 127.0.0.1:PORT
    )
    async with meta_shop(settings, "messenger", ANNA, SECRET, api) as shop:
        yield Shop(**vars(shop))


async def test_a_customer_writes_and_gets_the_answer_in_messenger(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    assert any("Chatbot von Sohle & Co." in text for text in shop.texts())
    sent = [call.body for call in shop.api.messenger_sent(ANNA) if "message" in call.body]
    assert {body["messaging_type"] for body in sent} == {"RESPONSE"}
    assert all(body["message"]["metadata"].startswith("theke:") for body in sent)
    actions = [call.body.get("sender_action") for call in shop.api.messenger_sent(ANNA)]
    assert actions[:2] == ["mark_seen", "typing_on"]  # seen, then typing, before the answer


async def test_a_tapped_quick_reply_runs_the_flow_and_shows_product_cards(shop: Shop) -> None:
    await shop.customer_says("Ich suche Laufschuhe unter 100 Euro")
    tapped = 0
    for _ in range(4):  # answer what the advice asks: tap the first choice, or type a size
        last = shop.api.messenger_sent(ANNA)[-1].body["message"]
        if "attachment" in last:
            break
        shop.api.messenger_user_wrote(ANNA)
        choices = last.get("quick_replies")
        if choices:
            tap = messenger_quick_reply(PAGE, ANNA, choices[0]["title"], choices[0]["payload"])
            assert (await shop.deliver(tap)).status_code == 200
            tapped += 1
        else:
            await shop.deliver(messenger_text(PAGE, ANNA, "43"))
        await shop.work()
    assert tapped, "the advice offered no quick replies"
    templates = [
        call.body["message"]["attachment"]["payload"]
        for call in shop.api.messenger_sent(ANNA)
        if "attachment" in call.body.get("message", {})
    ]
    generic = [t for t in templates if t.get("template_type") == "generic"]
    assert generic, f"no product cards among {shop.texts()}"
    assert 1 <= len(generic[0]["elements"]) <= 10


async def test_our_own_echo_is_only_recorded_but_a_reply_from_metas_inbox_pauses_the_bot(
    shop: Shop,
) -> None:
    await shop.customer_says("Hallo")
    ours = shop.api.messenger_sent(ANNA)[-1]
    echo = _echo(ours.body["message"].get("text", ""), app_id=APP, metadata="theke:1")
    await shop.deliver(echo)
    await shop.work()
    assert "message.echo" in shop.log()
    person = _echo("Hallo Anna, hier ist Jonas vom Laden.", app_id="263902037430900")
    await shop.deliver(person)
    await shop.work()
    before = len(shop.texts())
    calls = len(shop.api.messenger_sent(ANNA))
    await shop.customer_says("Danke Jonas, wann habt ihr offen?")
    assert len(shop.texts()) == before  # the bot stays out of the person's conversation
    assert len(shop.api.messenger_sent(ANNA)) == calls  # no "seen", no "typing" from the bot
    await shop.enqueue("bot", "Noch Fragen zur Beratung?", purpose="reminder")
    assert shop.outbox()[-1] == ("held", "human_mode")
    assert "agent.message.platform" in shop.log()
    shop.set_conversation(human_until=utcnow() - timedelta(seconds=1))  # 30 minutes later
    await shop.enqueue("bot", "Noch Fragen zur Beratung?", purpose="reminder")
    assert shop.outbox()[-1] == ("sent", None)  # the pause is over for what the bot starts too
    await shop.customer_says("Hallo?")
    assert len(shop.texts()) > before
    assert any("Chatbot" in text for text in shop.texts()[before:])  # it introduces itself


async def test_after_24_hours_only_a_person_may_answer_with_the_human_agent_tag(
    shop: Shop,
) -> None:
    shop.api.messenger_user_wrote(ANNA)
    await shop.deliver(messenger_text(PAGE, ANNA, "Hallo"))
    await shop.runtime.turns("w").run_once()  # answered, but the answer waits in the outbox
    day_ago = utcnow() - timedelta(hours=25)  # ... until the window has closed
    shop.set_conversation(last_inbound_at=day_ago)
    shop.api.messenger_user_wrote(ANNA, at=day_ago.timestamp())
    await shop.runtime.dispatcher("w").run_once()
    assert {status for status, _ in shop.outbox()} == {"held"}
    assert {reason for _, reason in shop.outbox()} == {"outside_window"}
    await shop.enqueue("agent", "Hallo Anna, deine Bestellung ist unterwegs.")
    assert shop.outbox()[-1] == ("sent", None)
    tagged = shop.api.messenger_sent(ANNA)[-1].body
    assert (tagged["messaging_type"], tagged["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


async def test_a_customer_who_blocked_the_page_is_marked_unreachable(shop: Shop) -> None:
    shop.api.messenger_block(ANNA)
    await shop.customer_says("Hallo")
    statuses = shop.outbox()
    assert statuses[0] == ("dead", "recipient_unavailable")
    assert "channel.unreachable" in shop.log()
    await shop.enqueue("agent", "Hallo Anna, wir haben deine Frage gesehen.")
    assert shop.outbox()[-1] == ("held", "unreachable")  # not tried again


async def test_a_refused_token_stops_the_channel_and_keeps_the_messages(shop: Shop) -> None:
    shop.api.revoke_tokens()
    await shop.customer_says("Hallo")
    await shop.runtime.dispatcher("w").run_once()
    assert {status for status, _ in shop.outbox()} == {"pending"}
    attempts = shop.runtime.db.read_now(
        lambda conn: set(conn.execute(select(outbox.c.attempts)).scalars())
    )
    assert attempts == {0}  # the channel failed, not the messages: no attempt is used up
    assert {code for _, code in shop.outbox()} <= {"invalid_token", None}
    metric = shop.runtime.metrics.channel_stopped.labels("messenger")._value.get()
    assert metric == 1


async def test_a_rate_limit_answer_is_retried_later(shop: Shop) -> None:
    shop.api.fail_next(613, api="messenger", times=2)  # mark_seen gives up, then the answer
    await shop.customer_says("Hallo")
    assert shop.outbox()[0] == ("pending", "rate_limited")


async def test_a_picture_the_customer_sends_is_kept(shop: Shop, tmp_path: Path) -> None:
    picture = b"\x89PNG\r\n\x1a\n-a-picture-of-shoes"
    url = shop.api.messenger_add_attachment(picture, "image/png")
    body = messenger_text(PAGE, ANNA, "x")
    message = body["entry"][0]["messaging"][0]["message"]
    del message["text"]
    message["attachments"] = [{"type": "image", "payload": {"url": url}}]
    shop.api.messenger_user_wrote(ANNA)
    assert (await shop.deliver(body)).status_code == 200
    await shop.work()
    from theke.store.schema import scheduled_jobs

    await shop.fetch_media()
    rows = shop.runtime.db.read_now(
        lambda conn: conn.execute(
            select(events.c.kind, events.c.data).where(events.c.kind.like("media.%"))
        ).all()
    )
    assert [row.kind for row in rows] == ["media.stored"], rows
    assert rows[0].data["mime_type"] == "image/png"
    stored = list((tmp_path / "media").rglob("*"))
    assert any(path.is_file() and path.read_bytes() == picture for path in stored)
    jobs = shop.runtime.db.read_now(
        lambda conn: conn.execute(select(scheduled_jobs.c.status)).all()
    )
    assert [row.status for row in jobs] == ["done"]


def _echo(text: str, *, app_id: str, metadata: str | None = None) -> dict[str, Any]:
    body = messenger_text(PAGE, PAGE, text)
    item = body["entry"][0]["messaging"][0]
    item["recipient"] = {"id": ANNA}
    item["message"] |= {"is_echo": True, "app_id": int(app_id)}
    if metadata is not None:
        item["message"]["metadata"] = metadata
    return body


async def test_a_granted_opt_in_carries_a_back_in_stock_message_past_the_window(
    shop: Shop,
) -> None:
    await shop.customer_says("Hallo")
    expires = utcnow() + timedelta(days=180)
    token = shop.api.messenger_issue_optin_token(ANNA, expires.timestamp())

    def optin(status: str | None = None) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "type": "notification_messages",
            "payload": "back_in_stock",
            "notification_messages_token": token,
            "token_expiry_timestamp": int(expires.timestamp() * 1000),
            "notification_messages_frequency": "DAILY",
            "title": "Wieder da?",
        }
        if status is not None:
            fields["notification_messages_status"] = status
        body = messenger_text(PAGE, ANNA, "x")
        item = body["entry"][0]["messaging"][0]
        del item["message"]
        item["optin"] = fields
        return body

    assert (await shop.deliver(optin())).status_code == 200
    await shop.work()
    assert "optin.granted" in shop.log()
    shop.set_conversation(last_inbound_at=utcnow() - timedelta(days=3))
    shop.api.messenger_user_wrote(ANNA, at=(utcnow() - timedelta(days=3)).timestamp())
    await shop.enqueue("system", "Der Runner ist wieder da!", purpose="back_in_stock")
    assert shop.outbox()[-1] == ("sent", None)
    assert shop.api.messenger_sent(ANNA)[-1].body["recipient"] == {
        "notification_messages_token": token
    }
    stop = optin("STOP_NOTIFICATIONS")
    stop["entry"][0]["messaging"][0]["timestamp"] += 1  # a later event than the opt-in
    assert (await shop.deliver(stop)).status_code == 200
    await shop.work()
    await shop.enqueue("system", "Und noch ein Angebot!", purpose="back_in_stock")
    assert shop.outbox()[-1] == ("held", "outside_window")


async def test_an_m_me_link_with_a_ref_starts_its_flow(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    body = messenger_text(PAGE, ANNA, "x")
    item = body["entry"][0]["messaging"][0]
    del item["message"]
    item["referral"] = {"ref": "beratung", "source": "SHORTLINK", "type": "OPEN_THREAD"}
    shop.api.messenger_user_wrote(ANNA)
    assert (await shop.deliver(body)).status_code == 200
    await shop.work()
    assert "Welche Art Sneaker suchst du?" in shop.texts()[-1]  # the advice begins


async def test_after_stop_the_shop_starts_nothing_until_start(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    await shop.customer_says("stop")
    await shop.enqueue("system", "Deine Bestellung ist unterwegs.", purpose="order_update")
    assert shop.outbox()[-1] == ("held", "opted_out")
    await shop.customer_says("start")
    await shop.enqueue("system", "Deine Bestellung ist da.", purpose="order_update")
    assert shop.outbox()[-1] == ("sent", None)


async def test_an_ad_that_opens_the_chat_without_a_ref_gets_no_fallback(shop: Shop) -> None:
    await shop.customer_says("Hallo")
    before = len(shop.texts())
    body = messenger_text(PAGE, ANNA, "x")
    item = body["entry"][0]["messaging"][0]
    del item["message"]
    item["referral"] = {"source": "ADS", "type": "OPEN_THREAD", "ad_id": "6045246247433"}
    shop.api.messenger_user_wrote(ANNA)
    assert (await shop.deliver(body)).status_code == 200
    await shop.work()
    assert len(shop.texts()) == before  # no "I did not understand" to someone who said nothing
