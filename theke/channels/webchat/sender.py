"""Delivering to the web chat: the visitor's mailbox is our own table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from theke.channels.base import LocalDelivery
from theke.channels.webchat.live import LiveTail
from theke.channels.webchat.message import WebchatMessage
from theke.store import webchat
from theke.store.signals import LocalSignals

__all__ = ["WebchatSender", "topic_for"]


def topic_for(customer_id: str) -> str:
    """The signal that wakes a visitor's open connections."""
    return f"webchat:{customer_id}"


class WebchatSender:
    """Puts messages into visitors' mailboxes, once per outbox row, and wakes their sockets."""

    channel = "webchat"

    def __init__(self, signals: LocalSignals, live: LiveTail) -> None:
        self._signals = signals
        self._live = live

    def deliver(self, conn: Connection, messages: Sequence[LocalDelivery]) -> Sequence[Any]:
        return webchat.deliver_many(
            conn,
            [
                (message.recipient, message.actor, message.content, message.outbox_id)
                for message in messages
            ],
        )

    async def delivered(self, written: Sequence[Any]) -> None:
        by_customer: dict[str, list[WebchatMessage]] = {}
        for customer_id, row in written:
            by_customer.setdefault(customer_id, []).append(WebchatMessage.from_row(row))
        for customer_id, messages in by_customer.items():
            self._live.add(customer_id, messages)
        if by_customer:
            await self._signals.publish(*(topic_for(customer) for customer in by_customer))
