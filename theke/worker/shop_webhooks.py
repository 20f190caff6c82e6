"""Signed webhooks to the two receivers outside Theke, one sender each:

- the shop system (target ``"shop"``): ``order.created``, ``order.paid``,
  ``order.cancelled``, ... to ``THEKE_SHOP_WEBHOOK_URL``, signed with
  ``THEKE_SHOP_WEBHOOK_SECRET``;
- the inbox's receiver (target ``"inbox"``): ``conversation.waiting`` when the bot hands a
  conversation to a person (``theke.inbox.notify``), to ``THEKE_INBOX_WEBHOOK_URL``, signed
  with ``THEKE_INBOX_WEBHOOK_SECRET``; a small relay can pass it on to a chat tool.

Each event is POSTed as JSON with

- ``X-Theke-Event``: the event type, ``X-Theke-Delivery``: the event id (the same on a retry:
  the receiver can drop a repeat), and
- ``X-Theke-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` with the
  target's secret as the key (the scheme Stripe uses).

A 2xx answer delivers it; anything else, or no answer within 10 s, is retried with
backoff (30 s doubling, at most an hour apart) up to 12 times, then given up
(``dead``, with the last error) and logged. Without a URL the target's events are marked
``skipped``.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import aiohttp
import structlog
from sqlalchemy import Connection

from theke.commerce.payments.stripe_events import sign
from theke.store import webhooks
from theke.store.database import Database
from theke.store.schema import utcnow
from theke.store.webhooks import Delivery

__all__ = ["ShopWebhooks"]

_log = structlog.get_logger("theke.worker.shop_webhooks")
_BATCH = 32


class ShopWebhooks:
    """Claims ``target``'s pending webhook deliveries and POSTs them to ``url``."""

    def __init__(
        self,
        db: Database,
        url: str | None,
        secret: str | None,
        *,
        owner: str,
        max_attempts: int = 12,
        timeout: float = 10.0,
        target: str = "shop",
    ) -> None:
        self._db = db
        self._url = url
        self._secret = secret or ""
        self._owner = owner
        self._target = target
        self._max_attempts = max_attempts
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def run_once(self) -> int:
        claimed = await self._db.write(
            lambda conn: webhooks.claim(conn, self._owner, _BATCH, ttl=60.0, target=self._target)
        )
        if not claimed:
            return 0
        if self._url is None:
            await self._db.write(lambda conn: webhooks.mark_skipped(conn, [d.id for d in claimed]))
            return len(claimed)
        results = await asyncio.gather(*(self._post(delivery) for delivery in claimed))
        sent = [delivery.id for delivery, error in zip(claimed, results, strict=True) if not error]
        failed = [(d, error) for d, error in zip(claimed, results, strict=True) if error]

        def settle(conn: Connection) -> None:
            webhooks.mark_sent(conn, sent, self._owner)
            for delivery, error in failed:
                retry_at = None
                if delivery.attempts < self._max_attempts:
                    delay = min(3600.0, 30.0 * 2 ** (delivery.attempts - 1))
                    retry_at = utcnow() + timedelta(seconds=delay)
                else:
                    _log.error(
                        "theke.worker.shop_webhooks.dead",
                        target=self._target,
                        event_id=delivery.event_id,
                        topic=delivery.topic,
                        attempts=delivery.attempts,
                    )
                webhooks.mark_failed(conn, delivery.id, self._owner, error or "", retry_at)

        await self._db.write(settle)
        return len(claimed)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _post(self, delivery: Delivery) -> str | None:
        """POST one event; ``None`` when the receiver took it, else what went wrong."""
        body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Theke-Webhooks/1",
            "X-Theke-Event": delivery.topic,
            "X-Theke-Delivery": delivery.event_id,
            "X-Theke-Signature": sign(body, self._secret, int(time.time())),
        }
        session = self._open()
        try:
            async with session.post(str(self._url), data=body, headers=headers) as answer:
                if 200 <= answer.status < 300:
                    return None
                return f"HTTP {answer.status}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}"[:500]

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session
