"""One turn in progress: the state being changed, the replies and events collected so far."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from theke.content import Content, QuickReplies, QuickReply, Text
from theke.content.model import Share
from theke.dialogue import templates
from theke.dialogue.actions import Subscription
from theke.dialogue.slots import display
from theke.dialogue.state import DialogueState
from theke.dialogue.texts import SYSTEM_KEYS, label, system_text
from theke.dialogue.turn import Event, OrderRequest

if TYPE_CHECKING:
    from theke.bot import Bot
    from theke.dialogue.catalog import CatalogIndex

__all__ = ["TurnContext", "variant_index"]


def variant_index(conversation_key: str, turns: int, count: int, salt: int = 0) -> int:
    """Which of ``count`` variants to send: stable across processes and runs."""
    if count <= 1:
        return 0
    seed = f"{conversation_key}\x1f{turns}" + (f"\x1f{salt}" if salt else "")
    digest = hashlib.sha256(seed.encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


@dataclass
class TurnContext:
    """Everything one call of :meth:`Engine.handle` works on; never shared between turns."""

    bot: Bot
    state: DialogueState
    language: str
    conversation_key: str
    now: datetime
    customer: dict[str, Any] = field(default_factory=dict)
    replies: list[Content] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    subscriptions: list[Subscription] = field(default_factory=list)
    handoff: bool = False
    handoff_reason: str | None = None  # why: "request", "flow", "frustration", ...
    announce_handoff: str | None = None  # the engine's text announcing it, at the turn's end
    opt_out: bool = False
    opt_in: bool = False
    order: OrderRequest | None = None
    profile_changed: bool = False
    returning: bool = False
    answered: bool = False  # whether something other than a fallback answered the input
    catalog: CatalogIndex | None = None
    faq: tuple[str, tuple[Any, ...]] | None = None  # this turn's FAQ search: (text, matches)
    unavailable_payments: frozenset[str] = frozenset()  # offered, but not set up here
    last_offer: str | None = None  # what the previous turn's buttons offered: valid for this input

    @property
    def address(self) -> Literal["du", "Sie"]:
        return self.bot.config.address

    @property
    def channel(self) -> str:
        """The channel of the conversation ("webchat", "messenger", ...)."""
        return self.conversation_key.partition(":")[0]

    def event(self, kind: str, **data: Any) -> None:
        self.events.append((kind, data))

    def set_state(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def set_slots(self, values: Mapping[str, Any]) -> None:
        self.state = replace(self.state, slots={**self.state.slots, **values})

    def say(self, key: str) -> None:
        """Send the response ``key``: the owner's, else the engine's own text of that name."""
        if key in self.bot.responses.keys(self.language):
            variants = self.bot.responses.get(key, self.language)
            salt = len(self.replies)
            index = variant_index(self.conversation_key, self.state.turns, len(variants), salt)
            self.event("response", key=key, variant=index, language=self.language)
            self.send(variants[index])
        elif key in SYSTEM_KEYS:
            self.system(key)
        else:  # the loader checked every key; a reload may have removed one since
            self.event("response.missing", key=key)

    def system(self, key: str, replies: Sequence[tuple[str, str]] = (), **values: str) -> None:
        """The engine's own text ``key``, unless the owner wrote a response of that name."""
        if key in self.bot.responses.keys(self.language) and not values:
            self.say(key)  # the owner's words, with the engine's buttons (a checkout needs them)
            self.offer(
                [
                    QuickReply(title=label(title, self.language, self.address)[:20], payload=to)
                    for title, to in replies
                ]
            )
            return
        self.event("response", key=key, builtin=True, language=self.language)
        # Never rendered as a template: values may hold what a customer typed (an address).
        self.send(system_text(key, self.language, self.address, replies, **values), render=False)

    def send(self, messages: Sequence[Content], *, render: bool = True) -> None:
        """Send content; ``render=False`` for text that is not the owner's (product texts)."""
        if not render:
            self.replies.extend(messages)
            return
        variables = self.variables()
        self.replies.extend(templates.render(message, variables) for message in messages)

    def offer(self, replies: Sequence[QuickReply], *, share: Share | None = None) -> None:
        """Attach quick replies to the last message (a text becomes a question with them);
        ``share``: also the platform's own button that sends the customer's number or
        e-mail address from their profile."""
        if not replies and share is None:
            return
        title = label("share_phone", self.language, self.address) if share == "phone" else None
        last = self.replies[-1] if self.replies else None
        if isinstance(last, Text):
            offered = tuple(replies)[:13]
            self.replies[-1] = QuickReplies(
                text=last.text, replies=offered, share=share, share_title=title
            )
        elif isinstance(last, QuickReplies):
            merged = (*replies, *last.replies)
            unique = tuple({reply.payload: reply for reply in merged}.values())[:13]
            self.replies[-1] = QuickReplies(
                text=last.text,
                replies=unique,
                share=share or last.share,
                share_title=title or last.share_title,
            )

    def variables(self) -> dict[str, Any]:
        """What templates and conditions read: slots by name, ``customer``, ``bot``."""
        config = self.bot.config
        slots = self.bot.flows.slots
        shown = {
            name: Shown(display(slots.get(name), value, self.language), bool(value))
            for name, value in self.state.slots.items()
        }
        return {
            **shown,
            "slots": dict(self.state.slots),
            "results": self.state.slots.get("results"),
            "customer": dict(self.customer),
            "bot": {"name": config.name, "persona": config.persona or config.name},
            "language": self.language,
        }

    def raw_variables(self) -> dict[str, Any]:
        """For conditions: slot values as stored (numbers stay numbers)."""
        return {**self.variables(), **self.state.slots}

    def hand_over(self, reason: str, *, say: str | None = "handoff") -> None:
        """Give the conversation to a person at the end of this turn; ``say`` is the
        engine's text that announces it (``None``: the flow announced it itself). Outside
        the shop's business hours the engine says something else (``handover.settle``)."""
        self.handoff = True
        self.handoff_reason = reason
        self.announce_handoff = say

    def remember(self, key: str, value: Any) -> None:
        if self.customer.get(key) != value:
            self.customer[key] = value
            self.profile_changed = True


class Shown(str):
    """A slot as the customer reads it ("nein", "bis 100 €") that is as true as its value,
    so ``{% if gift %}`` in a template means what the owner expects."""

    _truth: bool

    def __new__(cls, text: str, truth: bool) -> Shown:
        shown = super().__new__(cls, text)
        shown._truth = truth
        return shown

    def __bool__(self) -> bool:
        return self._truth
