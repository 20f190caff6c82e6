"""Sends content to a Telegram chat: rendered into Bot API calls, made in order.

Payloads longer than Telegram's 64 bytes of ``callback_data`` are stored under a
short key first (``theke.store.short_payloads``); the webhook turns the key back
into the payload. A content that needs several calls (a long text, a carousel)
is sent call by call; if one fails the outbox retries the whole content, so only
the calls before the failure can arrive twice — the platforms take no
idempotency key.
"""

from __future__ import annotations

import structlog

from theke.bot.messages import payloads
from theke.channels.telegram.client import TelegramClient
from theke.content import Content
from theke.errors import DeliveryError
from theke.store import short_payloads
from theke.store.database import Database

__all__ = ["CALLBACK_DATA_MAX", "TelegramSender"]

CALLBACK_DATA_MAX = 64

_log = structlog.get_logger("theke.channels.telegram")


class TelegramSender:
    """The ``telegram`` channel's sender."""

    channel = "telegram"

    def __init__(self, client: TelegramClient, db: Database, *, public_url: str) -> None:
        self._client = client
        self._db = db
        self._public_url = public_url

    async def send(self, recipient: str, content: Content, *, outbox_id: int) -> None:
        from theke.channels.telegram.render import render

        long = sorted({p for p in payloads(content) if len(p.encode("utf-8")) > CALLBACK_DATA_MAX})
        keys = (
            await self._db.write(lambda conn: short_payloads.remember(conn, long)) if long else {}
        )
        calls = render(
            content,
            recipient,
            payload_id=lambda payload: keys.get(payload) or short_payloads.key_for(payload),
            public_url=self._public_url,
        )
        for call in calls:
            await self._client.call(call.method, call.params)

    async def acknowledge(self, callback_query_id: str) -> None:
        """Answer a button tap, so Telegram stops showing it as loading; failures are logged."""
        try:
            await self._client.call("answerCallbackQuery", {"callback_query_id": callback_query_id})
        except DeliveryError as exc:  # the tap is stored and answered anyway: only the spinner
            _log.warning("theke.channels.telegram.tap_not_acknowledged", error=exc.code)

    async def close(self) -> None:
        await self._client.close()
