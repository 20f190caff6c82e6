"""The messaging policy: every outbound message passes ``decide`` before it leaves.

Rules for every channel:

- the bot starts nothing while a person has the conversation (``human_mode``); its
  answers to what the customer wrote before (the hand-over's own announcement among
  them) still go out;
- nothing goes to a customer who blocked us or whom the platform reports unreachable
  (``unreachable``), and never a first message to someone who never wrote (``never_wrote``);
- a message the bot or the shop's system starts on its own (not a person's) needs a
  reason the customer agreed to: a reminder of a flow they are in the middle of, an
  update on their order, or something they subscribed to (``no_consent``); after STOP
  only replies go out (``opted_out``);
- a reminder only within 24 hours of the customer's last message (``outside_window``).

Windows count from the time we received the customer's last message, not from the
platform's timestamp. On top of these, each platform's own rules:

- **Messenger**: within 24 hours anything goes (``RESPONSE`` for a reply, ``UPDATE``
  otherwise). After that only with a message tag — ``HUMAN_AGENT`` for a person's reply
  within 7 days, ``POST_PURCHASE_UPDATE`` for an order update (non-promotional) — or
  with the marketing-messages token the customer granted for the topic (Meta's
  ``notification_messages`` opt-in; the older one-time notification is retired).
- **WhatsApp**: free-form only within 24 hours; after that only an approved template.
- **Telegram**: only to customers who started the bot and did not block it — both
  already covered by ``never_wrote`` and ``unreachable``.
- the web chat and the terminal: the common rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

__all__ = [
    "HUMAN_AGENT_WINDOW",
    "REMINDER_WINDOW",
    "SEND",
    "STANDARD_WINDOW",
    "Allow",
    "Decision",
    "Hold",
    "OutboundMessage",
    "PolicyContext",
    "decide",
]

Actor = Literal["bot", "agent", "system"]
MessagingType = Literal["RESPONSE", "UPDATE", "MESSAGE_TAG"]

STANDARD_WINDOW = timedelta(hours=24)
"""Messenger's and WhatsApp's standard messaging window after the customer's last message."""
HUMAN_AGENT_WINDOW = timedelta(days=7)
"""How long Messenger's ``HUMAN_AGENT`` tag lets a person answer."""
REMINDER_WINDOW = STANDARD_WINDOW
"""A reminder of an unfinished flow goes out only this soon after the customer's last message
(the web chat keeps the same rule)."""

_PURPOSES = frozenset({"reminder", "order_update", "back_in_stock"})
"""Why the bot may start a message: each one something the customer asked for or is in."""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    channel: str
    actor: Actor
    is_reply: bool  # answers something the customer just did
    purpose: str | None = None  # why a message that answers nothing goes out
    template: bool = False  # an approved WhatsApp template


@dataclass(frozen=True, slots=True)
class PolicyContext:
    now: datetime
    mode: str  # "bot" or "human"
    last_inbound_at: datetime | None  # when we received the customer's last message
    opted_out: bool = False
    reachable: bool = True  # False after the customer blocked us or the platform said so
    optin_token: str | None = None  # Messenger: a marketing-messages token for the topic


@dataclass(frozen=True, slots=True)
class Allow:
    """Send it; on Messenger with this ``messaging_type`` and ``tag`` (or opt-in token).

    ``template`` (WhatsApp, outside the window): the approved template message to send
    in place of the content, filled in by the caller.
    """

    messaging_type: MessagingType = "RESPONSE"
    tag: str | None = None
    optin_token: str | None = None
    template: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    reason: str


Decision = Allow | Hold

SEND = Allow()
"""The plain yes: a reply within the window."""
_REPLY = SEND
_UPDATE = Allow(messaging_type="UPDATE")


def decide(message: OutboundMessage, context: PolicyContext) -> Decision:
    """Allow the message (saying how to send it), or hold it back with a reason."""
    if message.actor == "bot" and context.mode == "human" and not message.is_reply:
        return Hold("human_mode")
    if not context.reachable:
        return Hold("unreachable")
    last = context.last_inbound_at
    if last is None:
        return Hold("never_wrote")
    if not message.is_reply:
        if context.opted_out:
            return Hold("opted_out")
        if message.actor != "agent" and message.purpose not in _PURPOSES:
            return Hold("no_consent")
        if message.purpose == "reminder" and context.now - last > REMINDER_WINDOW:
            return Hold("outside_window")
    since = context.now - last
    if message.channel == "messenger":
        return _messenger(message, context, since)
    if message.channel == "whatsapp":
        within = since <= STANDARD_WINDOW
        return _REPLY if within or message.template else Hold("needs_template")
    return _REPLY


def _messenger(message: OutboundMessage, context: PolicyContext, since: timedelta) -> Decision:
    if since <= STANDARD_WINDOW:
        return _REPLY if message.is_reply else _UPDATE
    if message.actor == "agent":
        if since <= HUMAN_AGENT_WINDOW:
            return Allow(messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT")
        return Hold("outside_window")
    if message.purpose == "order_update":
        return Allow(messaging_type="MESSAGE_TAG", tag="POST_PURCHASE_UPDATE")
    if message.purpose == "back_in_stock" and context.optin_token is not None:
        return Allow(messaging_type="UPDATE", optin_token=context.optin_token)
    return Hold("outside_window")
