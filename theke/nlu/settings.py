"""The ``nlu:`` section of ``theke.yml``: how the bot understands messages."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ENCODERS", "EncoderName", "NluSettings"]

EncoderName = Literal["use", "e5", "none"]
ENCODERS: tuple[EncoderName, ...] = ("use", "e5", "none")


class NluSettings(BaseModel):
    """Per-bot NLU settings; every field has a default that works for a shop bot.

    ``threshold``, ``margin`` and ``min_similarity`` decide out-of-scope: a
    message whose best intent has less confidence than ``threshold``, beats
    the second best by less than ``margin``, or whose sentence embedding is
    less similar than ``min_similarity`` to every training example (an
    off-topic question the classifier would still force into some intent)
    has no intent, and the bot falls back.
    ``patterns`` are the bot's own regex entities, e.g. its order numbers.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    encoder: EncoderName = "use"
    threshold: Annotated[float, Field(ge=0.0, le=1.0)] = 0.35
    margin: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    min_similarity: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.35
    ranking: Annotated[int, Field(ge=1, le=20)] = 5
    timezone: str = "Europe/Berlin"
    region: Annotated[str, Field(min_length=2, max_length=2)] = "DE"
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "EUR"
    patterns: dict[str, str] = Field(
        default_factory=lambda: {"order_number": r"\b[A-Z]{2}-?\d{6}\b"}
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, timezone: str) -> str:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"`{timezone}` is not a time zone; use one like Europe/Berlin"
            ) from exc
        return timezone

    @field_validator("region")
    @classmethod
    def _known_region(cls, region: str) -> str:
        import phonenumbers

        if region.upper() not in phonenumbers.SUPPORTED_REGIONS:
            raise ValueError(f"`{region}` is not a country code; use one like DE, AT or CH")
        return region.upper()

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, patterns: dict[str, str]) -> dict[str, str]:
        for name, pattern in patterns.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"the pattern for `{name}` is not a regular expression: {exc}"
                ) from exc
        return patterns
