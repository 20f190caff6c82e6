"""The engine's own button payloads, ``theke:<kind>:...``: choices, guesses, offers, feedback.

Payloads come back from the customer's device, so each is parsed as
untrusted text: an unknown kind, a slot that does not exist or a stale
button gets the fallback, never an error.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from theke.dialogue import cart, checkout, runner, suggest
from theke.dialogue.context import TurnContext
from theke.dialogue.flows.program import Flow
from theke.dialogue.replies import answer_entry
from theke.dialogue.slots import display, valid
from theke.dialogue.texts import HUMAN_PAYLOAD

if TYPE_CHECKING:
    from theke.dialogue.engine import Engine

__all__ = ["handle_internal", "unknown_postback"]


def handle_internal(engine: Engine, ctx: TurnContext, rest: str) -> None:
    """Handle ``theke:<rest>``."""
    kind, _, argument = rest.partition(":")
    handler = _HANDLERS.get(kind)
    if handler is None or not handler(engine, ctx, argument):
        unknown_postback(ctx)


def unknown_postback(ctx: TurnContext) -> None:
    """A payload the bot never sent: the fallback, and the open question again."""
    ctx.event("fallback", reason="unknown_postback")
    open_question = runner.waiting(ctx)
    ctx.say(ctx.bot.config.fallback)
    if open_question is not None:
        runner.reask(ctx, *open_question)


def _slot(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    """A tapped choice: ``slot:<name>:<value>``."""
    name, _, raw = argument.partition(":")
    spec = ctx.bot.flows.slots.get(name)
    open_question = runner.waiting(ctx)
    if spec is None or not raw or open_question is None:
        return False
    if open_question[1].slot != name:  # a button of an earlier question: change that answer
        return _change(ctx, open_question[0], name, raw)
    value: Any = raw
    if not spec.choices and spec.type != "text":
        try:
            value = json.loads(raw)
        except ValueError:
            value = raw
    if valid(spec, value) is not None:
        return False  # not a value this button could have carried
    ctx.event("postback", payload=f"slot:{name}")
    outcome = runner.answer(ctx, None, "", chosen=value)
    ctx.answered = outcome == "filled"
    return True


def _change(ctx: TurnContext, flow: Flow, name: str, raw: str) -> bool:
    spec = flow.slots.get(name)
    if spec is None or spec.choice(raw) is None or name not in ctx.state.slots:
        return False
    ctx.event("postback", payload=f"slot:{name}")
    ctx.set_slots({name: raw})
    ctx.event("slot.set", flow=flow.name, slot=name)
    ctx.system("slot_changed", value=display(spec, raw, ctx.language))
    ctx.answered = True
    open_question = runner.waiting(ctx)
    if open_question is not None:
        runner.reask(ctx, *open_question)
    return True


def _intent(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    """A guess the customer confirmed: start the flow of that intent."""
    flow = ctx.bot.flows.triggered("intent", argument)
    if flow is None:
        return False
    ctx.event("guess.taken", intent=argument)
    runner.start(ctx, flow, None)
    ctx.answered = True
    return True


def _continue(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    """``continue:<flow>``: start a flow with what the conversation knows already."""
    flow = ctx.bot.flows.flows.get(argument)
    if flow is None:
        return False
    ctx.event("postback", payload=f"continue:{argument}")
    runner.start(ctx, flow, None, keep=True)
    ctx.answered = True
    return True


def _faq(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    if argument not in ctx.bot.knowledge:
        return False
    ctx.event("guess.taken", entry=argument)
    answer_entry(engine, ctx, argument)
    return True


def _helpful(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    from theke.knowledge import parse_feedback

    parsed = parse_feedback(f"theke:helpful:{argument}")
    if parsed is None or parsed[0] not in ctx.bot.knowledge:
        return False
    entry_id, helpful = parsed
    ctx.event("knowledge.feedback", entry=entry_id, helpful=helpful)
    ctx.answered = True
    if helpful:
        ctx.system("feedback_thanks")
    else:
        ctx.system("feedback_sorry", [("human", HUMAN_PAYLOAD), ("no_thanks", "theke:dismiss")])
        ctx.set_state(offer="human")
    return True


def _human(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    ctx.event("handoff.requested", source="button")
    ctx.set_state(stack=(), offer=None)
    ctx.answered = True
    ctx.hand_over("request")
    return True


def _resume(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    open_question = runner.waiting(ctx)
    ctx.set_state(offer=None)
    ctx.answered = True
    if open_question is None:
        ctx.system("dismissed")
        return True
    ctx.event("flow.resumed", flow=open_question[0].name)
    ctx.returning = False
    runner.reask(ctx, *open_question)
    return True


def _dismiss(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    if ctx.last_offer == "resume":
        ctx.event("flow.cancelled", flows=[frame.flow for frame in ctx.state.stack])
        ctx.set_state(stack=())
    ctx.set_state(offer=None, misses=0)
    ctx.answered = True
    ctx.system("dismissed")
    return True


def _product(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    from theke.dialogue.product_search import show_product

    return show_product(ctx, argument)


def _cart(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.add(ctx, argument)


def _size(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.choose_size(ctx, argument)


def _basket(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.show(ctx)


def _remove(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.remove(ctx, argument)


def _resize(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.resize(ctx, argument)


def _notify(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return cart.notify(ctx, argument)


def _checkout(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return checkout.start(ctx)


def _choose(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return checkout.choose(ctx, argument)


def _order(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return checkout.order(ctx, argument)


def _recommend(engine: Engine, ctx: TurnContext, argument: str) -> bool:
    return suggest.recommend(ctx)


_HANDLERS = {
    "slot": _slot,
    "intent": _intent,
    "continue": _continue,
    "faq": _faq,
    "helpful": _helpful,
    "human": _human,
    "resume": _resume,
    "dismiss": _dismiss,
    "product": _product,
    "cart": _cart,
    "size": _size,
    "basket": _basket,
    "remove": _remove,
    "resize": _resize,
    "notify": _notify,
    "checkout": _checkout,
    "co": _choose,
    "order": _order,
    "recommend": _recommend,
}
