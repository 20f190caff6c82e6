"""Read ``flows/*.yml`` and check every flow against the rest of the bot.

Responses must exist in every language, slots must be declared (in any
flow, with one type), sub-flows and actions must exist, conditions and
templates may only read slots and the ``customer``/``bot`` fields, and a
trigger (an intent, a postback payload) starts at most one flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from theke.bot.yamlsource import YamlDocument, closest, read_yaml
from theke.dialogue.flows.compiler import CompiledFlow, Reference, compile_flow
from theke.dialogue.flows.program import Flow, SlotSpec
from theke.errors import BotFolderError

__all__ = ["TEMPLATE_GLOBALS", "BotNames", "FlowSet", "load_flows"]

TEMPLATE_GLOBALS = frozenset({"customer", "bot", "slots", "results", "language", "product"})
"""Variables every template and condition may read, besides the slots."""

_MAX_FLOWS = 500


@dataclass(frozen=True, slots=True)
class BotNames:
    """What the rest of the bot defines, for checking the flows' references."""

    responses: Mapping[str, frozenset[str]]  # language → keys
    actions: frozenset[str]
    intents: frozenset[str]
    postbacks: frozenset[str]
    system_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FlowSet:
    """All flows of a bot and what starts each one."""

    flows: Mapping[str, Flow] = field(default_factory=dict)
    slots: Mapping[str, SlotSpec] = field(default_factory=dict)
    by_trigger: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def triggered(self, kind: str, value: str | None) -> Flow | None:
        """The flow that ``kind`` (intent, postback, referral, event) ``value`` starts."""
        if value is None:
            return None
        name = self.by_trigger.get((kind, value))
        return self.flows[name] if name is not None else None


def load_flows(folder: Path, names: BotNames) -> FlowSet:
    """The flows of the bot folder ``folder``; a bot without ``flows/`` has none."""
    compiled: list[tuple[YamlDocument, CompiledFlow]] = []
    directory = folder / "flows"
    if directory.is_dir():
        for path in sorted(directory.glob("*.y*ml")):
            compiled.extend(_read(path))
    _check_unique(compiled)
    slots = _slots(compiled)
    flows = {item.flow.name: item.flow for _, item in compiled}
    for doc, item in compiled:
        for reference in item.references:
            _check(doc, reference, names, slots, flows)
    _check_cycles(compiled)
    triggers = _triggers(compiled, names)
    return FlowSet(MappingProxyType(flows), MappingProxyType(slots), MappingProxyType(triggers))


def _check_cycles(compiled: list[tuple[YamlDocument, CompiledFlow]]) -> None:
    """A flow that calls itself, directly or through others, would never end."""
    calls = {
        item.flow.name: [(ref.name, doc, ref.loc) for ref in item.references if ref.kind == "flow"]
        for doc, item in compiled
    }

    def visit(name: str, path: list[str]) -> None:
        for callee, doc, loc in calls.get(name, []):
            if callee in path:
                cycle = " → ".join([*path[path.index(callee) :], callee])
                problem = f"the flows call each other in a circle: {cycle}"
                fix = "end the circle: let one of them `goto` a step or `end` instead"
                raise doc.error(loc, problem, fix)
            visit(callee, [*path, callee])

    for name in calls:
        visit(name, [name])


def _read(path: Path) -> Iterable[tuple[YamlDocument, CompiledFlow]]:
    if path.suffix == ".yaml":
        problem = "flow files end in `.yml`, so this file would be ignored"
        raise BotFolderError(str(path), None, problem, f"rename it to {path.stem}.yml")
    doc = read_yaml(path)
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        problem = "a flow file maps flow names to flows"
        raise doc.error((), problem, "start with the flow's name, like `sneaker_advice:`")
    if len(doc.data) > _MAX_FLOWS:
        raise doc.error((), "the file holds too many flows", "split it into several files")
    return [(doc, compile_flow(doc, str(name), value)) for name, value in doc.data.items()]


def _check_unique(compiled: list[tuple[YamlDocument, CompiledFlow]]) -> None:
    seen: dict[str, tuple[YamlDocument, int | None]] = {}
    for doc, item in compiled:
        name = item.flow.name
        if name in seen:
            other, line = seen[name]
            problem = f"the flow `{name}` is defined twice (also in {other.path.name} line {line})"
            raise doc.error((name,), problem, "rename one of them")
        seen[name] = (doc, doc.line((name,)))


