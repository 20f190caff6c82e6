"""The engine: one customer input in, the bot's replies and the new state out.

Order of precedence for typed text: the words that steer a running flow
("abbrechen", "zurück", "egal"), the owner's keywords (so STOP always
works), an answer to the open question, then the understood request: a
flow its intent starts, the FAQ entry that answers it, the response of its
intent — and otherwise the fallback, which offers the best guesses and, on
the second miss in a row, a human. A request answered in the middle of a
flow brings the customer back to the open question.

The engine does no I/O of its own (the catalog is an in-memory snapshot;
``actions.py`` functions may do what their author wants); one instance
serves every conversation from every thread.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from theke.bot import Bot
from theke.bot.loader import FAQ_PREFIX
from theke.dialogue import cart, checkout, handover, runner, suggest
from theke.dialogue.context import TurnContext, variant_index
from theke.dialogue.keywords import KeywordMatcher
from theke.dialogue.normalize import normalize
from theke.dialogue.payloads import handle_internal, unknown_postback
from theke.dialogue.replies import answer_entry, fallback, intro
from theke.dialogue.slots import Refused, yes_or_no
from theke.dialogue.state import DialogueState
from theke.dialogue.texts import CONTROL_WORDS
from theke.dialogue.turn import Inbound, Reminder, Turn
from theke.nlu.result import Parse

if TYPE_CHECKING:
    from theke.dialogue.catalog import CatalogIndex
    from theke.knowledge import KnowledgeBase, Match
    from theke.nlu.service import NluService

__all__ = ["Engine", "variant_index"]

MAX_TEXT = 5000
FAQ_LIMIT = 2  # the best match answers; the best two are the fallback's guesses
INTERRUPT = 0.98
"""How sure the NLU must be that a message in a flow asks for another flow instead."""
SWITCH_CONFIDENCE = 0.85
"""How sure the language detection must be to answer a known customer in another language."""
INTERNAL = "theke:"
OPT_OUT = "STOP"
OPT_IN = "START"
_UNREAD = {"attachment": "media_received", "unsupported": "unreadable"}
"""Events of messages without words (a picture, a sticker), and what the bot says to them
unless a flow is triggered by the event (``trigger: {event: attachment}``)."""
"""The payload (and the keyword rules that send it) with which a customer withdraws every
opt-in: back-in-stock wishes now, campaigns and order updates later."""
GREETING = "greet"
"""The intent after which a returning customer is reminded of what they looked at."""
OFFERS = {"resume": "theke:resume", "human": "theke:human"}
"""What a typed "ja" accepts, by the offer the last quick replies made."""


class Engine:
    """Answers customer inputs for one bot."""

    def __init__(
        self,
        bot: Bot,
        nlu: NluService | None = None,
        *,
        knowledge: KnowledgeBase | None = None,
        catalog: Callable[[], CatalogIndex | None] | None = None,
        unavailable_payments: Collection[str] = (),
    ) -> None:
        self._bot = bot
        self._unavailable_payments = frozenset(unavailable_payments)
        self._nlu = nlu
        self._knowledge = knowledge
        self._catalog = catalog or (lambda: None)
        self._keywords = KeywordMatcher(bot.config.keywords)
        self._languages = frozenset(bot.config.languages)
        self._controls = {
            action: frozenset(normalize(word) for words in by_language.values() for word in words)
            for action, by_language in CONTROL_WORDS.items()
        }

    @property
    def bot(self) -> Bot:
        """The bot this engine answers for."""
        return self._bot

    @property
    def unavailable_payments(self) -> frozenset[str]:
        """Payment methods ``theke.yml`` offers that this installation cannot take."""
        return self._unavailable_payments

    @property
    def nlu(self) -> NluService | None:
        return self._nlu

    @property
    def knowledge(self) -> KnowledgeBase | None:
        return self._knowledge

    def handle(
        self,
        state: Mapping[str, Any],
        inbound: Inbound,
        *,
        conversation_key: str,
        customer: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Turn:
        """Answer ``inbound`` in the conversation whose stored state is ``state``.

        ``customer`` is the customer's profile (memory across conversations);
        ``conversation_key`` with the turn count picks response variants, so
        the same conversation replayed gets the same answers.
        """
        now = now or datetime.now(UTC)
        loaded = DialogueState.load(state)
        ctx = self._context(loaded, conversation_key, customer, now)
        ctx.returning = _returning(loaded, now, self._bot.config.memory.return_after_minutes)
        ctx.last_offer = loaded.offer
        ctx.set_state(offer=None)  # an offer answers the very next input, never a later one
        self._route(ctx, inbound)
        if runner.stale(ctx):  # the flow was edited meanwhile: ask where it stands now
            runner.advance(ctx)
        return self._finish(ctx, state, loaded)

    def prime(self, texts: Sequence[str]) -> None:
        """Prepare for a batch of turns: the sentences they will parse, embedded at once."""
        if self._nlu is not None:
            self._nlu.prime([text[:MAX_TEXT] for text in texts if text.strip()])

    def remind(
        self,
        state: Mapping[str, Any],
        started: int,
        *,
        conversation_key: str,
        customer: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Turn | None:
        """The one reminder for the flow run ``started``, if it still waits for an answer.

        ``None`` when the customer answered, left the flow, was reminded of this
        run already, or wrote again less than the configured delay ago.
        """
        now = now or datetime.now(UTC)
        loaded = DialogueState.load(state)
        frame = loaded.frame
        delay = timedelta(minutes=self._bot.config.memory.reminder_minutes)
        quiet = _since(loaded, now)
        if frame is None or not frame.asked or frame.started != started:
            return None
        if loaded.reminded == started or quiet is None or quiet < delay or not delay:
            return None
        flow = self._bot.flows.flows.get(frame.flow)
        if flow is None:
            return None
        ctx = self._context(loaded, conversation_key, customer, now)
        if flow.reminder is not None:
            ctx.say(flow.reminder)
        else:
            ctx.system("reminder", flow=flow.title(ctx.language))
        ctx.event("flow.reminded", flow=flow.name)
        new_state = {**state, **replace(ctx.state, reminded=started).to_json()}
        return Turn(state=new_state, replies=tuple(ctx.replies), events=tuple(ctx.events))

    def _context(
        self,
        state: DialogueState,
        conversation_key: str,
        customer: Mapping[str, Any] | None,
        now: datetime,
    ) -> TurnContext:
        return TurnContext(
            bot=self._bot,
            state=state,
            language=self._language(state),
            conversation_key=conversation_key,
            now=now,
            customer=dict(customer or {}),
            catalog=self._catalog(),
            unavailable_payments=self._unavailable_payments,
        )

    # -- routing -------------------------------------------------------------------------

    def _route(self, ctx: TurnContext, inbound: Inbound) -> None:
        if inbound.postback is not None:
            self.postback(ctx, inbound.postback)
            return
        if inbound.event is not None or inbound.referral is not None:
            self._trigger(ctx, inbound)
            if not (inbound.text or "").strip():
                return  # a message that came with it is read next, as the first answer
        text = (inbound.text or "")[:MAX_TEXT]
        if not text.strip():
            self._empty(ctx)
            return
        match = self._keywords.match(text)
        if match is not None and match.postback == OPT_OUT and ctx.state.stack:
            runner.cancel(ctx, quiet=True)  # "stop" in a flow ends it, and unsubscribes too
        if (match is None or match.postback not in (OPT_OUT, OPT_IN)) and handover.frustrated(
            ctx, text
        ):
            return
        if self._shop(ctx, text):
            return
        if runner.waiting(ctx) is not None and self._steer(ctx, text):
            return
        if ctx.last_offer in OFFERS and self._reply_to_offer(ctx, text):
            return
        if self._keyword(ctx, text):
            return
        parse = self._parse(ctx, text)
        if runner.waiting(ctx) is not None:
            self._in_flow(ctx, parse, text)
            return
        if self.understand(ctx, parse, text):
            return
        done = self._bot.flows.flows.get(ctx.state.done or "")
        if done is not None and runner.refine(ctx, done, parse):
            ctx.answered = True
            return
        fallback(self, ctx, parse, text)

    def _trigger(self, ctx: TurnContext, inbound: Inbound) -> None:
        flows = self._bot.flows
        flow = flows.triggered("event", inbound.event) or flows.triggered(
            "referral", inbound.referral
        )
        if inbound.referral is not None:
            ctx.event("referral", ref=inbound.referral[:200])
        if flow is None:
            ctx.event("trigger.unmatched", event=inbound.event)
            if inbound.event in _UNREAD:  # no flow takes it: say so, never stay silent
                ctx.system(_UNREAD[inbound.event])
                open_question = runner.waiting(ctx)
                if open_question is not None:
                    runner.reask(ctx, *open_question)
            return
        runner.start(ctx, flow, None)
        ctx.answered = True

    def _empty(self, ctx: TurnContext) -> None:
        ctx.event("fallback", reason="empty")
        open_question = runner.waiting(ctx)
        if open_question is not None:
            runner.reask(ctx, *open_question)
            return
        ctx.say(self._bot.config.fallback)

    def _shop(self, ctx: TurnContext, text: str) -> bool:
        """Typed words for the cart ("warenkorb", "zur kasse") and the checkout's typed answers
        (an address, an e-mail); a question in between is answered, then asked again."""
        words = normalize(text)
        shortcut = cart.typed(ctx, words) or ("recommend" if suggest.typed(words) else None)
        if shortcut is not None:
            handle_internal(self, ctx, shortcut)
            return True
        if checkout.waiting(ctx) is None:
            return False
        if ctx.returning:  # back after a break: the address question is long forgotten
            checkout.cancel(ctx, quiet=True)
            return False
        match = self._keywords.match(text)
        if match is not None:  # STOP, "hilfe": the owner's keywords always work the same way
            if match.postback == OPT_OUT:
                checkout.cancel(ctx, quiet=True)
            return False
        if words in self._controls["cancel"]:
            return checkout.cancel(ctx)
        if checkout.answer(ctx, text):
            return True
        parse = self._parse(ctx, text)
        if not self.understand(ctx, parse, text):
            fallback(self, ctx, parse, text, guess=False)
        if ctx.handoff:  # a person takes over: the checkout question is not asked again
            checkout.cancel(ctx, quiet=True)
        else:
            checkout.reask(ctx)
        return True

    def _steer(self, ctx: TurnContext, text: str) -> bool:
        """The words that steer a running flow: cancel, back, "egal"."""
        words = normalize(text)
        if words in self._controls["cancel"]:
            runner.cancel(ctx)
        elif words in self._controls["back"]:
            runner.back(ctx)
        elif words in self._controls["skip"] and runner.skip(ctx):
            pass
        else:
            return False
        ctx.answered = True
        return True

    def _reply_to_offer(self, ctx: TurnContext, text: str) -> bool:
        """A typed yes or no to the last question with buttons ("weitermachen?", "a person?")."""
        answer = yes_or_no(text)
        if answer is None:
            return False
        offer = OFFERS[ctx.last_offer or ""]
        self.postback(ctx, offer if answer else "theke:dismiss")
        return True

    def _keyword(self, ctx: TurnContext, text: str) -> bool:
        match = self._keywords.match(text)
        if match is None:
            return False
        ctx.event("keyword.matched", rule=match.rule)
        if match.language is not None and match.language != ctx.language:
            ctx.event("language.switched", **{"from": ctx.language, "to": match.language})
            ctx.language = match.language
        if match.postback is not None:
            self.postback(ctx, match.postback)
            return True
        open_question = runner.waiting(ctx)
        ctx.say(str(match.response))
        ctx.answered = True
        if open_question is not None:
            runner.reask(ctx, *open_question)
        return True

    def _parse(self, ctx: TurnContext, text: str) -> Parse | None:
        if self._nlu is None:
            return None
        # A new customer's language is not known yet: even "hello" may tell it.
        known = ctx.language if ctx.state.language in self._languages else None
        parse = self._nlu.parse(text, language=known)
        ctx.event("nlu", **_summary(parse))
        switch = known is None or parse.language_confidence >= SWITCH_CONFIDENCE
        if parse.language != ctx.language and parse.language in self._languages and switch:
            ctx.event("language.switched", **{"from": ctx.language, "to": parse.language})
            ctx.language = parse.language
        return parse

    def _in_flow(self, ctx: TurnContext, parse: Parse | None, text: str) -> None:
        open_question = runner.waiting(ctx)
        if open_question is None:  # pragma: no cover - called only while a question waits
            return
        outcome = "none" if self._elsewhere(ctx, parse, text) else runner.answer(ctx, parse, text)
        if outcome != "none":
            ctx.answered = outcome != "refused"
            return
        depth = len(ctx.state.stack)
        if self.understand(ctx, parse, text):
            if len(ctx.state.stack) == depth and runner.waiting(ctx) == open_question:
                runner.reask(ctx, *open_question)
            return
        runner.refuse(ctx, *open_question, Refused("value"))

    def _elsewhere(self, ctx: TurnContext, parse: Parse | None, text: str) -> bool:
        """A sure request for another flow that does not answer the open question
        ("sag Bescheid, wenn der Samba wieder da ist" in the middle of the advice)."""
        if parse is None or parse.intent is None or parse.intent.confidence < INTERRUPT:
            return False
        flow = self._bot.flows.triggered("intent", parse.intent.name)
        running = {frame.flow for frame in ctx.state.stack}
        return (
            flow is not None and flow.name not in running and not runner.answers(ctx, parse, text)
        )

    def understand(self, ctx: TurnContext, parse: Parse | None, text: str) -> bool:
        """Answer a request: the flow its intent starts, the FAQ entry, or its intent's response."""
        intent = parse.intent.name if parse is not None and parse.intent is not None else None
        flow = self._bot.flows.triggered("intent", intent)
        running = {frame.flow for frame in ctx.state.stack}
        faq = self.faq_search(ctx, text, parse)
        threshold = self._bot.config.knowledge.threshold
        entry = faq[0] if faq and faq[0].score >= threshold else None
        confidence = parse.intent.confidence if parse is not None and parse.intent else 0.0
        if flow is not None and flow.name not in running:
            # "Wie kann ich euch anrufen?" is a question the FAQ answers better than a
            # hand-over: the surer of the two wins.
            if entry is None or confidence >= entry.score:
                if not runner.refine(ctx, flow, parse):
                    runner.start(ctx, flow, parse)
                ctx.answered = True
                return True
        if entry is not None:
            answer_entry(self, ctx, entry.entry_id)
            return True
        if intent is None or flow is not None:
            return False
        key = self._bot.config.intents.get(intent, intent)
        if key == self._bot.config.fallback:  # out of scope, and sure of it: a miss, no guesses
            ctx.event("fallback", reason="out_of_scope", intent=intent)
            fallback(self, ctx, None, text, guess=False)
            return True
        if key.startswith(FAQ_PREFIX) and key[len(FAQ_PREFIX) :] in self._bot.knowledge:
            answer_entry(self, ctx, key[len(FAQ_PREFIX) :])
            return True
        if key not in self._bot.responses.keys(ctx.language):
            ctx.event("fallback", reason="intent_unanswered", intent=intent)
            return False
        ctx.say(key)
        ctx.answered = True
        if intent == GREETING and ctx.returning and not ctx.state.stack:
            suggest.recently_viewed(ctx)
        return True

    def faq_search(self, ctx: TurnContext, text: str, parse: Parse | None) -> tuple[Match, ...]:
        """The best FAQ matches for ``text``, best first: searched once per turn (the
        answer and the fallback's guesses read the same result), reusing the NLU's vector."""
        if self._knowledge is None:
            return ()
        if ctx.faq is None or ctx.faq[0] != text:
            vector = parse.vector if parse is not None else None
            vectors = self._knowledge.vectors
            if vector is not None and (vectors is None or vector.shape != vectors.shape[1:]):
                vector = None
            found = self._knowledge.search(text, ctx.language, embedding=vector, limit=FAQ_LIMIT)
            ctx.faq = (text, found)
        return ctx.faq[1]

    def postback(self, ctx: TurnContext, payload: str) -> None:
        """A tapped button: the engine's own payloads, a flow's trigger, or ``postbacks:``."""
        if payload.startswith(INTERNAL):
            handle_internal(self, ctx, payload[len(INTERNAL) :])
            return
        flow = self._bot.flows.triggered("postback", payload)
        if flow is not None:
            ctx.event("postback", payload=payload)
            runner.start(ctx, flow, None)
            ctx.answered = True
            return
        key = self._bot.config.postbacks.get(payload)
        if payload == OPT_OUT:  # whatever the owner answers, the opt-ins end here
            ctx.opt_out = True
            ctx.event("optout")
        elif payload == OPT_IN:
            ctx.opt_in = True
            ctx.event("optin")
        if key is None:
            unknown_postback(ctx)
            return
        open_question = runner.waiting(ctx)
        ctx.event("postback", payload=payload)
        ctx.say(key)
        ctx.answered = True
        if open_question is not None:
            runner.reask(ctx, *open_question)

    # -- the end of a turn ------------------------------------------------------------------

    def _finish(self, ctx: TurnContext, original: Mapping[str, Any], loaded: DialogueState) -> Turn:
        handover.settle(ctx, self._bot.config.hours)
        intro(ctx, loaded)
        state = ctx.state
        frame = state.frame
        misses = 0 if ctx.answered else state.misses
        reminder = None
        memory = self._bot.config.memory
        if frame is not None and frame.asked and state.reminded != frame.started:
            if memory.reminder_minutes > 0 and not ctx.handoff:
                at = ctx.now + timedelta(minutes=memory.reminder_minutes)
                reminder = Reminder(at=at, started=frame.started)
        if ctx.customer.get("language") != ctx.language:
            ctx.remember("language", ctx.language)
        new_state = {
            **original,
            **state.to_json(),
            "language": ctx.language,
            "turns": state.turns + 1,
            # After a hand-over the next bot answer comes after a person's: it says who it is.
            "introduced": not ctx.handoff,
            "misses": misses,
            "last_at": ctx.now.isoformat(),
        }
        return Turn(
            state=new_state,
            replies=tuple(ctx.replies),
            events=tuple(ctx.events),
            handoff=ctx.handoff,
            handoff_reason=ctx.handoff_reason if ctx.handoff else None,
            profile=dict(ctx.customer) if ctx.profile_changed else None,
            subscriptions=tuple(ctx.subscriptions),
            reminder=reminder,
            opt_out=ctx.opt_out,
            opt_in=ctx.opt_in,
            order=ctx.order,
        )

    def _language(self, state: DialogueState) -> str:
        if state.language in self._languages and state.language is not None:
            return state.language
        return self._bot.config.default_language


def _returning(state: DialogueState, now: datetime, minutes: int) -> bool:
    """Whether the customer comes back after a break long enough to greet them anew."""
    quiet = _since(state, now)
    return quiet is not None and quiet >= timedelta(minutes=minutes)


def _since(state: DialogueState, now: datetime) -> timedelta | None:
    """How long ago the customer last wrote (``None``: never, or unreadable)."""
    if state.last_at is None:
        return None
    try:
        last = datetime.fromisoformat(state.last_at)
    except ValueError:
        return None
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    return now - last


def _summary(parse: Parse) -> dict[str, Any]:
    """What the event log keeps of a parse: names and scores, never the customer's words."""
    return {
        "intent": parse.intent.name if parse.intent else None,
        "ranking": [[score.name, round(score.confidence, 3)] for score in parse.ranking[:3]],
        "entities": sorted({entity.entity for entity in parse.entities}),
        "language": parse.language,
    }
