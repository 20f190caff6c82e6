"""Delivering to the web chat: the visitor's mailbox is our own table."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from theke.channels.base import LocalDelivery
from theke.store import webchat

__all__ = ["WebchatSender", "topic_for"]


def topic_for(customer_id: str) -> str:
    """The signal that wakes a visitor's open connections."""
    return f"webchat:{customer_id}"


class WebchatSender:
    """Puts messages into visitors' mailboxes, once per outbox row."""

    channel = "webchat"

    def deliver(self, conn: Connection, messages: Sequence[LocalDelivery]) -> None:
        webchat.deliver_many(
            conn,
            [
                (message.recipient, message.actor, message.content, message.outbox_id)
                for message in messages
            ],
        )

    def topics(self, recipient: str) -> list[str]:
        return [topic_for(recipient)]