def _slots(compiled: list[tuple[YamlDocument, CompiledFlow]]) -> dict[str, SlotSpec]:
    slots: dict[str, SlotSpec] = {}
    where: dict[str, str] = {}
    for doc, item in compiled:
        for name, spec in item.flow.slots.items():
            known = slots.get(name)
            if known is not None and known != spec:
                problem = f"the slot `{name}` is declared differently in {where[name]}"
                fix = "declare it the same way in both flows, or give one of them another name"
                raise doc.error((item.flow.name, "slots", name), problem, fix)
            slots[name] = spec
            where[name] = f"the flow `{item.flow.name}`"
    return slots


@dataclass(frozen=True, slots=True)
class _Miss:
    """A reference that names nothing: the names it could have meant, what is wrong, the fix."""

    candidates: Iterable[str]
    problem: str
    fix: str


def _check(
    doc: YamlDocument,
    reference: Reference,
    names: BotNames,
    slots: Mapping[str, SlotSpec],
    flows: Mapping[str, Flow],
) -> None:
    name = reference.name
    checks: dict[str, Callable[[], _Miss | None]] = {
        "response": lambda: _response(name, names),
        "slot": lambda: _known(name, slots, "slot", "declare it under `slots:` in a flow"),
        "variable": lambda: _variable(name, slots),
        "flow": lambda: _known(name, flows, "flow", "define it in flows/"),
        "action": lambda: _known(
            name, names.actions, "action", "write it in actions.py, or use a built-in action"
        ),
        "intent": lambda: _intent(name, names),
        "postback": lambda: None,
    }
    miss = checks[reference.kind]()
    if miss is None:
        return
    close = closest(name, sorted(miss.candidates))
    fix = f"did you mean `{close}`? Otherwise {miss.fix}" if close is not None else miss.fix
    raise doc.error(reference.loc, miss.problem, fix)


def _known(name: str, known: Iterable[str], kind: str, fix: str) -> _Miss | None:
    if name in known:
        return None
    return _Miss(known, f"there is no {kind} `{name}`", fix)


def _variable(name: str, slots: Mapping[str, SlotSpec]) -> _Miss | None:
    if name in slots or name in TEMPLATE_GLOBALS:
        return None
    problem = f"`{name}` is neither a slot nor one of {', '.join(sorted(TEMPLATE_GLOBALS))}"
    fix = "declare the slot under `slots:` in a flow, or correct the name"
    return _Miss([*slots, *TEMPLATE_GLOBALS], problem, fix)


def _response(name: str, names: BotNames) -> _Miss | None:
    if name in names.system_keys:
        return None
    for language, keys in names.responses.items():
        if name not in keys:
            problem = f"the response `{name}` is missing in responses/{language}.yml"
            return _Miss(keys, problem, f"add `{name}:` to responses/{language}.yml")
    return None


def _intent(name: str, names: BotNames) -> _Miss | None:
    if name in names.intents:
        return None
    problem = f"the intent `{name}` has no examples in nlu/"
    return _Miss(names.intents, problem, "add it with examples to nlu/<lang>.yml")


def _triggers(
    compiled: list[tuple[YamlDocument, CompiledFlow]], names: BotNames
) -> dict[tuple[str, str], str]:
    triggers: dict[tuple[str, str], str] = {}
    for doc, item in compiled:
        for index, trigger in enumerate(item.flow.triggers):
            key = (trigger.kind, trigger.value)
            loc = (item.flow.name, "triggers", index)
            if key in triggers:
                problem = f"{trigger.kind} `{trigger.value}` already starts the flow "
                problem += f"`{triggers[key]}`"
                raise doc.error(
                    loc, problem, "let one flow start on it, and call it from the other"
                )
            if trigger.kind == "postback" and trigger.value in names.postbacks:
                problem = (
                    f"the payload `{trigger.value}` is also listed under `postbacks` in theke.yml"
                )
                raise doc.error(loc, problem, "remove it from one of the two places")
            triggers[key] = item.flow.name
    return triggers
