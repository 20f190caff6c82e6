"""When the bot hands a conversation to a person on its own, and what it says then.

- **Frustration** (``theke.dialogue.frustration``): a frustrated phrase or a shouted
  message hands over at once, with an apology. Shouting is not counted while the bot
  waits for a typed answer (an address in capitals is no anger). Runs of "?!" count only
  when the bot did not understand the message either (``frustrated_miss``).
- **Misunderstandings**: the second miss in a row offers a person (``replies.fallback``);
  the third hands over (``handover: misses:`` in theke.yml, 3 by default; 0: never).
- **Business hours** (``business_hours:`` in theke.yml): a hand-over while the shop is
  closed says when the team answers instead of the usual announcement. Without an
  e-mail address or phone number in the customer's profile it asks for one; the
  conversation waits in the inbox all the same (a customer who never answers is not
  lost), and a contact that comes is remembered (``note_contact``, from the turn runner).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from theke.bot.hours import BusinessHours
from theke.dialogue import checkout, runner
from theke.dialogue.context import TurnContext
from theke.dialogue.frustration import frustration
from theke.nlu.entities.contact import extract_contacts
from theke.nlu.entities.context import ExtractContext
from theke.store.customers import contact_of

__all__ = [
    "AWAITING_CONTACT",
    "frustrated",
    "frustrated_miss",
    "note_contact",
    "settle",
]

AWAITING_CONTACT = "awaiting_contact"  # in the profile: asked for a contact, none came yet
_SOON = {"de": "so bald wie möglich", "en": "as soon as possible"}


def frustrated(ctx: TurnContext, text: str) -> bool:
    """Hand over when ``text`` reads as frustrated (a phrase, or shouting while no typed
    answer is awaited); whether it did."""
    found = frustration(text) if ctx.bot.config.handover.frustration else None
    if found is None or found.reason == "punctuation":
        return False
    if found.reason == "shouting" and (
        runner.waiting(ctx) is not None or checkout.waiting(ctx) is not None
    ):
        return False
    _frustration(ctx, found.reason)
    return True


def frustrated_miss(ctx: TurnContext, text: str) -> bool:
    """For a message the bot did not understand: hand over when it also shows any sign of
    frustration ("???", "!!!" included); whether it did."""
    found = frustration(text) if ctx.bot.config.handover.frustration else None
    if found is None:
        return False
    _frustration(ctx, found.reason)
    return True


def _frustration(ctx: TurnContext, reason: str) -> None:
    ctx.event("handoff.frustration", reason=reason)  # never the words: they are the customer's
    ctx.set_state(stack=(), offer=None)
    ctx.answered = True
    ctx.hand_over("frustration", say="handoff_frustrated")


def settle(ctx: TurnContext, hours: BusinessHours | None) -> None:
    """At the end of a turn that hands over: announce it; while the shop is closed, say
    when the team answers instead, and ask for an e-mail or phone number when none is
    known (the answer waits in the inbox with the conversation; ``note_contact``
    remembers it)."""
    if not ctx.handoff:
        return
    if hours is None or hours.is_open(ctx.now):
        if ctx.announce_handoff is not None:
            ctx.system(ctx.announce_handoff)
        return
    when = _when(ctx, hours)
    ctx.event("handoff.after_hours", reason=ctx.handoff_reason)
    if any(contact_of(ctx.customer)):  # an e-mail address or a phone number
        ctx.system("closed_handoff", when=when)
        return
    ctx.system("closed_ask_contact", when=when)
    ctx.remember(AWAITING_CONTACT, ctx.now.isoformat())


def note_contact(profile: dict[str, Any], text: str | None, now: datetime) -> bool:
    """While a person has the conversation the bot says nothing, but a contact the
    customer sends after being asked for one is remembered (``email``, ``phone``);
    whether the profile changed."""
    if not text or AWAITING_CONTACT not in profile:
        return False
    found = extract_contacts(text, ExtractContext(now=now))
    for entity in found:
        profile[entity.entity] = entity.value
    if found:
        profile.pop(AWAITING_CONTACT, None)
    return bool(found)


def _when(ctx: TurnContext, hours: BusinessHours) -> str:
    said = hours.describe_next(ctx.now, ctx.language)
    return said if said is not None else _SOON.get(ctx.language[:2], _SOON["en"])
