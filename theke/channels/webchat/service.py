"""The web chat's server side, shared by the HTTP and the WebSocket routes."""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import re
from collections.abc import Mapping
from dataclasses import replace

from theke.channels.base import InboundEvent
from theke.channels.webchat.live import LiveTail
from theke.channels.webchat.message import WebchatMessage
from theke.channels.webchat.sender import topic_for
from theke.channels.webchat.source import web_referral
from theke.channels.webchat.tokens import TokenSigner
from theke.content import text_json
from theke.errors import ThekeError
from theke.store import conversations, webchat
from theke.store.database import Database
from theke.store.ingest import Ingestor
from theke.store.signals import LocalSignals

__all__ = ["BadRequest", "WebchatMessage", "WebchatService", "decode_cursor", "encode_cursor"]

CHANNEL = "webchat"
MAX_TEXT = 20_000
MAX_CLIENT_ID = 64
_CURSOR = re.compile(r"m[0-9]{1,19}")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


class BadRequest(ThekeError, ValueError):
    """The browser sent something the web chat cannot accept."""


def encode_cursor(message_id: int) -> str:
    return base64.urlsafe_b64encode(f"m{message_id}".encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str | None) -> int:
    """The message id behind an opaque cursor; 0 (the start) for None."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("the cursor is not one this server gave out") from exc
    if not _CURSOR.fullmatch(raw):
        raise BadRequest("the cursor is not one this server gave out")
    return int(raw[1:])


class WebchatService:
    """Sessions, accepting visitor messages, and reading (or waiting for) the history."""

    def __init__(
        self,
        db: Database,
        ingestor: Ingestor,
        signals: LocalSignals,
        signer: TokenSigner,
        *,
        live: LiveTail | None = None,
        long_poll_seconds: float = 25.0,
    ) -> None:
        self._db = db
        self._ingestor = ingestor
        self._signals = signals
        self._signer = signer
        self.live = live or LiveTail(enabled=False)
        self.long_poll_seconds = long_poll_seconds
        self._known: dict[str, None] = {}

    async def create_session(self) -> tuple[str, str]:
        """A new visitor: (customer_id, token)."""
        customer_id = conversations.new_id()
        await self._db.write(
            lambda conn: conversations.ensure_customer(conn, CHANNEL, customer_id, customer_id)
        )
        self._remember(customer_id)
        return customer_id, self._signer.make(customer_id)

    async def authenticate(self, token: str | None) -> str | None:
        """The visitor behind a token, or None when the token is not valid here."""
        customer_id = self._signer.check(token) if token else None
        if customer_id is None:
            return None
        if customer_id in self._known:
            return customer_id
        found = await self._db.read(
            lambda conn: conversations.customer_for(conn, CHANNEL, customer_id)
        )
        if found is None:
            return None
        self._remember(customer_id)
        return customer_id

    def _remember(self, customer_id: str) -> None:
        self._known[customer_id] = None
        if len(self._known) > 100_000:
            self._known.pop(next(iter(self._known)))

    async def accept(
        self,
        customer_id: str,
        *,
        text: str | None = None,
        postback: str | None = None,
        title: str | None = None,
        client_id: str | None = None,
        source: Mapping[str, object] | None = None,
    ) -> WebchatMessage | None:
        """Store what the visitor sent; the echoed message, or None for a repeated client_id.

        ``source`` (the page's ``utm_*`` and ``ref`` parameters) says where the visitor
        came from; a ``ref`` starts the flows a link's ref starts on Messenger.
        """
        event = _event(customer_id, text, postback, title, client_id)
        referral = web_referral(source)
        if referral:
            event = replace(event, extra={**event.extra, "referral": referral})
        shown = text if text is not None else (title or postback or "")
        content = text_json(shown)
        echo = webchat.visitor_echo(customer_id, content, client_id, event.received_at)
        accepted = await self._ingestor.submit(event, echo)
        if accepted is None or accepted.companion_id is None:
            return None
        echoed = WebchatMessage(
            accepted.companion_id, "customer", content, event.received_at, client_id
        )
        self.live.add(customer_id, [echoed])
        await self._signals.publish(topic_for(customer_id))
        return echoed

    async def history(
        self, customer_id: str, after: int, *, wait: float = 0.0
    ) -> list[WebchatMessage]:
        """Messages after ``after``; waits up to ``wait`` seconds when there are none yet."""
        with self.live.watching(customer_id):
            async with self._signals.listen(topic_for(customer_id)) as woken:
                found = await self._read(customer_id, after)
                if found or wait <= 0:
                    return found
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout=wait)
            return await self._read(customer_id, after)

    async def _read(self, customer_id: str, after: int) -> list[WebchatMessage]:
        remembered = self.live.after(customer_id, after)
        if remembered is not None:
            return remembered
        rows = await self._db.read(lambda conn: webchat.after(conn, customer_id, after))
        found = [WebchatMessage.from_row(row) for row in rows]
        if len(rows) < webchat.READ_LIMIT:  # the read saw everything there is
            self.live.anchor(customer_id, found, after)
        return found


def _event(
    customer_id: str,
    text: str | None,
    postback: str | None,
    title: str | None,
    client_id: str | None,
) -> InboundEvent:
    if (text is None) == (postback is None):
        raise BadRequest('send either "text" or "postback"')
    if text is not None and not 1 <= len(text) <= MAX_TEXT:
        raise BadRequest(f'"text" must have 1 to {MAX_TEXT} characters')
    if postback is not None and not 1 <= len(postback) <= 1000:
        raise BadRequest('"postback" must have 1 to 1000 characters')
    if title is not None and len(title) > 200:
        raise BadRequest('"title" must have at most 200 characters')
    if client_id is not None and not _CLIENT_ID.fullmatch(client_id):
        raise BadRequest(
            f'"client_id" must be 1 to {MAX_CLIENT_ID} letters, digits or the characters _ . : -'
        )
    event_id = f"{customer_id}:{client_id}" if client_id is not None else None
    return InboundEvent.typed(
        CHANNEL, customer_id, text=text, postback=postback, title=title, event_id=event_id
    )
