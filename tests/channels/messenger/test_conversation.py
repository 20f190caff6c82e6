"""The demo shop through Messenger: signed webhooks in, answers out to a loopback Graph API."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from tests.conftest import make_settings
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.schema import conversations, events, outbox, utcnow
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import (
    messenger_quick_reply,
    messenger_text,
    sign,
)

PAGE = "1111"
APP = "3333"
SECRET = "messenger-app-secret"
ANNA = "24000000000001"


@dataclass
class Shop:
    api: GraphApi
    runtime: Runtime
    http: httpx.AsyncClient

    async def deliver(self, body: dict[str, Any]) -> httpx.Response:
        raw = json.dumps(body).encode()
        headers = {"X-Hub-Signature-256": sign(raw, SECRET), "Content-Type": "application/json"}
        return await self.http.post("/webhooks/messenger", content=raw, headers=headers)

    async def customer_says(self, text: str, psid: str = ANNA) -> None:
        self.api.messenger_user_wrote(psid)
        assert (await self.deliver(messenger_text(PAGE, psid, text))).status_code == 200
        await self.work()

    async def enqueue(self, actor: str, text: str) -> None:
        """A message that answers nothing the customer just did (an agent's, an update)."""
        from theke.store import outbox as outbox_store
        from theke.store.outbox import NewMessage

        conversation_id = self.runtime.db.read_now(
            lambda conn: conn.execute(select(conversations.c.id)).scalar_one()
        )
        message = NewMessage(
            conversation_id=conversation_id,
            channel="messenger",
            recipient=ANNA,
            content={"type": "text", "text": text},
            actor=actor,
            is_reply=False,
        )
        self.runtime.db.write_now(lambda conn: outbox_store.enqueue(conn, [message]))
        await self.runtime.dispatcher("w").run_once()

    async def work(self) -> None:
        await self.runtime.turns("w").run_once()
        await self.runtime.dispatcher("w").run_once()

    def texts(self, psid: str = ANNA) -> list[str]:
        return [
            call.body["message"].get("text", "")
            for call in self.api.messenger_sent(psid)
            if "message" in call.body
        ]

    def outbox(self) -> list[tuple[str, str | None]]:
        rows = self.runtime.db.read_now(
            lambda conn: conn.execute(
                select(outbox.c.status, outbox.c.error_code).order_by(outbox.c.id)
            ).all()
        )
        return [(row.status, row.error_code) for row in rows]

    def log(self) -> list[str]:
        rows = self.runtime.db.read_now(
            lambda conn: conn.execute(select(events.c.kind).order_by(events.c.id)).all()
        )
        return [row.kind for row in rows]

    def set_conversation(self, **values: Any) -> None:
        self.runtime.db.write_now(lambda conn: conn.execute(update(conversations).values(**values)))


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
    runtime = await Runtime.open(settings, migrate=False)
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            yield Shop(api, runtime, http)
    finally:
        await runtime.close()


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
    await shop.customer_says("Danke Jonas, wann habt ihr offen?")
    assert len(shop.texts()) == before  # the bot stays out of the person's conversation
    assert "agent.message.platform" in shop.log()
    shop.set_conversation(human_until=utcnow() - timedelta(seconds=1))  # 30 minutes later
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

    await shop.runtime.loops("w")._jobs.run_once()  # type: ignore[attr-defined]
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
