"""The ``knowledge:`` section of ``theke.yml``: when an FAQ answer is given."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["KnowledgeSettings"]


class KnowledgeSettings(BaseModel):
    """Per-bot FAQ settings; the defaults work for a shop bot.

    ``threshold`` is the score (0..1, roughly the chance that the entry
    answers the question) from which the best FAQ entry is given as the
    answer; below it the bot does not answer from the FAQ. ``feedback``
    asks "Hat dir das geholfen?" after each FAQ answer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
    feedback: bool = True
