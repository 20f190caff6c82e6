"""The dialogue's part of a conversation's stored state, typed.

Stored as JSON in the conversation row; ``DialogueState.load`` accepts
whatever an older version or a hand-edited row left there, and drops what
it cannot read instead of failing the conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["CartLine", "DialogueState", "Frame"]

_MAX_TRAIL = 50
_MAX_CART = 20


@dataclass(frozen=True, slots=True)
class Frame:
    """A running flow: where it is (``pc``) and whether it waits for an answer.

    ``trail`` holds the questions answered so far, for "zurück"; ``started``
    is the turn the flow began in and names this run of it (a reminder is
    sent at most once per run).
    """

    flow: str
    pc: int = 0
    asked: bool = False
    attempts: int = 0
    trail: tuple[int, ...] = ()
    started: int = 0
    fingerprint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "pc": self.pc,
            "asked": self.asked,
            "attempts": self.attempts,
            "trail": list(self.trail[-_MAX_TRAIL:]),
            "started": self.started,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def load(cls, data: object) -> Frame | None:
        if not isinstance(data, dict) or not isinstance(data.get("flow"), str):
            return None
        trail = data.get("trail")
        return cls(
            flow=data["flow"],
            pc=_count(data.get("pc")),
            asked=data.get("asked") is True,
            attempts=_count(data.get("attempts")),
            trail=tuple(_count(pc) for pc in trail) if isinstance(trail, list) else (),
            started=_count(data.get("started")),
            fingerprint=str(data.get("fingerprint") or ""),
        )


@dataclass(frozen=True, slots=True)
class CartLine:
    """Pairs of one size of one product in the customer's cart."""

    sku: str
    size: str
    quantity: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "size": self.size, "quantity": self.quantity}

    @classmethod
    def load(cls, data: object) -> CartLine | None:
        if not isinstance(data, dict):
            return None
        sku, size, quantity = data.get("sku"), data.get("size"), data.get("quantity", 1)
        if not isinstance(sku, str) or not isinstance(size, str) or not sku or not size:
            return None
        if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity < 100:
            return None
        return cls(sku, size, quantity)


@dataclass(frozen=True, slots=True)
class DialogueState:
    """Language, turn count, the flow stack, the slots and the engine's pending offers."""

    language: str | None = None
    turns: int = 0
    introduced: bool = False
    stack: tuple[Frame, ...] = ()
    slots: Mapping[str, Any] = field(default_factory=dict)
    misses: int = 0
    offer: str | None = None  # "resume", "human" or "guess": what the last quick replies offered
    reminded: int | None = None  # the ``started`` of the flow run a reminder went out for
    last_at: str | None = None  # ISO time of the last customer input
    done: str | None = None  # the flow completed last: "in Schwarz" refines its answer
    cart: tuple[CartLine, ...] = ()
    checkout: Mapping[str, Any] | None = None  # the checkout in progress (theke.dialogue.checkout)

    @property
    def frame(self) -> Frame | None:
        return self.stack[-1] if self.stack else None

    def with_frame(self, frame: Frame) -> DialogueState:
        return replace(self, stack=(*self.stack[:-1], frame))

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "turns": self.turns,
            "introduced": self.introduced,
            "stack": [frame.to_json() for frame in self.stack],
            "slots": dict(self.slots),
            "misses": self.misses,
            "offer": self.offer,
            "reminded": self.reminded,
            "last_at": self.last_at,
            "done": self.done,
            "cart": [line.to_json() for line in self.cart],
            "checkout": dict(self.checkout) if self.checkout is not None else None,
        }

    @classmethod
    def load(cls, data: Mapping[str, Any]) -> DialogueState:
        stack = data.get("stack")
        frames = [Frame.load(item) for item in stack] if isinstance(stack, list) else []
        slots = data.get("slots")
        language = data.get("language")
        offer = data.get("offer")
        reminded = data.get("reminded")
        last_at = data.get("last_at")
        done = data.get("done")
        cart = data.get("cart")
        lines = [CartLine.load(item) for item in cart] if isinstance(cart, list) else []
        checkout = data.get("checkout")
        return cls(
            language=language if isinstance(language, str) else None,
            turns=_count(data.get("turns")),
            introduced=data.get("introduced") is True,
            stack=tuple(frame for frame in frames if frame is not None),
            slots=dict(slots) if isinstance(slots, dict) else {},
            misses=_count(data.get("misses")),
            offer=offer if isinstance(offer, str) else None,
            reminded=reminded if isinstance(reminded, int) else None,
            last_at=last_at if isinstance(last_at, str) else None,
            done=done if isinstance(done, str) else None,
            cart=tuple(line for line in lines if line is not None)[:_MAX_CART],
            checkout=dict(checkout) if isinstance(checkout, dict) else None,
        )


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return 0
    return value
