"""Sends content to a WhatsApp customer through the Cloud API.

Each content is rendered into message bodies and posted in order to
``/{phone_number_id}/messages``. Reply-button ids longer than 256 characters and list-row
ids longer than 200 are stored under a short key first (the webhook turns it back). If one
call of several fails, the outbox retries the whole content: the parts before the failure
can arrive twice (the Cloud API takes no idempotency key).
"""

from __future__ import annotations

from typing import Any

import structlog

from theke.channels._outgoing import payload_keys
from theke.channels.base import InboundEvent
from theke.channels.graph import GraphError, GraphSender, HttpFailed
from theke.channels.media import MediaRefused
from theke.channels.whatsapp.errors import delivery_error
from theke.content import Content
from theke.errors import DeliveryError
from theke.outreach.policy import SEND, Allow

__all__ = ["WhatsAppSender"]

_ID_MAX = 200  # the shorter of a reply button's (256) and a list row's (200) id limits

_log = structlog.get_logger("theke.channels.whatsapp")


class WhatsAppSender(GraphSender):
    """The ``whatsapp`` channel's sender, for one business phone number."""

    channel = "whatsapp"
    delivery_error = staticmethod(delivery_error)

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None:
        from theke.channels.whatsapp.render import render

        if allow.template is not None:  # outside the window: the approved template instead
            bodies: list[dict[str, Any]] = [dict(allow.template)]
        else:
            payload_id = await payload_keys(self._db, content, lambda p: len(p) > _ID_MAX)
            bodies = render(content, recipient, public_url=self._public_url, payload_id=payload_id)
        for body in bodies:
            await self._post(
                recipient,
                {"messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient}
                | body,
            )

    async def acknowledge(self, event: InboundEvent) -> None:
        """Mark the customer's message read and show that an answer is being typed."""
        body = {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": event.event_id,
            "typing_indicator": {"type": "text"},
        }
        try:
            await self._post(event.sender, body)
        except DeliveryError as exc:  # only a courtesy: the answer goes out anyway
            _log.info("theke.channels.whatsapp.not_acknowledged", error=exc.code)

    async def locate(self, attachment: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """Where a customer's media can be fetched: the Cloud API hands out a short-lived
        link for its id, which is downloaded with our token."""
        media_id = str(attachment.get("media_id") or "")
        try:
            info = await self._client.get(media_id)
        except GraphError as exc:  # a rate limit or a hiccup: tried again; a gone id: not
            message = f"whatsapp media {media_id}: {exc}"
            if delivery_error(exc).permanent:
                raise MediaRefused("http_error", message) from exc
            raise MediaRefused("network", message) from exc
        except HttpFailed as exc:
            raise MediaRefused("network", f"whatsapp media {media_id}: {exc}") from exc
        return str(info.get("url") or ""), self._client.headers
