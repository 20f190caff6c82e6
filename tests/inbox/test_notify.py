"""Agents hear of a conversation that waits for a person: a signed ``conversation.waiting``
webhook to the inbox's own receiver, never mixed up with the shop system's order events.

Loopback HTTP servers play both receivers (the one of ``tests/worker/test_shop_webhooks.py``:
it keeps each request's raw body and headers). SQLite only.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, select

from tests.conftest import make_settings
from tests.worker.test_shop_webhooks import ShopSystem as Receiver
from theke.commerce.payments import SignatureError, verify_signature
from theke.errors import ConfigurationError
from theke.inbox import notify
from theke.runtime import Runtime
from theke.settings import Settings
from theke.store import webhooks
from theke.store.database import Database
from theke.store.migrate import upgrade
from theke.store.schema import utcnow, webhook_deliveries

SHOP_SECRET = "whsec_shop_system"
INBOX_SECRET = "whsec_inbox_relay_for_the_team"
PUBLIC_URL = "https://chat.sohle-und-co.de/"
CONVERSATION = "3f9c1e0a7b2d4c6e8f1a2b3c4d5e6f70"
ORDER = {"number": "SC-123456", "status": "placed", "total_cents": 6499}


@pytest.fixture
def shop_system() -> Iterator[Receiver]:
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def inbox_relay() -> Iterator[Receiver]:
    """What the shop runs for its agents, e.g. a small relay on to its team chat."""
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


def _hand_over_and_order(db: Database) -> tuple[str, str]:
    """The bot hands a Telegram conversation to a person; an order is placed meanwhile."""

    def write(conn: Connection) -> tuple[str, str]:
        now = utcnow()
        waiting = notify.waiting(conn, CONVERSATION, "telegram", "frustrated", now, PUBLIC_URL)
        return waiting, webhooks.record(conn, "order.created", ORDER, now)

    return db.write_now(write)


def _rows(db: Database) -> list[Any]:
    query = select(webhook_deliveries).order_by(webhook_deliveries.c.id)
    return db.read_now(lambda conn: list(conn.execute(query)))


async def _deliver_with_the_worker(runtime: Runtime) -> None:
    """Run the worker loops until no delivery is left to send."""
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.loops("w").run(stop))
    try:
        for _ in range(400):
            if all(row.status == "sent" for row in _rows(runtime.db)):
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await task


async def test_a_waiting_conversation_reaches_the_inbox_receiver_signed_with_its_secret(
    sqlite_url: str,
    shop_system: Receiver,
    inbox_relay: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("THEKE_SHOP_WEBHOOK_URL", shop_system.url)
    monkeypatch.setenv("THEKE_SHOP_WEBHOOK_SECRET", SHOP_SECRET)
    monkeypatch.setenv("THEKE_INBOX_WEBHOOK_URL", inbox_relay.url)
    monkeypatch.setenv("THEKE_INBOX_WEBHOOK_SECRET", INBOX_SECRET)
    runtime = await Runtime.open(make_settings(sqlite_url), migrate=False)
    try:
        waiting_id, order_id = _hand_over_and_order(runtime.db)
        await _deliver_with_the_worker(runtime)
        rows = _rows(runtime.db)
    finally:
        await runtime.close()

    assert [(row.target, row.status) for row in rows] == [("inbox", "sent"), ("shop", "sent")]
    (got,) = inbox_relay.received
    verify_signature(got.body, got.headers["X-Theke-Signature"], INBOX_SECRET)
    with pytest.raises(SignatureError):  # the shop system's secret does not sign it
        verify_signature(got.body, got.headers["X-Theke-Signature"], SHOP_SECRET)
    assert got.headers["X-Theke-Event"] == notify.WAITING_TOPIC == "conversation.waiting"
    assert got.headers["X-Theke-Delivery"] == waiting_id
    assert got.headers["Content-Type"] == "application/json"
    event = json.loads(got.body)
    assert (event["id"], event["type"]) == (waiting_id, "conversation.waiting")
    assert event["data"] == {
        "conversation_id": CONVERSATION,
        "channel": "telegram",
        "reason": "frustrated",
        "waiting_since": event["created"],
        "url": f"https://chat.sohle-und-co.de/inbox/c/{CONVERSATION}",
    }

    (order,) = shop_system.received  # the shop system gets its order, and nothing else
    verify_signature(order.body, order.headers["X-Theke-Signature"], SHOP_SECRET)
    assert order.headers["X-Theke-Event"] == "order.created"
    assert order.headers["X-Theke-Delivery"] == order_id


async def test_without_an_inbox_url_the_notification_is_skipped_and_orders_still_go_out(
    sqlite_url: str, shop_system: Receiver
) -> None:
    settings = make_settings(
        sqlite_url, shop_webhook_url=shop_system.url, shop_webhook_secret=SHOP_SECRET
    )
    runtime = await Runtime.open(settings, migrate=False)
    try:
        assert runtime.settings.inbox_webhook_url is None
        _hand_over_and_order(runtime.db)
        assert await runtime.webhooks("w", "inbox").run_once() == 1
        assert [row.status for row in _rows(runtime.db)] == ["skipped", "pending"]
        assert await runtime.webhooks("w").run_once() == 1
        assert await runtime.webhooks("w", "inbox").run_once() == 0  # done with, not tried again
        rows = _rows(runtime.db)
    finally:
        await runtime.close()

    assert [row.status for row in rows] == ["skipped", "sent"]
    assert [got.headers["X-Theke-Event"] for got in shop_system.received] == ["order.created"]


def test_an_inbox_url_needs_a_secret_to_be_signed_with(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THEKE_INBOX_WEBHOOK_URL", "https://relay.sohle-und-co.de/theke")
    with pytest.raises(ConfigurationError) as missing:
        Settings().check_secrets()
    assert str(missing.value).startswith(
        "THEKE_INBOX_WEBHOOK_URL is set but THEKE_INBOX_WEBHOOK_SECRET is missing or "
        "shorter than 16 characters"
    )
    monkeypatch.setenv("THEKE_INBOX_WEBHOOK_SECRET", "s" * 15)
    with pytest.raises(ConfigurationError, match="THEKE_INBOX_WEBHOOK_SECRET"):
        Settings().check_secrets()
    monkeypatch.setenv("THEKE_INBOX_WEBHOOK_SECRET", INBOX_SECRET)
    Settings().check_secrets()
