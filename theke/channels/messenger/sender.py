"""Sends content to a Messenger customer through the Send API, within the policy's yes.

Each content is rendered into Send API bodies and posted in order to
``/{page_id}/messages``; the policy's ``Allow`` gives the ``messaging_type`` and the
message tag (``HUMAN_AGENT``, ``POST_PURCHASE_UPDATE``) or the customer's opt-in token.
Every message carries ``metadata`` ``theke:<outbox id>``, so its echo is recognised as
ours. If one call of several fails, the outbox retries the whole content: the parts before
the failure can arrive twice (the Send API takes no idempotency key).
"""

from __future__ import annotations

from typing import Any

import structlog

from theke.channels._outgoing import payload_keys
from theke.channels.base import InboundEvent
from theke.channels.graph import GraphSender
from theke.channels.messenger.errors import delivery_error
from theke.content import Content
from theke.errors import DeliveryError
from theke.outreach.policy import SEND, Allow

__all__ = ["MessengerSender", "metadata_for"]

_PAYLOAD_MAX = 1000  # characters of a postback or quick-reply payload

_log = structlog.get_logger("theke.channels.messenger")


def metadata_for(outbox_id: int) -> str:
    """What our messages carry, so their echoes are known as ours."""
    return f"theke:{outbox_id}"


class MessengerSender(GraphSender):
    """The ``messenger`` channel's sender, for one Page."""

    channel = "messenger"
    delivery_error = staticmethod(delivery_error)

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None:
        from theke.channels.messenger.render import render

        payload_id = await payload_keys(self._db, content, lambda p: len(p) > _PAYLOAD_MAX)
        bodies = render(content, recipient, public_url=self._public_url, payload_id=payload_id)
        for body in bodies:
            await self._post(recipient, _addressed(body, recipient, allow, outbox_id))

    async def acknowledge(self, event: InboundEvent) -> None:
        """Show the customer their message was seen and an answer is being typed."""
        for action in ("mark_seen", "typing_on"):
            body = {"recipient": {"id": event.sender}, "sender_action": action}
            try:
                await self._post(event.sender, body)
            except DeliveryError as exc:  # only a courtesy: the answer goes out anyway
                _log.info("theke.channels.messenger.not_acknowledged", error=exc.code)
                return

    async def locate(self, attachment: dict[str, Any]) -> tuple[str, dict[str, str]]:
        """Where a customer's attachment can be fetched: its CDN link, no token needed."""
        return str(attachment.get("url") or ""), {}


def _addressed(body: dict[str, Any], psid: str, allow: Allow, outbox_id: int) -> dict[str, Any]:
    """A rendered body with its recipient, messaging type, tag and metadata."""
    if "message" not in body:  # a sender action: typing
        return {"recipient": {"id": psid}, **body}
    recipient = (
        {"notification_messages_token": allow.optin_token}
        if allow.optin_token is not None
        else {"id": psid}
    )
    addressed: dict[str, Any] = {
        "recipient": recipient,
        "messaging_type": allow.messaging_type,
        "message": {**body["message"], "metadata": metadata_for(outbox_id)},
    }
    if allow.tag is not None:
        addressed["tag"] = allow.tag
    return addressed
