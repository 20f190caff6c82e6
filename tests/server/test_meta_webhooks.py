"""Meta's webhooks at the door: the verification handshake, signatures, batches, replays."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import free_port, make_settings
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.server.meta_webhooks import signature
from theke.store.schema import comments, inbound_events

SECRET = "app-secret-for-tests"
VERIFY = "verify-me"
PAGE = "1111"
NUMBER = "2222"


@pytest.fixture
async def client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    nowhere = f"http://127.0.0.1:{free_port()}/v25.0"  # acknowledgements fail quietly
    settings = make_settings(
        database_url,
        messenger_api_base=nowhere,
        messenger_page_access_token="PAGE-TOKEN",
        messenger_app_secret=SECRET,
        messenger_verify_token=VERIFY,
        messenger_page_id=PAGE,
        whatsapp_api_base=nowhere,
        whatsapp_access_token="WA-TOKEN",
        whatsapp_app_secret=SECRET,
        whatsapp_verify_token=VERIFY,
        whatsapp_phone_number_id=NUMBER,
    )
    runtime = await Runtime.open(settings, migrate=False)
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            http.runtime = runtime  # type: ignore[attr-defined]
            yield http
    finally:
        await runtime.close()


def _messaging(psid: str, mid: str, text: str) -> dict[str, Any]:
    return {
        "sender": {"id": psid},
        "recipient": {"id": PAGE},
        "timestamp": 1_764_000_000_000,
        "message": {"mid": mid, "text": text},
    }


def _delivery(*entries: list[dict[str, Any]]) -> bytes:
    body = {
        "object": "page",
        "entry": [
            {"id": PAGE, "time": 1_764_000_000_000, "messaging": messaging} for messaging in entries
        ],
    }
    return json.dumps(body).encode()


async def _post(
    client: httpx.AsyncClient, path: str, body: bytes, sign: str | None = SECRET
) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if sign is not None:
        headers["X-Hub-Signature-256"] = signature(body, sign)
    return await client.post(path, content=body, headers=headers)


def _count(client: httpx.AsyncClient, table: Any) -> int:
    runtime: Runtime = client.runtime  # type: ignore[attr-defined]
    return int(
        runtime.db.read_now(
            lambda conn: conn.execute(select(func.count()).select_from(table)).scalar_one()
        )
    )


@pytest.mark.parametrize("path", ["/webhooks/messenger", "/webhooks/whatsapp"])
async def test_the_verification_handshake_echoes_the_challenge(
    client: httpx.AsyncClient, path: str
) -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    response = await client.get(path, params=query)
    assert (response.status_code, response.text) == (200, "1158201444")
    wrong = await client.get(path, params=query | {"hub.verify_token": "guess"})
    assert wrong.status_code == 403
    unsubscribe = await client.get(path, params=query | {"hub.mode": "unsubscribe"})
    assert unsubscribe.status_code == 403


@pytest.mark.parametrize("path", ["/webhooks/messenger", "/webhooks/whatsapp"])
async def test_unsigned_and_forged_deliveries_are_refused_and_store_nothing(
    client: httpx.AsyncClient, path: str
) -> None:
    body = _delivery([_messaging("p1", "m.1", "Hallo")])
    assert (await _post(client, path, body, sign=None)).status_code == 401
    assert (await _post(client, path, body, sign="not-the-secret")).status_code == 403
    tampered = body.replace(b"Hallo", b"Hallo!")
    headers = {"X-Hub-Signature-256": signature(body, SECRET)}
    assert (await client.post(path, content=tampered, headers=headers)).status_code == 403
    assert _count(client, inbound_events) == 0


async def test_every_entry_of_a_batch_is_stored_and_a_replay_changes_nothing(
    client: httpx.AsyncClient,
) -> None:
    entries = [
        [_messaging(f"p{entry}", f"m.{entry}.{item}", f"Frage {item}") for item in range(5)]
        for entry in range(20)
    ]
    body = _delivery(*entries)  # 100 messages from 20 customers in one delivery
    assert (await _post(client, "/webhooks/messenger", body)).status_code == 200
    assert _count(client, inbound_events) == 100
    assert (await _post(client, "/webhooks/messenger", body)).status_code == 200  # Meta retried
    assert _count(client, inbound_events) == 100


async def test_a_body_that_is_not_a_delivery_is_a_bad_request(client: httpx.AsyncClient) -> None:
    for body in (b"not json", b"[]", json.dumps({"object": "instagram", "entry": []}).encode()):
        assert (await _post(client, "/webhooks/messenger", body)).status_code == 400
        assert (await _post(client, "/webhooks/whatsapp", body)).status_code == 400


async def test_comments_under_the_shops_posts_are_stored_for_the_inbox(
    client: httpx.AsyncClient,
) -> None:
    def change(verb: str, message: str) -> dict[str, Any]:
        value = {
            "from": {"id": "7007", "name": "Mia"},
            "item": "comment",
            "verb": verb,
            "comment_id": "1_2_3",
            "post_id": f"{PAGE}_2",
            "parent_id": f"{PAGE}_2",
            "message": message,
            "created_time": 1_764_000_000,
        }
        return {"field": "feed", "value": value}

    def delivery(verb: str, message: str) -> bytes:
        entry = {"id": PAGE, "time": 1_764_000_000, "changes": [change(verb, message)]}
        return json.dumps({"object": "page", "entry": [entry]}).encode()

    assert (
        await _post(client, "/webhooks/messenger", delivery("add", "Gibt es 43?"))
    ).status_code == 200
    await _post(client, "/webhooks/messenger", delivery("add", "Gibt es 43?"))  # redelivered
    await _post(client, "/webhooks/messenger", delivery("edited", "Gibt es die in 43?"))
    runtime: Runtime = client.runtime  # type: ignore[attr-defined]
    rows = runtime.db.read_now(
        lambda conn: conn.execute(
            select(comments.c.text, comments.c.status, comments.c.author_name)
        ).all()
    )
    assert [tuple(row) for row in rows] == [("Gibt es die in 43?", "edited", "Mia")]
    assert _count(client, inbound_events) == 0  # not a conversation: the bot does not answer


async def test_odd_characters_are_stored_not_refused(client: httpx.AsyncClient) -> None:
    body = _delivery([_messaging("p1", "m.odd", "Hallo\u0000 \ud83d kaputt")])
    assert (await _post(client, "/webhooks/messenger", body)).status_code == 200
    runtime: Runtime = client.runtime  # type: ignore[attr-defined]
    payload = runtime.db.read_now(
        lambda conn: conn.execute(select(inbound_events.c.payload)).scalar_one()
    )
    assert payload["text"] == "Hallo\u0000 ? kaputt"


async def test_an_oversized_delivery_is_refused_before_it_is_read(
    client: httpx.AsyncClient,
) -> None:
    huge = _delivery([_messaging("p1", "m.big", "x" * 300_000)])
    assert (await _post(client, "/webhooks/messenger", huge)).status_code == 413
    assert _count(client, inbound_events) == 0


async def test_deliveries_for_another_page_or_number_are_acknowledged_and_ignored(
    client: httpx.AsyncClient,
) -> None:
    other = _delivery([_messaging("p1", "m.other", "Hallo")]).replace(
        f'"id": "{PAGE}"'.encode(), b'"id": "9999"'
    )
    assert (await _post(client, "/webhooks/messenger", other)).status_code == 200
    assert _count(client, inbound_events) == 0
