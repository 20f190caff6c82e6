"""A customer chatting with the demo shop's engine, without a database: what they see."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from theke.commerce import CatalogIndex
from theke.content import to_json
from theke.dialogue import Engine, Inbound
from theke.dialogue.turn import Turn


@dataclass
class Catalog:
    """The catalog snapshot the engine reads; tests change stock and prices through it."""

    index: CatalogIndex

    def stock(self, sku: str, size: str, stock: int) -> None:
        self.index = self.index.with_stock([(sku, size, stock)], self.index.seq + 1)

    def __call__(self) -> CatalogIndex:
        return self.index


@dataclass
class Chat:
    """One conversation: the engine's state and the customer's profile carried between turns."""

    engine: Engine
    key: str = "webchat:anna"
    state: dict[str, Any] = field(default_factory=lambda: {"language": "de", "introduced": True})
    customer: dict[str, Any] = field(default_factory=dict)
    last: Turn | None = None
    now: datetime | None = None  # the clock of the next turns (None: the real one)

    def say(self, text: str) -> list[dict[str, Any]]:
        return self._turn(Inbound(text=text))

    def tap(self, payload: str) -> list[dict[str, Any]]:
        return self._turn(Inbound(postback=payload))

    def _turn(self, inbound: Inbound) -> list[dict[str, Any]]:
        turn = self.engine.handle(
            self.state, inbound, conversation_key=self.key, customer=self.customer, now=self.now
        )
        self.state, self.last = turn.state, turn
        if turn.profile is not None:
            self.customer = turn.profile
        return [to_json(reply) for reply in turn.replies]

    @property
    def cart(self) -> list[dict[str, Any]]:
        return list(self.state.get("cart") or [])


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(str(reply.get("text", "")) for reply in replies)


def buttons(replies: list[dict[str, Any]]) -> dict[str, str]:
    """Every button and quick reply shown: title → payload (or URL)."""
    found: dict[str, str] = {}
    for reply in replies:
        for item in [reply, *reply.get("cards", ())]:
            for button in [*item.get("replies", ()), *item.get("buttons", ())]:
                found.setdefault(button["title"], button.get("payload") or button.get("url", ""))
    return found
