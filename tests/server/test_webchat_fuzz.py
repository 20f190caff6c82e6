"""Fuzzing the web chat's parsers: whatever a client sends, the answer is a clear 2xx/4xx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_settings
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.migrate import upgrade

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
message_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.one_of(st.text(max_size=200), json_values),
            "postback": st.one_of(st.text(max_size=50), json_values),
            "title": st.one_of(st.text(max_size=50), json_values),
            "client_id": st.one_of(st.text(max_size=80), json_values),
        },
    ),
)


class _App:
    """One runtime and client on a private event loop, shared by all examples."""

    def __init__(self, folder: Path) -> None:
        self.runner = asyncio.Runner()
        url = f"sqlite:///{folder / 'fuzz.db'}"
        upgrade(url)
        self.runtime: Runtime = self.runner.run(Runtime.open(make_settings(url), migrate=False))
        app = create_app(self.runtime, run_worker=False)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1:8000"
        )
        session = self.run(self.client.post("/webchat/sessions")).json()
        self.auth = {"Authorization": f"Bearer {session['token']}"}

    def run(self, coroutine: Any) -> Any:
        return self.runner.run(coroutine)

    def close(self) -> None:
        self.run(self.client.aclose())
        self.run(self.runtime.close())
        self.runner.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_App]:
    instance = _App(tmp_path_factory.mktemp("fuzz"))
    yield instance
    instance.close()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=message_bodies)
def test_any_json_body_gets_202_or_a_400_with_a_reason(app: _App, body: object) -> None:
    response = app.run(
        app.client.post(
            "/webchat/messages",
            headers={**app.auth, "content-type": "application/json"},
            content=json.dumps(body),
        )
    )
    assert response.status_code in (202, 400), response.text
    if response.status_code == 400:
        assert response.json()["error"]["message"]


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=300))
def test_any_bytes_get_a_clear_answer(app: _App, raw: bytes) -> None:
    response = app.run(
        app.client.post(
            "/webchat/messages",
            headers={**app.auth, "content-type": "application/json"},
            content=raw,
        )
    )
    assert response.status_code in (202, 400)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    cursor=st.text(max_size=60),
    token=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=80),
)
def test_any_cursor_or_token_gets_a_clear_answer(app: _App, cursor: str, token: str) -> None:
    read = app.run(
        app.client.get("/webchat/messages", headers=app.auth, params={"after": cursor})
        if cursor
        else app.client.get("/webchat/messages", headers=app.auth)
    )
    assert read.status_code in (200, 400)
    forged = app.run(
        app.client.get("/webchat/messages", headers={"Authorization": f"Bearer {token}"})
    )
    assert forged.status_code in (400, 401)
