"""Order events reach the shop system: signed, retried while it is down, given up in the end.

A loopback HTTP server plays the shop system: it keeps each request's raw body and headers
(the signature covers the bytes as sent) and answers with the statuses a test asks for.
SQLite only.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.conftest import free_port, make_settings
from theke.commerce.payments import SignatureError, verify_signature
from theke.runtime import Runtime
from theke.store import webhooks
from theke.store.database import Database
from theke.store.migrate import upgrade
from theke.store.schema import utcnow, webhook_deliveries
from theke.worker.shop_webhooks import ShopWebhooks

SECRET = "whsec_shop_system"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes


class ShopSystem:
    """The shop system's webhook endpoint on 127.0.0.1; ``answers`` are used up in order
    (200 when none are left)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: list[int] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/theke/events"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        system = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with system._lock:
                    system.received.append(Received(dict(self.headers.items()), body))
                    status = system.answers.pop(0) if system.answers else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """No access log in the test output."""

        return Handler

    def __enter__(self) -> ShopSystem:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def shop_system() -> Iterator[ShopSystem]:
    with ShopSystem() as system:
        yield system


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
async def db(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url)
    try:
        yield database
    finally:
        await database.dispose()


@dataclass
class Outbox:
    """The webhook deliveries as the shop owner could look them up."""

    db: Database

    def record(self, topic: str, data: dict[str, Any]) -> str:
        return self.db.write_now(lambda conn: webhooks.record(conn, topic, data, utcnow()))

    def rows(self) -> list[Any]:
        query = select(webhook_deliveries).order_by(webhook_deliveries.c.id)
        return self.db.read_now(lambda conn: list(conn.execute(query)))

    def make_due(self) -> None:
        """Time passes: every delivery waiting for a retry is due now."""
        past = utcnow() - timedelta(seconds=1)
        self.db.write_now(
            lambda conn: conn.execute(update(webhook_deliveries).values(next_attempt_at=past))
        )


async def _run(sender: ShopWebhooks) -> int:
    try:
        return await sender.run_once()
    finally:
        await sender.close()


ORDER = {"number": "SC-123456", "status": "placed", "total_cents": 6499}


async def test_events_arrive_signed_with_their_type_and_id(
    sqlite_url: str, shop_system: ShopSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THEKE_SHOP_WEBHOOK_URL", shop_system.url)
    monkeypatch.setenv("THEKE_SHOP_WEBHOOK_SECRET", SECRET)
    runtime = await Runtime.open(make_settings(sqlite_url), migrate=False)
    try:
        outbox = Outbox(runtime.db)
        created = outbox.record("order.created", ORDER)
        paid = outbox.record("order.paid", {**ORDER, "status": "paid", "kunde": "Jürgen"})
        assert await runtime.webhooks("w").run_once() == 2
        rows = outbox.rows()
    finally:
        await runtime.close()

    first, second = shop_system.received
    for got, event_id, topic in ((first, created, "order.created"), (second, paid, "order.paid")):
        verify_signature(got.body, got.headers["X-Theke-Signature"], SECRET)
        assert got.headers["X-Theke-Event"] == topic
        assert got.headers["X-Theke-Delivery"] == event_id
        assert got.headers["Content-Type"] == "application/json"
        event = json.loads(got.body)
        assert (event["id"], event["type"]) == (event_id, topic)
    assert json.loads(second.body)["data"]["kunde"] == "Jürgen"
    with pytest.raises(SignatureError):  # a key the shop system does not share proves nothing
        verify_signature(first.body, first.headers["X-Theke-Signature"], "whsec_someone_else")
    assert [row.status for row in rows] == ["sent", "sent"]


async def test_an_event_the_shop_system_could_not_take_is_sent_again_later(
    db: Database, shop_system: ShopSystem
) -> None:
    outbox = Outbox(db)
    event_id = outbox.record("order.created", ORDER)
    shop_system.answers = [500]

    await _run(ShopWebhooks(db, shop_system.url, SECRET, owner="w"))
    (row,) = outbox.rows()
    assert (row.status, row.attempts, row.last_error) == ("pending", 1, "HTTP 500")
    assert row.next_attempt_at > utcnow()
    assert await _run(ShopWebhooks(db, shop_system.url, SECRET, owner="w")) == 0  # not yet
    assert len(shop_system.received) == 1

    outbox.make_due()
    assert await _run(ShopWebhooks(db, shop_system.url, SECRET, owner="w")) == 1
    first, again = shop_system.received
    assert again.headers["X-Theke-Delivery"] == first.headers["X-Theke-Delivery"] == event_id
    verify_signature(again.body, again.headers["X-Theke-Signature"], SECRET)
    (row,) = outbox.rows()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)


async def test_a_shop_system_that_cannot_be_reached_is_tried_again(db: Database) -> None:
    outbox = Outbox(db)
    outbox.record("order.created", ORDER)
    nobody = f"http://127.0.0.1:{free_port()}/theke/events"

    await _run(ShopWebhooks(db, nobody, SECRET, owner="w"))

    (row,) = outbox.rows()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error and "Connect" in row.last_error


async def test_an_event_is_given_up_after_its_last_attempt(
    db: Database, shop_system: ShopSystem
) -> None:
    outbox = Outbox(db)
    outbox.record("order.cancelled", {**ORDER, "status": "cancelled"})
    shop_system.answers = [503, 503, 503]

    for _ in range(3):
        await _run(ShopWebhooks(db, shop_system.url, SECRET, owner="w", max_attempts=3))
        outbox.make_due()
    assert await _run(ShopWebhooks(db, shop_system.url, SECRET, owner="w", max_attempts=3)) == 0

    (row,) = outbox.rows()
    assert (row.status, row.attempts, row.last_error) == ("dead", 3, "HTTP 503")
    assert len(shop_system.received) == 3


async def test_without_a_shop_system_the_events_are_skipped(sqlite_url: str) -> None:
    runtime = await Runtime.open(make_settings(sqlite_url), migrate=False)
    try:
        assert runtime.settings.shop_webhook_url is None
        outbox = Outbox(runtime.db)
        outbox.record("order.created", ORDER)
        outbox.record("order.paid", ORDER)
        assert await runtime.webhooks("w").run_once() == 2
        assert await runtime.webhooks("w").run_once() == 0  # done with, not tried again
        assert [row.status for row in outbox.rows()] == ["skipped", "skipped"]
    finally:
        await runtime.close()
