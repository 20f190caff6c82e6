"""A flow compiled for running: slots, triggers and a flat list of instructions.

Nested ``if``/``then``/``else`` steps become conditional jumps, so the
position in a flow is one number (``pc``) that fits in the conversation's
JSON state and survives a restart or an edited flow file (a changed flow
restarts at its first unanswered question).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from theke.dialogue.flows.schema import SlotType

__all__ = [
    "Act",
    "Ask",
    "Branch",
    "Call",
    "Choice",
    "End",
    "Flow",
    "Instruction",
    "Jump",
    "Say",
    "SetSlots",
    "SlotSpec",
    "Trigger",
]


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    titles: Mapping[str, str]

    def title(self, language: str) -> str:
        return self.titles.get(language) or next(iter(self.titles.values()), self.value)


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """A slot as declared by a flow: its type and the checks an answer must pass."""

    name: str
    type: SlotType
    entity: str | None
    choices: tuple[Choice, ...] = ()
    low: float | None = None
    high: float | None = None
    pattern: re.Pattern[str] | None = None
    validator: str | None = None
    remember: bool = False

    def choice(self, value: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.value == value), None)


@dataclass(frozen=True, slots=True)
class Say:
    response: str


@dataclass(frozen=True, slots=True)
class Ask:
    slot: str
    prompt: str
    reprompt: str | None
    attempts: int
    on_failure: str  # "cancel", "skip", "handoff", or "goto" (then ``failure_target``)
    failure_target: int | None
    skippable: bool
    force: bool


@dataclass(frozen=True, slots=True)
class Act:
    action: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SetSlots:
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Branch:
    """Go on at the next instruction when ``test`` holds, else jump to ``target``."""

    source: str
    test: Callable[[Mapping[str, Any]], bool]
    target: int


@dataclass(frozen=True, slots=True)
class Jump:
    target: int


@dataclass(frozen=True, slots=True)
class Call:
    flow: str


@dataclass(frozen=True, slots=True)
class End:
    response: str | None


Instruction = Say | Ask | Act | SetSlots | Branch | Jump | Call | End


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: str  # intent, postback, referral or event
    value: str


@dataclass(frozen=True, slots=True)
class Flow:
    """One runnable flow; ``lines[pc]`` is where instruction ``pc`` was written."""

    name: str
    path: str
    titles: Mapping[str, str]
    triggers: tuple[Trigger, ...]
    slots: Mapping[str, SlotSpec]
    program: tuple[Instruction, ...]
    lines: tuple[int | None, ...]
    reminder: str | None = None
    resumable: bool = True
    fingerprint: str = field(default="")

    def title(self, language: str) -> str:
        return self.titles.get(language) or next(iter(self.titles.values()), self.name)
