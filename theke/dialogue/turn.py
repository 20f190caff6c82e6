"""What goes into the engine (one customer input) and what comes out (one turn)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from theke.content import Content

if TYPE_CHECKING:
    from theke.dialogue.actions import Subscription

__all__ = ["Event", "Inbound", "OrderRequest", "Reminder", "Turn"]

Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One customer input: typed ``text``, the ``postback`` payload of a tapped button,
    the ``referral`` parameter of a link or ad that opened the chat, or an ``event``.

    When a channel delivers both (a quick reply carries its title and its
    payload), the postback decides.
    """

    text: str | None = None
    postback: str | None = None
    referral: str | None = None
    event: str | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """Remind the customer at ``at`` if the flow run ``started`` still waits for them."""

    at: datetime
    started: int


@dataclass(frozen=True, slots=True)
class OrderRequest:
    """The customer tapped the order button under a checkout summary: place this order.

    ``key`` names the checkout (a second tap finds the order of the first);
    ``fingerprint`` is what the summary showed (lines, prices, total): the
    order is placed only at exactly that.
    """

    key: str
    lines: tuple[tuple[str, str, int], ...]  # (sku, size, quantity)
    fulfilment: str  # "delivery" or "pickup"
    payment: str  # "stripe", "invoice" or "prepayment"
    language: str
    fingerprint: str
    address: dict[str, Any] | None = None
    store: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """The engine's answer to one input.

    ``state`` is the conversation's new JSON-serialisable state; ``replies``
    are sent in order; ``events`` go to the event log and never carry what
    the customer wrote. ``handoff`` hands the conversation to a human;
    ``profile`` is the customer's changed profile (``None``: unchanged);
    ``subscriptions`` are opt-ins to store; ``reminder`` is one to schedule;
    ``order`` is an order to place; ``opt_out`` withdraws the customer's opt-ins and
    stops every message the shop would start on its own (the ``STOP`` payload);
    ``opt_in`` (``START``) allows them again.
    """

    state: dict[str, Any]
    replies: tuple[Content, ...]
    events: tuple[Event, ...]
    handoff: bool = False
    handoff_reason: str | None = None  # "request", "flow", "frustration", "misunderstood", ...
    profile: dict[str, Any] | None = None
    subscriptions: tuple[Subscription, ...] = ()
    reminder: Reminder | None = None
    opt_out: bool = False  # STOP: every opt-in of the customer is withdrawn
    opt_in: bool = False  # START: the shop may write on its own again (within the rules)
    order: OrderRequest | None = None  # the order to place in the turn's transaction
