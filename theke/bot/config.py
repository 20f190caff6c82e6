"""The schema of ``theke.yml``: the bot's name, languages, persona and keywords."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from theke.nlu.settings import NluSettings

__all__ = ["Address", "BotConfig", "KeywordRule", "MatchKind"]

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


class BotConfig(_Schema):
    """The validated content of ``theke.yml``.

    ``intents`` maps an intent of ``nlu/<lang>.yml`` to the response that
    answers it; an intent not listed answers with the response of its own
    name, if there is one.
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

    @property
    def default_language(self) -> str:
        """The first language: used until the customer shows another one."""
        return self.languages[0]
