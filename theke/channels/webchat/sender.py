"""Delivering to the web chat: the visitor's mailbox is our own table."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from theke.store import webchat
from theke.store.schema import utcnow

__all__ = ["WebchatSender", "topic_for"]


def topic_for(customer_id: str) -> str:
    """The signal that wakes a visitor's open connections."""
    return f"webchat:{customer_id}"


class WebchatSender:
    """Puts messages into the visitor's mailbox, once per outbox row."""

    channel = "webchat"

    async def deliver(
        self, conn: AsyncConnection, recipient: str, content: dict[str, Any], *, outbox_id: int
    ) -> None:
        await webchat.put(
            conn,
            customer_id=recipient,
            sender="bot",
            content=content,
            created_at=utcnow(),
            outbox_id=outbox_id,
        )

    def topics(self, recipient: str) -> list[str]:
        return [topic_for(recipient)]
