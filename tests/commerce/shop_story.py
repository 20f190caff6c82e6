"""A customer buying in the demo shop, on any channel: what they see, what they tap.

The tests drive the real app in-process (signed webhooks, the web chat's HTTP
API), run the worker's steps by hand, and talk to the loopback Stripe and Graph
API servers over real HTTP. ``Customer`` is what a channel must offer: say,
tap, and the buttons and texts that arrived since the last look.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from theke.runtime import Runtime
from theke.store import api_tokens
from theke.testing.stripe_api import StripeApi
from theke.worker.jobs import JobRunner


@dataclass(frozen=True)
class Seen:
    """One message as the customer saw it: its text and its buttons (title → payload or URL)."""

    kind: str
    text: str
    buttons: dict[str, str] = field(default_factory=dict)


class Customer(Protocol):
    async def say(self, text: str) -> None: ...
    async def tap(self, title: str, payload: str) -> None: ...
    async def seen(self) -> list[Seen]: ...


async def work(runtime: Runtime) -> None:
    """The worker: turns, the jobs that are due, the shop webhooks, then delivery."""
    await runtime.turns("w").run_once()
    jobs = JobRunner(runtime.db, runtime.shop_jobs(), owner="w")
    while await jobs.run_once():
        pass
    await runtime.webhooks("w").run_once()
    await runtime.dispatcher("w").run_once()


def button(seen: list[Seen], title: str) -> tuple[str, str]:
    """The newest button titled ``title`` (case-insensitive start): (title, payload or URL)."""
    for message in reversed(seen):
        for label, target in message.buttons.items():
            if label.lower().startswith(title.lower()):
                return label, target
    shown = [list(message.buttons) for message in seen]
    raise AssertionError(f"no button {title!r} among {shown}")


async def buy(customer: Customer, runtime: Runtime, *, pay_with: str) -> list[Seen]:
    """From "Laufschuhe unter 100 Euro" to the order button; returns all that was seen."""
    seen: list[Seen] = []

    async def step(coro: Any) -> list[Seen]:
        await coro
        await work(runtime)
        new = await customer.seen()
        seen.extend(new)
        return new

    await step(customer.say("Laufschuhe unter 100 Euro"))
    await step(customer.say("43"))
    await step(customer.tap(*button(seen, "In den Warenkorb")))
    await step(customer.tap(*button(seen, "Zur Kasse")))
    await step(customer.tap(*button(seen, "Liefern")))
    await step(customer.say("Anna Schmidt, Hauptstraße 5, 10115 Berlin"))
    await step(customer.say("anna@example.com"))
    await step(customer.tap(*button(seen, pay_with)))
    order_title, payload = (
        button(seen, "Zahlungspflichtig")
        if _has(seen, "Zahlungspflichtig")
        else button(seen, "Jetzt kaufen")
    )
    await step(customer.tap(order_title, payload))
    return seen


def _has(seen: list[Seen], title: str) -> bool:
    return any(label.startswith(title) for message in seen for label in message.buttons)


async def pay(stripe: StripeApi, http: httpx.AsyncClient, *, times: int = 1) -> httpx.Response:
    """The customer pays on Stripe's page; Stripe calls the webhook (``times`` times)."""
    session = stripe.sessions[-1]
    body, headers = stripe.pay(session["id"])
    answer = None
    for _ in range(times):
        answer = await http.post("/webhooks/stripe", content=body, headers=headers)
    assert answer is not None
    return answer


async def ship(runtime: Runtime, http: httpx.AsyncClient, number: str) -> httpx.Response:
    """The shop system marks the order shipped through the REST API."""
    token = runtime.db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    return await http.post(
        f"/api/v1/orders/{number}/status",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "status": "shipped",
            "carrier": "DHL",
            "tracking_number": "00340434161234567890",
            "tracking_url": "https://www.dhl.de/de/privatkunden.html?piececode=00340434161234567890",
        },
    )


async def settle(runtime: Runtime) -> None:
    await asyncio.sleep(0)
    await work(runtime)
