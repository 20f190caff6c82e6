"""Telegram end to end: updates in through the webhook, answers out to a loopback Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.schema import inbound_events, outbox
from theke.testing.telegram_api import TelegramApi

TOKEN = "123456:TEST-token"
SECRET = "s3cr3t-for-tests"
CHAT = 4242
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


@pytest.fixture
def api() -> Iterator[TelegramApi]:
    with TelegramApi(token=TOKEN) as server:
        server.start_chat(CHAT, first_name="Anna")
        yield server


@pytest.fixture
async def runtime(database_url: str, api: TelegramApi, tmp_path: Path) -> AsyncIterator[Runtime]:
    settings = make_settings(
        database_url,
        media_dir=tmp_path / "media",
        media_hosts=[api.base_url.split("/")[2]],  # the fake serves files on 127.0.0.1:PORT
        telegram_bot_token=TOKEN,
        telegram_secret_token=SECRET,
        telegram_api_base=api.base_url,
        public_url="https://shop.example",
    )
    runtime = await Runtime.open(settings, migrate=False)
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
        yield http


async def _work(runtime: Runtime) -> None:
    await runtime.courtesies.drain()  # typing, a tap's spinner: sent after the 200
    await runtime.turns("w").run_once()
    await runtime.dispatcher("w").run_once()


async def test_a_customer_writes_and_gets_the_answer_in_telegram(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    update = api.update_message(CHAT, "Hallo")
    response = await client.post("/webhooks/telegram", json=update, headers=HEADERS)
    assert response.status_code == 200
    await _work(runtime)
    texts = [call.params.get("text", "") for call in api.calls_to(CHAT)]
    assert any("Chatbot von Sohle & Co." in text for text in texts)
    typing = [call.params for call in api.sent if call.method == "sendChatAction"]
    assert typing == [{"chat_id": str(CHAT), "action": "typing"}]  # shown while it answers


async def test_the_secret_is_required_and_checked(
    client: httpx.AsyncClient, api: TelegramApi
) -> None:
    update = api.update_message(CHAT, "Hallo")
    assert (await client.post("/webhooks/telegram", json=update)).status_code == 401
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "nope"}
    assert (await client.post("/webhooks/telegram", json=update, headers=wrong)).status_code == 403


async def test_a_repeated_update_is_stored_once(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    update = api.update_message(CHAT, "Hallo")
    for _ in range(3):
        assert (
            await client.post("/webhooks/telegram", json=update, headers=HEADERS)
        ).status_code == 200
    stored = runtime.db.read_now(lambda conn: conn.execute(select(inbound_events.c.id)).all())
    assert len(stored) == 1


async def test_a_tapped_button_answers_like_a_tapped_quick_reply(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    first = api.update_message(CHAT, "Hallo")
    await client.post("/webhooks/telegram", json=first, headers=HEADERS)
    await _work(runtime)
    tap = api.update_callback(CHAT, "ORDER_STATUS", message_id=1)
    assert (await client.post("/webhooks/telegram", json=tap, headers=HEADERS)).status_code == 200
    await runtime.courtesies.drain()
    answered = [call for call in api.sent if call.method == "answerCallbackQuery"]
    assert [call.params["callback_query_id"] for call in answered] == [tap["callback_query"]["id"]]
    await _work(runtime)
    assert "Bestellnummer" in api.calls_to(CHAT)[-1].params.get("text", "")


async def test_a_blocked_bot_dead_letters_the_reply(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    update = api.update_message(CHAT, "Hallo")
    api.block(CHAT)  # the customer wrote, then blocked the bot before the answer went out
    await client.post("/webhooks/telegram", json=update, headers=HEADERS)
    await _work(runtime)
    await runtime.dispatcher("w").run_once()  # the rest of the answer, after the refusal
    codes = runtime.db.read_now(
        lambda conn: conn.execute(
            select(outbox.c.status, outbox.c.error_code).order_by(outbox.c.id)
        ).all()
    )
    assert codes[0] == ("dead", "recipient_unavailable")  # one refusal, not one per part
    assert set(codes[1:]) <= {("held", "unreachable")}


async def test_a_rate_limit_is_retried_after_the_pause(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    for _ in range(2):  # the typing indicator, then the answer
        api.fail_next(status=429, retry_after=3)
    await client.post("/webhooks/telegram", json=api.update_message(CHAT, "Hallo"), headers=HEADERS)
    await _work(runtime)
    rows = runtime.db.read_now(
        lambda conn: conn.execute(select(outbox.c.status, outbox.c.error_code)).all()
    )
    assert ("pending", "rate_limited") in rows


async def test_a_payload_too_long_for_telegram_comes_back_whole(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    from theke.store import short_payloads

    long = "theke:faq:" + "x" * 80  # more than 64 bytes: stored under a short key
    keys = runtime.db.write_now(lambda conn: short_payloads.remember(conn, [long]))
    assert len(keys[long].encode()) <= 64
    tap = api.update_callback(CHAT, keys[long], message_id=1)
    assert (await client.post("/webhooks/telegram", json=tap, headers=HEADERS)).status_code == 200
    stored = runtime.db.read_now(lambda conn: conn.execute(select(inbound_events.c.payload)).all())
    assert stored[-1][0]["postback"] == long


async def test_blocking_the_bot_is_recorded_and_never_answered(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    from theke.store.schema import events

    await client.post("/webhooks/telegram", json=api.update_message(CHAT, "Hallo"), headers=HEADERS)
    await _work(runtime)
    sent_before = len(api.calls_to(CHAT))
    bot_user = {"id": 1, "is_bot": True, "first_name": "Theke"}
    blocked = {
        "update_id": 990001,
        "my_chat_member": {
            "chat": {"id": CHAT, "type": "private", "first_name": "Anna"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Anna"},
            "date": 1_700_000_000,
            "old_chat_member": {"status": "member", "user": bot_user},
            "new_chat_member": {"status": "kicked", "user": bot_user},
        },
    }
    assert (
        await client.post("/webhooks/telegram", json=blocked, headers=HEADERS)
    ).status_code == 200
    await _work(runtime)
    assert len(api.calls_to(CHAT)) == sent_before  # nothing is said to someone who left
    kinds = runtime.db.read_now(
        lambda conn: list(conn.execute(select(events.c.kind).order_by(events.c.id)).scalars())
    )
    assert kinds[-1] == "channel.blocked"


async def test_a_photo_the_customer_sends_is_fetched_and_kept(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    from theke.store.schema import events
    from theke.worker.jobs import JobRunner
    from theke.worker.media import MEDIA_JOB

    photo = b"\xff\xd8\xff\xe0-a-photo-of-sneakers"
    file_id = api.add_file(photo, "image/jpeg")
    update = api.update_message(CHAT, "x")
    del update["message"]["text"]
    sizes = [{"file_id": file_id, "file_unique_id": "AQADx", "width": 800, "height": 600}]
    update["message"]["photo"] = sizes
    assert (
        await client.post("/webhooks/telegram", json=update, headers=HEADERS)
    ).status_code == 200
    await _work(runtime)
    await JobRunner(runtime.db, {MEDIA_JOB: runtime.media_job()}, owner="w").run_once()
    stored = runtime.db.read_now(
        lambda conn: conn.execute(
            select(events.c.data).where(events.c.kind == "media.stored")
        ).all()
    )
    assert [row.data["mime_type"] for row in stored] == ["image/jpeg"]
    kept = [p for p in runtime.settings.resolved_media_dir().rglob("*") if p.is_file()]
    assert any(path.read_bytes() == photo for path in kept)


async def test_a_shared_contact_answers_the_question_for_a_number_and_links_the_customer(
    client: httpx.AsyncClient, runtime: Runtime, api: TelegramApi
) -> None:
    from theke.store.schema import identities

    await client.post(
        "/webhooks/telegram",
        json=api.update_message(CHAT, "Ruf mich bitte zurück"),
        headers=HEADERS,
    )
    await _work(runtime)
    asked = [call.params for call in api.calls_to(CHAT) if "reply_markup" in call.params][-1]
    button = asked["reply_markup"]["keyboard"][0][0]
    assert button == {"text": "📱 Meine Nummer senden", "request_contact": True}
    update = api.update_message(CHAT, "x")
    del update["message"]["text"]
    user = update["message"]["from"]
    update["message"]["contact"] = {
        "phone_number": "4915112345678",  # Telegram leaves out the "+"
        "first_name": user["first_name"],
        "user_id": user["id"],  # the customer's own contact: confirmed
    }
    assert (
        await client.post("/webhooks/telegram", json=update, headers=HEADERS)
    ).status_code == 200
    await _work(runtime)
    texts = [call.params.get("text", "") for call in api.calls_to(CHAT)]
    assert "unter +4915112345678 zurück" in texts[-1]
    phones = runtime.db.read_now(
        lambda conn: (
            conn.execute(select(identities.c.external_id).where(identities.c.channel == "phone"))
            .scalars()
            .all()
        )
    )
    assert list(phones) == ["+4915112345678"]
