"""Sends content to a Telegram chat: rendered into Bot API calls, made in order.

Payloads longer than Telegram's 64 bytes of ``callback_data`` are stored under a
short key first (``theke.store.short_payloads``); the webhook turns the key back
into the payload. A content that needs several calls (a long text, a carousel)
is sent call by call; if one fails the outbox retries the whole content, so only
the calls before the failure can arrive twice — the platforms take no
idempotency key.
"""

from __future__ import annotations

from typing import Any

import structlog

from theke.channels._outgoing import Gate, payload_keys
from theke.channels.base import InboundEvent
from theke.channels.media import MediaRefused
from theke.channels.telegram.client import TelegramClient
from theke.content import Content
from theke.errors import DeliveryError
from theke.outreach.policy import SEND, Allow
from theke.store.database import Database

__all__ = ["CALLBACK_DATA_MAX", "TelegramSender"]

CALLBACK_DATA_MAX = 64

_log = structlog.get_logger("theke.channels.telegram")


class TelegramSender:
    """The ``telegram`` channel's sender."""

    channel = "telegram"

    def __init__(
        self, client: TelegramClient, db: Database, *, public_url: str, gate: Gate | None = None
    ) -> None:
        self._client = client
        self._db = db
        self._public_url = public_url
        self._gate = gate

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None:
        from theke.channels.telegram.render import render

        payload_id = await payload_keys(
            self._db, content, lambda payload: len(payload.encode("utf-8")) > CALLBACK_DATA_MAX
        )
        calls = render(content, recipient, payload_id=payload_id, public_url=self._public_url)
        for call in calls:
            if self._gate is not None:
                await self._gate.wait(recipient)
            await self._client.call(call.method, call.params)

    async def acknowledge(self, event: InboundEvent) -> None:
        """Stop a tapped button's spinner, or show that an answer is being typed.

        Failures are logged only: the event is stored and answered anyway.
        """
        tap = event.extra.get("callback_query_id")
        if isinstance(tap, str):
            method, params = "answerCallbackQuery", {"callback_query_id": tap}
        else:
            method, params = "sendChatAction", {"chat_id": event.sender, "action": "typing"}
        try:
            await self._client.call(method, params)
        except DeliveryError as exc:
            _log.info("theke.channels.telegram.not_acknowledged", method=method, error=exc.code)

    async def locate(self, attachment: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """Where a customer's file can be fetched: Telegram names its path on request."""
        file_id = str(attachment.get("file_id") or "")
        try:
            result = await self._client.call("getFile", {"file_id": file_id})
        except DeliveryError as exc:
            message = f"telegram file: {exc.code}"
            if exc.permanent:
                raise MediaRefused("http_error", message) from exc
            raise MediaRefused("network", message) from exc
        path = result.get("file_path") if isinstance(result, dict) else None
        if not isinstance(path, str) or not path:
            raise MediaRefused("http_error", "telegram file: no file_path (larger than 20 MB?)")
        return self._client.file_url(path), {}

    async def close(self) -> None:
        await self._client.close()
