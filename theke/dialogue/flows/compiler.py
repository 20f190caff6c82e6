"""Compile one flow of a ``flows/*.yml`` file into a :class:`Flow`, checking it on the way.

What can be checked inside one flow is checked here (step kinds, ids,
``goto`` targets, conditions, patterns); what needs the whole bot (response
keys, slots declared elsewhere, sub-flows, actions) is collected as
references for the loader, each with the place it was written.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError

from theke.bot.yamlsource import Loc, YamlDocument, describe, suggest, validate_at
from theke.dialogue.flows.program import (
    Act,
    Ask,
    Branch,
    Call,
    Choice,
    End,
    Flow,
    Instruction,
    Jump,
    Say,
    SetSlots,
    SlotSpec,
    Trigger,
)
from theke.dialogue.flows.schema import (
    STEP_KINDS,
    ActionStep,
    AskStep,
    EndStep,
    FlowSchema,
    FlowStep,
    GotoStep,
    IfStep,
    SayStep,
    SetStep,
    SlotSchema,
    StepSchema,
)
from theke.dialogue.templates import compile_condition, names_in

__all__ = ["FAILURE_WAYS", "CompiledFlow", "Reference", "compile_flow"]

FAILURE_WAYS = ("cancel", "skip", "handoff")


@dataclass(frozen=True, slots=True)
class Reference:
    """A name the flow uses that the loader checks against the whole bot."""

    kind: str  # response, slot, flow, action, variable, intent, postback
    name: str
    loc: Loc


@dataclass
class CompiledFlow:
    flow: Flow
    references: list[Reference]


@dataclass
class _Emitter:
    doc: YamlDocument
    base: Loc
    program: list[Instruction | None] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    gotos: list[tuple[int, str, Loc]] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)

    def add(self, instruction: Instruction | None, loc: Loc) -> int:
        self.program.append(instruction)
        self.lines.append(self.doc.line(loc))
        return len(self.program) - 1


def compile_flow(doc: YamlDocument, name: str, value: object) -> CompiledFlow:
    """The flow ``name`` written as ``value`` in ``doc``."""
    base: Loc = (name,)
    schema = validate_at(doc, base, value, FlowSchema)
    emitter = _Emitter(doc, base)
    _emit_steps(emitter, schema.steps, (*base, "steps"))
    _resolve_gotos(emitter)
    program = tuple(_placed(item) for item in emitter.program)
    slots = {
        slot: _slot(doc, (*base, "slots", slot), slot, spec) for slot, spec in schema.slots.items()
    }
    triggers = tuple(_triggers(doc, base, schema))
    references = emitter.references + [
        Reference(trigger.kind, trigger.value, (*base, "triggers", index))
        for index, trigger in enumerate(triggers)
        if trigger.kind in ("intent", "postback")
    ]
    if schema.reminder:
        references.append(Reference("response", schema.reminder, (*base, "reminder")))
    flow = Flow(
        name=name,
        path=str(doc.path),
        titles=dict(schema.title),
        triggers=triggers,
        slots=slots,
        program=program,
        lines=tuple(emitter.lines),
        reminder=schema.reminder,
        resumable=schema.resumable,
        fingerprint=_fingerprint(value),
    )
    return CompiledFlow(flow, references)


def _placed(item: Instruction | None) -> Instruction:
    if item is None:  # pragma: no cover - every placeholder is patched before this
        raise AssertionError("unpatched jump")
    return item


def _emit_steps(emitter: _Emitter, steps: list[Any], loc: Loc) -> None:
    for index, raw in enumerate(steps):
        _emit(emitter, raw, (*loc, index))


def _emit(emitter: _Emitter, raw: object, loc: Loc) -> None:
    step = _step(emitter.doc, loc, raw)
    if step.id is not None:
        if step.id in emitter.labels:
            raise emitter.doc.error((*loc, "id"), f"the step id `{step.id}` is used twice",
                                    "give every step its own id")  # fmt: skip
        emitter.labels[step.id] = len(emitter.program)
    if isinstance(step, IfStep):
        _emit_if(emitter, step, loc)
    elif isinstance(step, GotoStep):
        emitter.gotos.append((emitter.add(None, loc), step.goto, (*loc, "goto")))
    else:
        emitter.add(_simple(emitter, step, loc), loc)


def _simple(emitter: _Emitter, step: StepSchema, loc: Loc) -> Instruction:
    refs = emitter.references
    if isinstance(step, SayStep):
        refs.append(Reference("response", step.say, (*loc, "say")))
        return Say(step.say)
    if isinstance(step, AskStep):
        return _ask(emitter, step, loc)
    if isinstance(step, ActionStep):
        refs.append(Reference("action", step.action, (*loc, "action")))
        for key, arg in step.args.items():
            refs.extend(_template_refs(emitter.doc, (*loc, "with", key), arg))
        if isinstance(step.args.get("say"), str):  # `with: {say: KEY}` names a response
            refs.append(Reference("response", step.args["say"], (*loc, "with", "say")))
        return Act(step.action, dict(step.args))
    if isinstance(step, SetStep):
        for slot, item in step.set.items():
            refs.append(Reference("slot", slot, (*loc, "set", slot)))
            refs.extend(_template_refs(emitter.doc, (*loc, "set", slot), item))
        return SetSlots(dict(step.set))
    if isinstance(step, FlowStep):
        refs.append(Reference("flow", step.flow, (*loc, "flow")))
        return Call(step.flow)
    if isinstance(step, EndStep):
        if step.end is not None:
            refs.append(Reference("response", step.end, (*loc, "end")))
        return End(step.end)
    raise AssertionError(f"unhandled step {type(step).__name__}")  # pragma: no cover


def _ask(emitter: _Emitter, step: AskStep, loc: Loc) -> Ask:
    refs = emitter.references
    refs.append(Reference("slot", step.ask, (*loc, "ask")))
    refs.append(Reference("response", step.prompt, (*loc, "prompt")))
    if step.reprompt is not None:
        refs.append(Reference("response", step.reprompt, (*loc, "reprompt")))
    way = step.on_failure
    position = len(emitter.program)
    if way not in FAILURE_WAYS:
        emitter.gotos.append((-position - 1, way, (*loc, "on_failure")))
    return Ask(
        slot=step.ask,
        prompt=step.prompt,
        reprompt=step.reprompt,
        attempts=step.attempts,
        on_failure=way if way in FAILURE_WAYS else "goto",
        failure_target=None,
        skippable=step.skippable,
        force=step.force,
    )


def _emit_if(emitter: _Emitter, step: IfStep, loc: Loc) -> None:
    where = (*loc, "if")
    try:
        names = names_in(step.condition, expression=True)
        test = compile_condition(step.condition)
    except TemplateSyntaxError as exc:
        problem = f"the condition `{step.condition}` cannot be read: {exc.message}"
        fix = "write a comparison like `size >= 44` or `budget and budget.max < 50`"
        raise emitter.doc.error(where, problem, fix) from exc
    emitter.references.extend(Reference("variable", name, where) for name in sorted(names))
    branch = emitter.add(None, loc)
    _emit_steps(emitter, step.then, (*loc, "then"))
    if step.otherwise:
        jump = emitter.add(None, loc)
        emitter.program[branch] = Branch(step.condition, test, len(emitter.program))
        _emit_steps(emitter, step.otherwise, (*loc, "else"))
        emitter.program[jump] = Jump(len(emitter.program))
    else:
        emitter.program[branch] = Branch(step.condition, test, len(emitter.program))


def _resolve_gotos(emitter: _Emitter) -> None:
    for position, label, loc in emitter.gotos:
        target = emitter.labels.get(label)
        if target is None:
            problem = f"there is no step with the id `{label}` in this flow"
            known = sorted(emitter.labels)
            fix = suggest(label, known) if known else "add `id: " + label + "` to the step to go to"
            if loc[-1] == "on_failure":
                fix += "; or use one of: " + ", ".join(FAILURE_WAYS)
            raise emitter.doc.error(loc, problem, fix)
        if position >= 0:
            emitter.program[position] = Jump(target)
        else:
            ask = emitter.program[-position - 1]
            if isinstance(ask, Ask):
                emitter.program[-position - 1] = Ask(**{**_fields(ask), "failure_target": target})


def _fields(ask: Ask) -> dict[str, Any]:
    return {name: getattr(ask, name) for name in Ask.__slots__}


def _step(doc: YamlDocument, loc: Loc, raw: object) -> StepSchema:
    if raw == "end":
        return EndStep()
    kinds = [key for key in raw if key in STEP_KINDS] if isinstance(raw, dict) else []
    if len(kinds) != 1:
        known = ", ".join(f"`{kind}`" for kind in STEP_KINDS)
        if kinds:
            problem = f"{describe(loc)} has both `{kinds[0]}` and `{kinds[1]}`"
            raise doc.error(loc, problem, "make them two steps, one after the other")
        if isinstance(raw, dict) and raw:
            first = str(next(iter(raw)))
            problem = f"{describe(loc)}: `{first}` is not a kind of step"
            raise doc.error((*loc, first), problem, suggest(first, list(STEP_KINDS)))
        problem = f"{describe(loc)} does not say what to do"
        raise doc.error(loc, problem, f"start the step with one of: {known}")
    return validate_at(doc, loc, raw, STEP_KINDS[kinds[0]])


def _slot(doc: YamlDocument, loc: Loc, name: str, spec: SlotSchema) -> SlotSpec:
    pattern = None
    if spec.pattern is not None:
        try:
            pattern = re.compile(spec.pattern)
        except re.error as exc:
            problem = f"the pattern `{spec.pattern}` is not a valid regular expression: {exc}"
            raise doc.error((*loc, "pattern"), problem, "fix the expression") from exc
    if spec.type == "choice" and not spec.choices:
        problem = f"the slot `{name}` is a choice but lists no `choices`"
        raise doc.error(loc, problem, "add `choices: [a, b, c]`, or give it another type")
    choices = tuple(Choice(c.value, dict(c.title)) for c in spec.choices)
    return SlotSpec(
        name=name,
        type=spec.type,
        entity=spec.entity,
        choices=choices,
        low=spec.min,
        high=spec.max,
        pattern=pattern,
        validator=spec.validator,
        remember=spec.remember,
    )


def _triggers(doc: YamlDocument, base: Loc, schema: FlowSchema) -> Iterator[Trigger]:
    for index, trigger in enumerate(schema.triggers):
        given = [(kind, value) for kind, value in trigger.model_dump().items() if value is not None]
        if len(given) != 1:
            loc = (*base, "triggers", index)
            problem = f"{describe(loc)} must name exactly one of: intent, postback, referral, event"
            raise doc.error(loc, problem, "write one trigger per line, like `- intent: greet`")
        yield Trigger(*given[0])


def _template_refs(doc: YamlDocument, loc: Loc, value: object) -> list[Reference]:
    if not isinstance(value, str):
        return []
    try:
        names = names_in(value)
    except TemplateSyntaxError as exc:
        problem = f"the template `{value}` cannot be read: {exc.message}"
        raise doc.error(loc, problem, "write variables as `{{ name }}`") from exc
    return [Reference("variable", name, loc) for name in sorted(names)]


def _fingerprint(value: object) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]
