"""The web chat's HTTP API as a browser (or a shop's script) uses it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from theke.runtime import Runtime
from theke.store.schema import inbound_events


async def _session(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    response = await client.post("/webchat/sessions")
    assert response.status_code == 201
    body = response.json()
    assert len(body["customer_id"]) == 32
    return body["customer_id"], {"Authorization": f"Bearer {body['token']}"}


async def _bot_answer(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict]:  # type: ignore[type-arg]
    cursor = None
    seen: list[dict] = []  # type: ignore[type-arg]
    for _ in range(20):
        params = {"after": cursor} if cursor else {}
        response = await client.get("/webchat/messages", headers=auth, params=params)
        assert response.status_code == 200
        body = response.json()
        seen.extend(body["messages"])
        cursor = body["cursor"]
        if any(message["from"] == "bot" for message in seen):
            return seen
    raise AssertionError("no answer from the bot")


async def test_a_visitor_chats_over_plain_http(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)
    sent = await client.post(
        "/webchat/messages", headers=auth, json={"text": "Hallo", "client_id": "m1"}
    )
    assert sent.status_code == 202

    messages = await _bot_answer(client, auth)

    assert messages[0]["from"] == "customer"
    assert messages[0]["content"] == {"type": "text", "text": "Hallo"}
    assert messages[0]["client_id"] == "m1"
    assert messages[0]["ts"].endswith("Z")
    assert any(m["from"] == "bot" for m in messages)


async def test_history_from_the_start_and_the_cursor_moves_on(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)
    await client.post("/webchat/messages", headers=auth, json={"text": "Hallo"})
    await _bot_answer(client, auth)
    everything = (await client.get("/webchat/messages", headers=auth)).json()
    assert len(everything["messages"]) >= 2
    after_all = await client.get(
        "/webchat/messages", headers=auth, params={"after": everything["cursor"]}
    )
    assert after_all.json() == {"messages": [], "cursor": everything["cursor"]}


@pytest.mark.parametrize(
    "text",
    [
        "<b>fett</b><script>alert(1)</script>",
        "Größe 43 😀👟 bitte",
        "مرحبا، هل لديكم أحذية؟",
        "NUL\x00byte",
        "x" * 10_000,
    ],
)
async def test_any_text_is_stored_exactly_as_sent(client: httpx.AsyncClient, text: str) -> None:
    _, auth = await _session(client)
    await client.post("/webchat/messages", headers=auth, json={"text": text})
    history = (await client.get("/webchat/messages", headers=auth)).json()
    assert history["messages"][0]["content"]["text"] == text


async def test_a_postback_shows_its_title(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)
    sent = await client.post(
        "/webchat/messages",
        headers=auth,
        json={"postback": "GET_STARTED", "title": "Los geht's"},
    )
    assert sent.status_code == 202
    history = (await client.get("/webchat/messages", headers=auth)).json()
    assert history["messages"][0]["content"]["text"] == "Los geht's"


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({"content-type": "application/json"}, b"{not json", 400, "malformed_json"),
        ({"content-type": "text/plain"}, b'{"text": "Hallo"}', 400, "bad_content_type"),
        ({"content-type": "application/json"}, b'{"text": 5}', 400, "bad_request"),
        ({"content-type": "application/json"}, b'{"txt": "Hallo"}', 400, "bad_request"),
        ({"content-type": "application/json"}, b"{}", 400, "bad_request"),
        ({"content-type": "application/json"}, b'{"text": ""}', 400, "bad_request"),
    ],
)
async def test_bad_requests_get_400_and_store_nothing(
    client: httpx.AsyncClient,
    running_worker: Runtime,
    headers: dict[str, str],
    body: bytes,
    status: int,
    code: str,
) -> None:
    _, auth = await _session(client)
    response = await client.post("/webchat/messages", headers={**auth, **headers}, content=body)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    with running_worker.db.engine.connect() as conn:
        stored = (conn.execute(select(func.count()).select_from(inbound_events))).scalar()
    assert stored == 0


async def test_a_body_over_the_limit_gets_413(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)
    response = await client.post("/webchat/messages", headers=auth, json={"text": "x" * 300_000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"
    history = (await client.get("/webchat/messages", headers=auth)).json()
    assert history["messages"] == []


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer v1.AAAAAAAAAAAAAAAAAAAAAA.AAAA",
    ],
)
async def test_without_a_valid_token_the_visitor_gets_401(
    client: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    read = await client.get("/webchat/messages", headers=headers)
    write = await client.post("/webchat/messages", headers=headers, json={"text": "Hallo"})
    assert read.status_code == write.status_code == 401
    assert read.json()["error"]["code"] == "unauthorized"


async def test_guessing_another_visitors_id_reads_nothing(client: httpx.AsyncClient) -> None:
    victim, victim_auth = await _session(client)
    await client.post("/webchat/messages", headers=victim_auth, json={"text": "geheim"})
    _, attacker_auth = await _session(client)
    mine = (await client.get("/webchat/messages", headers=attacker_auth)).json()
    assert all("geheim" not in str(message) for message in mine["messages"])
    forged = attacker_auth["Authorization"].split(".")
    forged[1] = victim  # the victim's id with the attacker's signature
    response = await client.get("/webchat/messages", headers={"Authorization": ".".join(forged)})
    assert response.status_code == 401


async def test_a_foreign_origin_is_refused(client: httpx.AsyncClient) -> None:
    response = await client.post("/webchat/sessions", headers={"Origin": "https://evil.example"})
    assert response.status_code in (400, 403)
    preflight = await client.options(
        "/webchat/messages",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers


async def test_the_own_origin_is_allowed(client: httpx.AsyncClient) -> None:
    response = await client.post("/webchat/sessions", headers={"Origin": "http://127.0.0.1:8000"})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == "http://127.0.0.1:8000"


async def test_a_bad_cursor_gets_400(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)
    response = await client.get("/webchat/messages", headers=auth, params={"after": "%%%"})
    assert response.status_code == 400


async def test_a_streamed_body_over_the_limit_gets_413(client: httpx.AsyncClient) -> None:
    _, auth = await _session(client)

    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 10_000

    response = await client.post(
        "/webchat/messages",
        headers={**auth, "content-type": "application/json"},
        content=chunks(),
    )
    assert response.status_code == 413
