"""When the bot hands a conversation to a person on its own, and what it says then.

- **Frustration** (``theke.dialogue.frustration``): a frustrated phrase or a shouted
  message hands over at once, with an apology. Shouting is not counted while the bot
  waits for a typed answer (an address in capitals is no anger). Runs of "?!" count only
  when the bot did not understand the message either (``frustrated_miss``).
- **Misunderstandings**: the second miss in a row offers a person (``replies.fallback``);
  the third hands over (``handover: misses:`` in theke.yml, 3 by default; 0: never).
- **Business hours** (``business_hours:`` in theke.yml): a hand-over while the shop is
  closed says when the team answers. Without an e-mail address or phone number in the
  customer's profile the bot first asks for one (``CONTACT_OFFER``); the customer's next
  message, a contact or not, completes the hand-over, and a contact is remembered.
"""

from __future__ import annotations

from theke.bot.hours import BusinessHours
from theke.dialogue import checkout, runner
from theke.dialogue.context import TurnContext
from theke.dialogue.frustration import frustration
from theke.nlu.entities.contact import extract_contacts
from theke.nlu.entities.context import ExtractContext

__all__ = [
    "AFTER_HOURS",
    "CONTACT_OFFER",
    "frustrated",
    "frustrated_miss",
    "settle",
    "take_contact",
]

AFTER_HOURS = "after_hours"
CONTACT_OFFER = "contact"
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
    """At the end of a turn that hands over: announce it, or, while the shop is closed,
    say when the team answers and (without a known contact) ask for one first."""
    if not ctx.handoff or ctx.handoff_reason == AFTER_HOURS:  # the contact step said it
        return
    if hours is None or hours.is_open(ctx.now):
        if ctx.announce_handoff is not None:
            ctx.system(ctx.announce_handoff)
        return
    when = _when(ctx, hours)
    ctx.event("handoff.after_hours", reason=ctx.handoff_reason)
    if _known_contact(ctx) is not None:
        ctx.system("closed_handoff", when=when)
        return
    ctx.handoff = False
    ctx.system("closed_ask_contact", when=when)
    ctx.set_state(offer=CONTACT_OFFER)


def take_contact(ctx: TurnContext, text: str, hours: BusinessHours | None) -> None:
    """The answer to "how can we reach you?": remember an e-mail or phone number in it,
    thank the customer, and hand over (the message is the agent's to read either way)."""
    found = extract_contacts(text, ExtractContext(now=ctx.now, language=ctx.language))
    when = _when(ctx, hours) if hours is not None else _SOON.get(ctx.language[:2], _SOON["en"])
    ctx.answered = True
    if found:
        for entity in found:
            ctx.remember(entity.entity, entity.value)
        ctx.event("handoff.contact", kinds=sorted({entity.entity for entity in found}))
        ctx.system("contact_noted", when=when, contact=found[0].value)
    else:
        ctx.system("contact_here", when=when)
    ctx.hand_over(AFTER_HOURS, say=None)


def _when(ctx: TurnContext, hours: BusinessHours) -> str:
    said = hours.describe_next(ctx.now, ctx.language)
    return said if said is not None else _SOON.get(ctx.language[:2], _SOON["en"])


def _known_contact(ctx: TurnContext) -> str | None:
    """An e-mail address or phone number the customer gave (at checkout, or to a flow
    that remembers it)."""
    remembered = ctx.customer.get("remembered")
    places = [ctx.customer, remembered if isinstance(remembered, dict) else {}]
    for place in places:
        for key in ("email", "phone"):
            value = place.get(key)
            if isinstance(value, str) and value:
                return value
    return None
