"""Running flows: start one, step through it, take answers, go back, cancel.

The position in the running flows is the stack of :class:`Frame` in the
dialogue state; every function here reads and writes it through the
:class:`TurnContext`. ``advance`` runs instructions until a question waits
for the customer or no flow is left.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import structlog

from theke.content import QuickReply, Text
from theke.content.model import Share
from theke.dialogue import slots as slot_values
from theke.dialogue.actions import ActionContext, Invalid
from theke.dialogue.context import TurnContext
from theke.dialogue.flows.program import (
    Act,
    Ask,
    Branch,
    Call,
    End,
    Flow,
    Instruction,
    Jump,
    Say,
    SetSlots,
)
from theke.dialogue.slots import Found, Refused
from theke.dialogue.state import Frame
from theke.dialogue.templates import render_text
from theke.dialogue.texts import HUMAN_PAYLOAD
from theke.nlu.result import Parse

__all__ = [
    "advance",
    "answer",
    "answers",
    "back",
    "cancel",
    "fill",
    "reask",
    "refine",
    "skip",
    "stale",
    "start",
    "waiting",
]

_log = structlog.get_logger("theke.dialogue.runner")

MAX_STEPS = 200
MAX_DEPTH = 8


def waiting(ctx: TurnContext) -> tuple[Flow, Ask] | None:
    """The flow and question the customer is expected to answer now, if any."""
    frame = ctx.state.frame
    if frame is None or not frame.asked:
        return None
    flow = ctx.bot.flows.flows.get(frame.flow)
    if flow is None or frame.fingerprint != flow.fingerprint or frame.pc >= len(flow.program):
        return None
    instruction = flow.program[frame.pc]
    return (flow, instruction) if isinstance(instruction, Ask) else None


def stale(ctx: TurnContext) -> bool:
    """Whether the running flow was removed or edited since the conversation entered it."""
    frame = ctx.state.frame
    if frame is None:
        return False
    flow = ctx.bot.flows.flows.get(frame.flow)
    return flow is None or flow.fingerprint != frame.fingerprint


def start(ctx: TurnContext, flow: Flow, parse: Parse | None, *, keep: bool = False) -> None:
    """Start ``flow``, on top of the running ones; the message's entities fill its slots.

    ``keep`` keeps the answers of the flow's last run (a refinement).
    """
    running = [frame.flow for frame in ctx.state.stack]
    if flow.name in running:  # started again while it runs: it starts over, not twice
        ctx.set_state(stack=ctx.state.stack[: running.index(flow.name)])
    if len(ctx.state.stack) >= MAX_DEPTH:
        ctx.event("flow.too_deep", flow=flow.name)
        return
    fresh = {
        name: value for name, value in ctx.state.slots.items() if keep or name not in flow.slots
    }
    frame = Frame(flow=flow.name, started=ctx.state.turns, fingerprint=flow.fingerprint)
    ctx.set_state(stack=(*ctx.state.stack, frame), slots=fresh)
    ctx.event("flow.started", flow=flow.name)
    fill(ctx, flow, parse, "", skip=None)
    advance(ctx)


def refine(ctx: TurnContext, flow: Flow, parse: Parse | None) -> bool:
    """Run the flow completed last again with what the message changes ("lieber in Schwarz")."""
    if ctx.state.done != flow.name or ctx.state.stack:
        return False
    changes = {}
    for name, spec in flow.slots.items():
        found = slot_values.extract(spec, parse, "", asked=False)
        if found is not None and slot_values.valid(spec, found.value) is None:
            if ctx.state.slots.get(name) != found.value:
                changes[name] = found.value
    if not changes:
        return False
    shown = ", ".join(
        slot_values.display(flow.slots[n], v, ctx.language) for n, v in changes.items()
    )
    ctx.system("slot_changed", value=shown)
    ctx.event("flow.refined", flow=flow.name, slots=sorted(changes))
    start(ctx, flow, parse, keep=True)
    return True


def fill(
    ctx: TurnContext, flow: Flow, parse: Parse | None, text: str, skip: str | None
) -> list[str]:
    """Set every slot of ``flow`` that the message names clearly; returns the changed ones."""
    changed: list[str] = []
    for name, spec in flow.slots.items():
        if name == skip:
            continue
        found = slot_values.extract(spec, parse, text, asked=False)
        if found is None or slot_values.valid(spec, found.value) is not None:
            continue
        if ctx.state.slots.get(name) != found.value:
            _set_slot(ctx, flow, name, found.value)
            changed.append(name)
    return changed


def advance(ctx: TurnContext) -> None:
    """Run instructions until a question waits for an answer or no flow is left."""
    for _ in range(MAX_STEPS):
        frame = ctx.state.frame
        if frame is None:
            return
        flow = ctx.bot.flows.flows.get(frame.flow)
        if flow is None:  # removed by a reload: the conversation goes on without it
            ctx.event("flow.dropped", flow=frame.flow)
            _pop(ctx, completed=False)
            continue
        if frame.fingerprint != flow.fingerprint:  # edited: start over, answers are kept
            frame = Frame(flow.name, started=frame.started, fingerprint=flow.fingerprint)
            ctx.state = ctx.state.with_frame(frame)
        if frame.pc >= len(flow.program):
            _pop(ctx, completed=True)
            continue
        instruction = flow.program[frame.pc]
        if frame.asked and isinstance(instruction, Ask):
            if instruction.slot in ctx.state.slots and not instruction.force:
                _answered(ctx)  # answered meanwhile (a sub-flow, a change): go on
                return
            reask(ctx, flow, instruction)
            return
        if _step(ctx, flow, frame, instruction):
            return
    ctx.event("flow.loop", flow=ctx.state.frame.flow if ctx.state.frame else None)
    _log.warning("theke.dialogue.runner.loop")
    ctx.set_state(stack=())


def _step(ctx: TurnContext, flow: Flow, frame: Frame, instruction: Instruction) -> bool:
    """Run one instruction; ``True`` when the flow now waits (or another flow took over)."""
    return _STEPS[type(instruction)](ctx, flow, frame, instruction)


def _go_on(
    ctx: TurnContext, frame: Frame, pc: int | None = None, *, answered: bool = False
) -> bool:
    """Continue at ``pc`` (default: the next instruction)."""
    trail = (*frame.trail, frame.pc) if answered else frame.trail
    following = replace(frame, pc=frame.pc + 1 if pc is None else pc, asked=False, attempts=0)
    ctx.state = ctx.state.with_frame(replace(following, trail=trail))
    return False


def _say_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    ctx.say(step.response)
    return _go_on(ctx, frame)


def _ask_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    if step.slot in ctx.state.slots and not step.force:
        return _go_on(ctx, frame, answered=True)  # answered already: "zurück" can come back
    _prompt(ctx, flow, step)
    ctx.state = ctx.state.with_frame(replace(frame, asked=True, attempts=0))
    return True


def _act_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    _go_on(ctx, frame)
    _act(ctx, flow, step)
    return ctx.handoff


def _set_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    variables = ctx.variables()
    ctx.set_slots(
        {
            name: render_text(value, variables) if isinstance(value, str) else value
            for name, value in step.values.items()
        }
    )
    return _go_on(ctx, frame)


def _branch_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    return _go_on(ctx, frame, None if step.test(ctx.raw_variables()) else step.target)


def _jump_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    return _go_on(ctx, frame, step.target)


def _call_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    _go_on(ctx, frame)  # where the caller goes on when the sub-flow ends
    start(ctx, ctx.bot.flows.flows[step.flow], None)
    return True  # start() advanced already


def _end_step(ctx: TurnContext, flow: Flow, frame: Frame, step: Any) -> bool:
    if step.response is not None:
        ctx.say(step.response)
    _pop(ctx, completed=True)
    return False


_STEPS: dict[type, Callable[[TurnContext, Flow, Frame, Any], bool]] = {
    Say: _say_step,
    Ask: _ask_step,
    Act: _act_step,
    SetSlots: _set_step,
    Branch: _branch_step,
    Jump: _jump_step,
    Call: _call_step,
    End: _end_step,
}


def answers(ctx: TurnContext, parse: Parse | None, text: str) -> bool:
    """Whether the message holds a fitting value for the open question."""
    open_question = waiting(ctx)
    if open_question is None:
        return False
    spec = ctx.bot.flows.slots[open_question[1].slot]
    found = slot_values.extract(spec, parse, text, asked=True)
    return found is not None and slot_values.valid(spec, found.value) is None


def answer(ctx: TurnContext, parse: Parse | None, text: str, chosen: Any = None) -> str:
    """Take the message as the answer to the open question.

    Returns ``"filled"`` (answered; the flow went on), ``"changed"`` (it did
    not answer, but changed other slots: the question is asked again),
    ``"refused"`` (an answer the checks refuse; re-asked or given up) or
    ``"none"`` (not an answer at all).
    """
    open_question = waiting(ctx)
    if open_question is None:
        return "none"
    flow, ask = open_question
    spec = ctx.bot.flows.slots[ask.slot]
    found = (
        Found(chosen) if chosen is not None else slot_values.extract(spec, parse, text, asked=True)
    )
    changed = fill(ctx, flow, parse, text, skip=ask.slot)
    if found is None:
        if not changed:
            return "none"
        shown = ", ".join(
            slot_values.display(flow.slots[n], ctx.state.slots[n], ctx.language) for n in changed
        )
        ctx.system("slot_changed", value=shown)
        _prompt(ctx, flow, ask)
        return "changed"
    value, refusal = _checked(ctx, spec, found.value)
    if refusal is not None:
        refuse(ctx, flow, ask, refusal)
        return "refused"
    _set_slot(ctx, flow, ask.slot, value)
    _answered(ctx)
    return "filled"


def refuse(ctx: TurnContext, flow: Flow, ask: Ask, refusal: Refused) -> None:
    """An answer that does not fit: ask again with a hint, or take the way out after N tries."""
    frame = ctx.state.frame
    if frame is None:
        return
    attempts = frame.attempts + 1
    ctx.event(
        "slot.refused", flow=flow.name, slot=ask.slot, reason=refusal.reason, attempt=attempts
    )
    if attempts >= ask.attempts:
        _give_up(ctx, flow, ask)
        return
    ctx.state = ctx.state.with_frame(replace(frame, attempts=attempts))
    if refusal.message:  # the owner's validator may quote the customer: never a template
        ctx.send((Text(text=refusal.message),), render=False)
    elif ask.reprompt is not None:
        ctx.say(ask.reprompt)
        _offer_choices(ctx, flow, ask)
        return
    else:
        ctx.system(_hint(refusal.reason))
    _prompt(ctx, flow, ask)


def reask(ctx: TurnContext, flow: Flow, ask: Ask) -> None:
    """Come back to the open question after answering something else."""
    if ctx.returning and flow.resumable:
        ctx.system(
            "resume",
            [("resume", "theke:resume"), ("no_thanks", "theke:dismiss")],
            flow=flow.title(ctx.language),
        )
        ctx.set_state(offer="resume")
        return
    ctx.system("back_to_question")
    _prompt(ctx, flow, ask)


def cancel(ctx: TurnContext, *, quiet: bool = False) -> None:
    flows = [frame.flow for frame in ctx.state.stack]
    ctx.set_state(stack=(), done=None)
    ctx.event("flow.cancelled", flows=flows)
    if not quiet:
        ctx.system("cancelled")


def back(ctx: TurnContext) -> None:
    """Go back to the question answered before the open one, forgetting that answer."""
    frame = ctx.state.frame
    flow = ctx.bot.flows.flows.get(frame.flow) if frame else None
    if frame is None or flow is None:
        return
    if not frame.trail or frame.trail[-1] >= len(flow.program):
        ctx.system("back_at_start")
        advance(ctx)
        return
    target = frame.trail[-1]
    instruction = flow.program[target]
    slots = dict(ctx.state.slots)
    if isinstance(instruction, Ask):
        slots.pop(instruction.slot, None)
    ctx.set_state(slots=slots)
    ctx.state = ctx.state.with_frame(
        replace(frame, pc=target, asked=False, attempts=0, trail=frame.trail[:-1])
    )
    ctx.event("flow.back", flow=flow.name)
    advance(ctx)


def skip(ctx: TurnContext) -> bool:
    """ "egal": leave the open question's slot empty, if the question allows it."""
    open_question = waiting(ctx)
    if open_question is None or not open_question[1].skippable:
        return False
    flow, ask = open_question
    ctx.set_slots({ask.slot: None})
    ctx.event("slot.skipped", flow=flow.name, slot=ask.slot)
    _answered(ctx)
    return True


