"""The messaging policy: every outbound message passes ``decide`` before it leaves.

This module holds the rules that hold for every channel and for the web chat
and the terminal; the platform connectors add their own (24-hour windows,
message tags, templates) beside these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "REMINDER_WINDOW",
    "Allow",
    "Decision",
    "Hold",
    "OutboundMessage",
    "PolicyContext",
    "decide",
]

Actor = Literal["bot", "agent", "system"]


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    channel: str
    actor: Actor
    is_reply: bool  # answers something the customer just did
    purpose: str | None = None  # why a message that answers nothing goes out: "reminder"


@dataclass(frozen=True, slots=True)
class PolicyContext:
    now: datetime
    mode: str  # "bot" or "human"
    last_inbound_at: datetime | None
    opted_out: bool = False


@dataclass(frozen=True, slots=True)
class Allow:
    pass


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str


Decision = Allow | Hold

_ALLOW = Allow()

REMINDER_WINDOW = timedelta(hours=24)
"""A reminder of an unfinished flow goes out only this soon after the customer's last message
(Messenger's and WhatsApp's standard messaging window; the web chat keeps the same rule)."""


def decide(message: OutboundMessage, context: PolicyContext) -> Decision:
    """Allow the message, or hold it back with a reason an operator can read."""
    if message.actor == "bot" and context.mode == "human":
        return Hold("human_mode")
    if not message.is_reply and context.opted_out:
        return Hold("opted_out")
    if not message.is_reply and message.actor == "bot":
        if message.purpose == "reminder":
            return _reminder(context)
        return Hold("no_consent")
    return _ALLOW


def _reminder(context: PolicyContext) -> Decision:
    """One nudge in a conversation the customer is in the middle of, inside the window."""
    last = context.last_inbound_at
    if last is None or context.now - last > REMINDER_WINDOW:
        return Hold("outside_window")
    return _ALLOW
