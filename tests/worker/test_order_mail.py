"""The order confirmation by e-mail: what the customer finds in the mailbox, and what happens
when the mail server refuses (for good: not again) or is busy (later: once).

The customer orders in the web chat of the demo shop on invoice; the worker's steps run by
hand; the mail server is the loopback :class:`SmtpServer`. SQLite only.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.commerce.shop_story import Seen, button, work
from tests.conftest import make_settings
from theke.runtime import Runtime
from theke.store.migrate import upgrade
from theke.store.schema import orders, scheduled_jobs, utcnow
from theke.testing.smtp_server import ReceivedMessage, SmtpServer

MAIL_JOB = "mail.order"


class ChatCustomer:
    """A web chat visitor, through the web chat service the HTTP API uses."""

    def __init__(self, runtime: Runtime, customer_id: str) -> None:
        self.runtime, self.customer_id, self.after = runtime, customer_id, 0
        self.all: list[Seen] = []

    async def say(self, text: str) -> None:
        await self.runtime.webchat.accept(self.customer_id, text=text)
        await work(self.runtime)
        await self._look()

    async def tap(self, title: str) -> None:
        label, payload = button(self.all, title)
        await self.runtime.webchat.accept(self.customer_id, postback=payload, title=label)
        await work(self.runtime)
        await self._look()

    async def _look(self) -> None:
        found = await self.runtime.webchat.history(self.customer_id, self.after)
        self.after = found[-1].id if found else self.after
        self.all.extend(_seen(m.content) for m in found if m.sender == "bot")


def _seen(content: dict[str, Any]) -> Seen:
    buttons = {reply["title"]: reply["payload"] for reply in content.get("replies", ())}
    for item in [content, *content.get("cards", ())]:
        for found in item.get("buttons", ()):
            buttons.setdefault(found["title"], found.get("payload") or found.get("url", ""))
    return Seen(content["type"], content.get("text", ""), buttons)


async def order_on_invoice(runtime: Runtime, email: str | None) -> str:
    """A customer orders the running shoes in 43, with ``email`` or without one; the number."""
    customer_id, _ = await runtime.webchat.create_session()
    customer = ChatCustomer(runtime, customer_id)
    await customer.say("Laufschuhe unter 100 Euro")
    await customer.say("43")
    for title in ("In den Warenkorb", "Zur Kasse", "Liefern"):
        await customer.tap(title)
    await customer.say("Anna Schmidt, Hauptstraße 5, 10115 Berlin")
    if email is None:
        await customer.tap("Ohne E-Mail")
    else:
        await customer.say(email)
    await customer.tap("Rechnung")
    await customer.tap("Zahlungspflichtig")
    return str(runtime.db.read_now(lambda conn: conn.execute(select(orders.c.number)).scalar_one()))


def mail_jobs(runtime: Runtime) -> list[tuple[str, int]]:
    """The e-mail jobs: (status, attempts)."""
    query = select(scheduled_jobs.c.status, scheduled_jobs.c.attempts).where(
        scheduled_jobs.c.kind == MAIL_JOB
    )
    return runtime.db.read_now(lambda conn: [tuple(row) for row in conn.execute(query)])


def make_due(runtime: Runtime) -> None:
    """Time passes: an e-mail job waiting for its retry is due now."""
    past = utcnow() - timedelta(seconds=1)
    runtime.db.write_now(
        lambda conn: conn.execute(
            update(scheduled_jobs)
            .where(scheduled_jobs.c.kind == MAIL_JOB, scheduled_jobs.c.status == "pending")
            .values(run_at=past)
        )
    )


def body(message: ReceivedMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
async def runtime(tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    settings = make_settings(url, smtp_url=smtp.url, mail_from="Sohle & Co. <shop@sohle-und-co.de>")
    opened = await Runtime.open(settings, migrate=False)
    try:
        yield opened
    finally:
        await opened.close()


async def test_the_customer_gets_one_confirmation_with_the_order_and_the_legal_links(
    runtime: Runtime, smtp: SmtpServer
) -> None:
    number = await order_on_invoice(runtime, "anna@example.com")

    (mail,) = smtp.messages
    assert mail.envelope_rcpt == ("anna@example.com",)
    assert mail["To"] == "anna@example.com"
    assert number in mail["Subject"] and "Bestellbestätigung" in mail["Subject"]
    text = body(mail)
    assert number in text
    assert "1× Revolution 7, Gr. 43 – 64,99 €" in text
    assert "Gesamt: 64,99 € (inkl. 10,38 € MwSt.)" in text
    assert "auf Rechnung" in text and "14 Tagen" in text
    assert "AGB: https://sohle-und-co.de/agb" in text
    assert "Widerrufsbelehrung: https://sohle-und-co.de/widerruf" in text
    # On a durable medium, in full (§312f BGB): the bot folder's legal/ texts.
    assert "Sie haben das Recht, binnen vierzehn Tagen ohne Angabe von Gründen" in text
    assert "Muster-Widerrufsformular" in text and "Allgemeine Geschäftsbedingungen" in text
    assert mail_jobs(runtime) == [("done", 1)]


async def test_without_an_address_no_mail_is_sent(runtime: Runtime, smtp: SmtpServer) -> None:
    number = await order_on_invoice(runtime, None)

    assert number.startswith("SC-")
    assert smtp.messages == []
    assert mail_jobs(runtime) == []


async def test_an_address_the_server_refuses_is_not_tried_again(
    runtime: Runtime, smtp: SmtpServer
) -> None:
    smtp.fail_next(550)
    await order_on_invoice(runtime, "gibt-es-nicht@example.com")

    make_due(runtime)
    await work(runtime)

    assert smtp.messages == []
    assert mail_jobs(runtime) == [("done", 1)]


async def test_a_busy_server_gets_the_mail_later_once(runtime: Runtime, smtp: SmtpServer) -> None:
    smtp.fail_next(421)
    number = await order_on_invoice(runtime, "anna@example.com")
    assert smtp.messages == []
    assert mail_jobs(runtime) == [("pending", 1)]

    make_due(runtime)
    await work(runtime)
    await work(runtime)

    (mail,) = smtp.messages
    assert number in mail["Subject"]
    assert mail_jobs(runtime) == [("done", 2)]
