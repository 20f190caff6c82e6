"""The demo shop behind a Meta webhook, for the Messenger and WhatsApp conversation tests."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select, update

from theke.runtime import Runtime
from theke.server.app import create_app
from theke.settings import Settings
from theke.store import outbox as outbox_store
from theke.store.outbox import NewMessage
from theke.store.schema import conversations, events, outbox
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import sign
from theke.worker.jobs import JobRunner
from theke.worker.media import MEDIA_JOB


@dataclass
class MetaShop:
    """One customer's conversation with the demo shop on ``channel``."""

    channel: str
    customer: str
    secret: str
    api: GraphApi
    runtime: Runtime
    http: httpx.AsyncClient

    async def deliver(self, body: dict[str, Any]) -> httpx.Response:
        """POST ``body`` to the channel's webhook, signed as Meta signs it."""
        raw = json.dumps(body).encode()
        headers = {
            "X-Hub-Signature-256": sign(raw, self.secret),
            "Content-Type": "application/json",
        }
        response = await self.http.post(f"/webhooks/{self.channel}", content=raw, headers=headers)
        await self.runtime.courtesies.drain()  # seen and typing go out after the 200
        return response

    async def work(self) -> None:
        """The worker's turn, then its dispatch."""
        await self.runtime.turns("w").run_once()
        await self.runtime.dispatcher("w").run_once()

    async def fetch_media(self) -> None:
        """Run the ``media.fetch`` jobs the turns scheduled."""
        runner = JobRunner(self.runtime.db, {MEDIA_JOB: self.runtime.media_job()}, owner="w")
        await runner.run_once()

    async def enqueue(
        self,
        actor: str,
        text: str,
        *,
        purpose: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """A message that answers nothing the customer just did (an agent's, an update)."""
        conversation_id = self.runtime.db.read_now(
            lambda conn: conn.execute(select(conversations.c.id)).scalar_one()
        )
        message = NewMessage(
            conversation_id=conversation_id,
            channel=self.channel,
            recipient=self.customer,
            content={"type": "text", "text": text},
            actor=actor,
            is_reply=False,
            purpose=purpose,
            data=data,
        )
        self.runtime.db.write_now(lambda conn: outbox_store.enqueue(conn, [message]))
        await self.runtime.dispatcher("w").run_once()

    def outbox(self) -> list[tuple[str, str | None]]:
        """Each outbox row's status and error code, oldest first."""
        rows = self.runtime.db.read_now(
            lambda conn: conn.execute(
                select(outbox.c.status, outbox.c.error_code).order_by(outbox.c.id)
            ).all()
        )
        return [(row.status, row.error_code) for row in rows]

    def log(self) -> list[str]:
        """The kinds of the event log's entries, oldest first."""
        rows = self.runtime.db.read_now(
            lambda conn: conn.execute(select(events.c.kind).order_by(events.c.id)).all()
        )
        return [row.kind for row in rows]

    def set_conversation(self, **values: Any) -> None:
        self.runtime.db.write_now(lambda conn: conn.execute(update(conversations).values(**values)))


@contextlib.asynccontextmanager
async def meta_shop(
    settings: Settings, channel: str, customer: str, secret: str, api: GraphApi
) -> AsyncIterator[MetaShop]:
    """The demo shop's runtime and web app (no worker loops: tests call ``work``)."""
    runtime = await Runtime.open(settings, migrate=False)
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            yield MetaShop(channel, customer, secret, api, runtime, http)
    finally:
        await runtime.close()
