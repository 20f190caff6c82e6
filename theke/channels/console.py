"""The terminal channel: ``theke chat`` talks to a bot through the real pipeline."""

from __future__ import annotations

from collections.abc import Callable

from theke.channels.base import InboundEvent
from theke.content import Content
from theke.outreach.policy import SEND, Allow

__all__ = ["CHANNEL", "ConsoleSender", "console_event"]

CHANNEL = "console"


class ConsoleSender:
    """Hands every delivered message to a callback (which prints it)."""

    channel = CHANNEL

    def __init__(self, show: Callable[[str, Content], None]) -> None:
        self._show = show

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None:
        self._show(recipient, content)


def console_event(
    customer: str, *, text: str | None = None, postback: str | None = None
) -> InboundEvent:
    """One line typed in the terminal, as an inbound event with a fresh id."""
    return InboundEvent.typed(CHANNEL, customer, text=text, postback=postback)
