"""The schema of ``flows/*.yml``: flows, their triggers, slots and steps, as the owner writes them.

A file maps flow names to flows. A flow has ``steps``: each step is a
mapping with exactly one of the keys ``say``, ``ask``, ``action``, ``set``,
``if``, ``flow``, ``goto`` or ``end`` (a bare ``- end`` works too), and
optionally an ``id`` that ``goto`` and ``on_failure`` can name.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

__all__ = [
    "STEP_KINDS",
    "ActionStep",
    "AskStep",
    "ChoiceSchema",
    "EndStep",
    "FlowSchema",
    "FlowStep",
    "GotoStep",
    "IfStep",
    "SayStep",
    "SetStep",
    "SlotSchema",
    "SlotType",
    "StepSchema",
    "TriggerSchema",
]

SlotType = Literal[
    "text", "number", "integer", "price", "size", "color", "date", "email", "phone", "boolean",
    "choice", "entity",
]  # fmt: skip

_Name = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
_Key = Annotated[str, Field(min_length=1, max_length=200)]


class _Schema(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, coerce_numbers_to_str=True, populate_by_name=True
    )


def _choice(value: object) -> object:
    """``- running`` is short for ``- {value: running}``."""
    return {"value": value} if isinstance(value, str | int | float) else value


class ChoiceSchema(_Schema):
    """One allowed value of a slot, with the title shown on its quick reply per language."""

    value: _Key
    title: dict[str, Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=dict
    )


class SlotSchema(_Schema):
    """What a slot holds and how an answer is checked."""

    type: SlotType = "text"
    entity: str | None = None
    choices: tuple[Annotated[ChoiceSchema, BeforeValidator(_choice)], ...] = ()
    min: float | None = None
    max: float | None = None
    pattern: str | None = None
    validator: _Name | None = None
    remember: bool = False


class TriggerSchema(_Schema):
    """What starts a flow: exactly one of the keys."""

    intent: str | None = None
    postback: str | None = None
    referral: str | None = None
    event: str | None = None


class SayStep(_Schema):
    say: _Key
    id: _Name | None = None


class AskStep(_Schema):
    ask: _Name
    prompt: _Key
    reprompt: _Key | None = None
    attempts: Annotated[int, Field(ge=1, le=10)] = 3
    on_failure: str = "cancel"
    skippable: bool = False
    force: bool = False
    id: _Name | None = None


class ActionStep(_Schema):
    action: _Name
    args: dict[str, Any] = Field(default_factory=dict, alias="with")
    id: _Name | None = None


class SetStep(_Schema):
    set: dict[_Name, Any]
    id: _Name | None = None


class IfStep(_Schema):
    condition: Annotated[str, Field(min_length=1)] = Field(alias="if")
    then: list[Any] = Field(default_factory=list)
    otherwise: list[Any] = Field(default_factory=list, alias="else")
    id: _Name | None = None


class FlowStep(_Schema):
    flow: _Name
    id: _Name | None = None


class GotoStep(_Schema):
    goto: _Name
    id: _Name | None = None


class EndStep(_Schema):
    end: _Key | None = None
    id: _Name | None = None


StepSchema = SayStep | AskStep | ActionStep | SetStep | IfStep | FlowStep | GotoStep | EndStep

STEP_KINDS: dict[str, type[StepSchema]] = {
    "say": SayStep,
    "ask": AskStep,
    "action": ActionStep,
    "set": SetStep,
    "if": IfStep,
    "flow": FlowStep,
    "goto": GotoStep,
    "end": EndStep,
}
"""The key that names a step's kind → the model of that kind."""


class FlowSchema(_Schema):
    """One flow. ``steps`` are checked one by one by the loader (see ``STEP_KINDS``)."""

    title: dict[str, Annotated[str, Field(min_length=1, max_length=20)]] = Field(
        default_factory=dict
    )
    triggers: tuple[TriggerSchema, ...] = ()
    slots: dict[_Name, SlotSchema] = Field(default_factory=dict)
    steps: list[Any] = Field(min_length=1)
    reminder: _Key | None = None
    resumable: bool = True
