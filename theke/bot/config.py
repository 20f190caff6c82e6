"""The schema of ``theke.yml``: the bot's name, languages, persona and keywords."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from theke.knowledge.settings import KnowledgeSettings
from theke.nlu.settings import NluSettings

__all__ = [
    "Address",
    "BotConfig",
    "KeywordRule",
    "MatchKind",
    "MemorySettings",
    "WhatsAppSettings",
    "WhatsAppTemplate",
]

MatchKind = Literal["exact", "contains", "regex"]
Address = Literal["du", "Sie"]


def _one_or_many(value: object) -> object:
    """Let the owner write ``patterns: hallo`` for a list of one."""
    return [value] if isinstance(value, str | int | float) else value


_Words = Annotated[
    tuple[Annotated[str, Field(min_length=1)], ...],
    BeforeValidator(_one_or_many),
    Field(min_length=1),
]


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class KeywordRule(_Schema):
    """Input matching one of ``patterns`` is answered with ``response`` or treated as ``postback``.

    With ``language`` set, the patterns are words of that language: a match
    switches the conversation to it.
    """

    match: MatchKind = "exact"
    patterns: _Words
    response: str | None = None
    postback: str | None = None
    language: str | None = None


class MemorySettings(_Schema):
    """How the bot remembers: when a customer counts as returning, when to remind them.

    A customer who writes again after ``return_after_minutes`` is greeted
    back and offered the flow they left unfinished; a customer who goes
    silent in the middle of a flow gets one reminder after
    ``reminder_minutes`` (0: never), if the channel's rules allow it.
    """

    return_after_minutes: Annotated[int, Field(ge=1, le=60 * 24 * 30)] = 30
    reminder_minutes: Annotated[int, Field(ge=0, le=60 * 24)] = 60


class WhatsAppTemplate(_Schema):
    """An approved WhatsApp message template, for a message outside the 24-hour window.

    ``parameters`` fill the template's body placeholders ``{{1}}``, ``{{2}}``, ... in order;
    each is a Jinja template over the message's data (``"{{ order_number }}"``).
    """

    name: Annotated[str, Field(pattern=r"^[a-z0-9_]{1,512}$")]
    language: Annotated[str, Field(pattern=r"^[a-z]{2,3}(_[A-Z]{2})?$")] = "de"
    parameters: tuple[Annotated[str, Field(min_length=1)], ...] = ()

    @field_validator("parameters")
    @classmethod
    def _templates_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from jinja2 import TemplateSyntaxError

        from theke.dialogue.templates import names_in

        for parameter in value:
            try:
                names_in(parameter)
            except TemplateSyntaxError as exc:
                raise ValueError(f"parameter {parameter!r} is not a valid template: {exc}") from exc
        return value


class WhatsAppSettings(_Schema):
    """``whatsapp:`` in theke.yml: the approved templates, by the purpose of the message."""

    templates: dict[str, WhatsAppTemplate] = Field(default_factory=dict)


class BotConfig(_Schema):
    """The validated content of ``theke.yml``.

    ``intents`` maps an intent of ``nlu/<lang>.yml`` to the response that
    answers it, or to an FAQ entry as ``faq:<id>``; an intent not listed
    answers with the response of its own name, if there is one (an intent
    that starts a flow needs no entry).
    """

    name: Annotated[str, Field(min_length=1)]
    languages: _Words = ("de",)
    persona: str | None = None
    address: Address = "du"
    keywords: tuple[KeywordRule, ...] = ()
    postbacks: dict[str, str] = Field(default_factory=dict)
    fallback: str = "fallback"
    intents: dict[str, str] = Field(default_factory=dict)
    nlu: NluSettings = Field(default_factory=NluSettings)
    knowledge: KnowledgeSettings = Field(default_factory=KnowledgeSettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    whatsapp: WhatsAppSettings = Field(default_factory=WhatsAppSettings)

    @property
    def default_language(self) -> str:
        """The first language: used until the customer shows another one."""
        return self.languages[0]