def _answered(ctx: TurnContext) -> None:
    frame = ctx.state.frame
    if frame is None:
        return
    ctx.state = ctx.state.with_frame(
        replace(frame, pc=frame.pc + 1, asked=False, attempts=0, trail=(*frame.trail, frame.pc))
    )
    advance(ctx)


def _checked(ctx: TurnContext, spec: Any, value: Any) -> tuple[Any, Refused | None]:
    refusal = slot_values.valid(spec, value)
    if refusal is not None or spec.validator is None:
        return value, refusal
    validator = ctx.bot.actions.get(spec.validator)
    if validator is None:
        return value, None
    context = ActionContext(
        dict(ctx.state.slots), dict(ctx.customer), ctx.language, catalog=ctx.catalog
    )
    try:
        result = validator(value, context)  # type: ignore[call-arg]
    except Invalid as exc:
        return value, Refused("validator", exc.message)
    except Exception:  # the owner's validator failed: take the value, record it
        _log.exception("theke.dialogue.runner.validator_failed", validator=spec.validator)
        ctx.event("validator.failed", validator=spec.validator)
        return value, None
    return (value if result is None else result), None


def _give_up(ctx: TurnContext, flow: Flow, ask: Ask) -> None:
    ctx.event("slot.gave_up", flow=flow.name, slot=ask.slot, way=ask.on_failure)
    frame = ctx.state.frame
    if frame is None:
        return
    if ask.on_failure == "skip":
        ctx.set_slots({ask.slot: None})
        _answered(ctx)
    elif ask.on_failure == "handoff":
        ctx.set_state(stack=())
        ctx.hand_over("flow")
    elif ask.on_failure == "goto" and ask.failure_target is not None:
        ctx.state = ctx.state.with_frame(
            replace(frame, pc=ask.failure_target, asked=False, attempts=0)
        )
        advance(ctx)
    else:
        ctx.set_state(stack=())
        ctx.system("gave_up", [("human", HUMAN_PAYLOAD), ("no_thanks", "theke:dismiss")])
        ctx.set_state(offer="human")


def _hint(reason: str) -> str:
    return {"choice": "invalid_choice", "range": "invalid_range"}.get(reason, "invalid_value")


def _prompt(ctx: TurnContext, flow: Flow, ask: Ask) -> None:
    ctx.say(ask.prompt)
    _offer_choices(ctx, flow, ask)


def _offer_choices(ctx: TurnContext, flow: Flow, ask: Ask) -> None:
    spec = ctx.bot.flows.slots[ask.slot]
    replies: list[QuickReply] = []
    known = ctx.customer.get("remembered", {}).get(ask.slot) if spec.remember else None
    if known is not None and slot_values.valid(spec, known) is None:
        title = slot_values.display(spec, known, ctx.language)[:20]
        replies.append(
            QuickReply(title=title, payload=slot_values.choice_payload(ask.slot, _token(known)))
        )
    replies.extend(
        QuickReply(
            title=choice.title(ctx.language)[:20],
            payload=slot_values.choice_payload(ask.slot, choice.value),
        )
        for choice in spec.choices
    )
    share: Share | None = None  # a number or address: the platform's own button too
    if spec.type == "phone":
        share = "phone"
    elif spec.type == "email":
        share = "email"
    ctx.offer(replies, share=share)


def _token(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def _set_slot(ctx: TurnContext, flow: Flow, name: str, value: Any) -> None:
    ctx.set_slots({name: value})
    ctx.event("slot.set", flow=flow.name, slot=name)
    spec = flow.slots.get(name)
    if spec is not None and (spec.entity or name) in LIKED and isinstance(value, str):
        _like(ctx, spec.entity or name, value)
    if spec is not None and spec.remember:
        remembered = dict(ctx.customer.get("remembered") or {})
        remembered[name] = value
        ctx.remember("remembered", remembered)
        if name == "name" and isinstance(value, str):  # the slot `name` is the customer's name
            ctx.remember("name", value.strip()[:60])


LIKED = ("category", "brand", "color")
"""Slots whose values make up a customer's taste: counted in the profile's ``likes``."""


def _like(ctx: TurnContext, kind: str, value: str) -> None:
    likes = {key: dict(counts) for key, counts in (ctx.customer.get("likes") or {}).items()}
    counts = likes.setdefault(kind, {})
    counts[value] = int(counts.get(value, 0)) + 1
    ctx.remember("likes", likes)


def _pop(ctx: TurnContext, *, completed: bool) -> None:
    frame = ctx.state.frame
    ctx.set_state(stack=ctx.state.stack[:-1])
    if frame is not None and completed:
        ctx.event("flow.completed", flow=frame.flow)
        if not ctx.state.stack:
            ctx.set_state(done=frame.flow)


def _act(ctx: TurnContext, flow: Flow, act: Act) -> None:
    function = ctx.bot.actions.get(act.action)
    variables = ctx.variables()
    args = {
        key: render_text(value, variables) if isinstance(value, str) else value
        for key, value in act.args.items()
    }
    context = ActionContext(
        dict(ctx.state.slots), dict(ctx.customer), ctx.language, args, ctx.catalog
    )
    if function is None:  # removed from actions.py by a reload
        ctx.event("action.missing", action=act.action)
        ctx.system("action_failed")
        return
    try:
        function(context)
    except Exception as exc:  # the owner's action failed: say so, record it, go on
        _log.exception("theke.dialogue.runner.action_failed", action=act.action)
        ctx.event("action.failed", action=act.action, error=type(exc).__name__)
        ctx.system("action_failed")
        return
    ctx.event("action", action=act.action)
    _apply(ctx, context)


def _apply(ctx: TurnContext, context: ActionContext) -> None:
    for message in context.replies:
        if isinstance(message, str):
            ctx.say(message)
        else:  # built by code from data (product names, ...): never a template
            ctx.send((message,), render=False)
    if context.changes:
        ctx.set_slots(context.changes)
    ctx.subscriptions.extend(context.subscriptions)
    if context.viewed:
        viewed = [sku for sku in ctx.customer.get("viewed", []) if sku not in context.viewed]
        ctx.remember("viewed", (context.viewed + viewed)[:20])
    if context.wants_human:
        ctx.set_state(stack=())
        ctx.hand_over("flow", say=None if context.handoff_said else "handoff")
