"""What agents taught the bot in the inbox, laid over the bot folder.

The bot folder stays as the owner wrote it; a taught FAQ entry (a customer's question
and the agent's answer) joins the FAQ, a taught example (a customer's question for an
intent) joins that language's training data. ``theke bot export`` writes them into the
folder for review in git (``theke.inbox.export``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType

from theke.bot.loader import Bot
from theke.content import Text
from theke.knowledge.entries import Entry
from theke.knowledge.loader import TITLE_MAX
from theke.nlu.data import Example, Source, TrainingData

__all__ = ["Overlay", "Taught", "apply_overlay", "taught_entry_id", "taught_title"]

_SOURCE = "inbox"  # the training examples' source: taught in the inbox


@dataclass(frozen=True, slots=True)
class Taught:
    """One thing an agent taught: a new FAQ entry (``answer`` set) or an intent example."""

    id: int
    kind: str  # "faq" or "example"
    language: str
    question: str
    answer: str | None = None
    intent: str | None = None


@dataclass(frozen=True, slots=True)
class Overlay:
    """Everything taught that is in force, as of ``version`` (0: nothing ever taught)."""

    version: int = 0
    items: tuple[Taught, ...] = ()


def taught_entry_id(item_id: int) -> str:
    """The FAQ id of a taught entry: ``taught_12``."""
    return f"taught_{item_id}"


def apply_overlay(bot: Bot, items: Sequence[Taught]) -> Bot:
    """``bot`` with the taught FAQ entries and examples added (languages it does not
    speak, and examples of intents it does not know, are left out)."""
    if not items:
        return bot
    knowledge = dict(bot.knowledge)
    for item in items:
        if item.kind == "faq" and item.answer and item.language in bot.config.languages:
            entry = _entry(item)
            knowledge[entry.id] = entry
    nlu = tuple(_with_examples(data, items) for data in bot.nlu)
    return replace(bot, knowledge=MappingProxyType(knowledge), nlu=nlu)


def taught_title(question: str) -> str:
    """The FAQ title of a taught entry: the question, cut to fit a button."""
    title = " ".join(question.split())
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1].rstrip() + "…"


def _entry(item: Taught) -> Entry:
    return Entry(
        id=taught_entry_id(item.id),
        titles={item.language: taught_title(item.question)},
        questions={item.language: (item.question,)},
        answers={item.language: ((Text(text=item.answer or ""),),)},
    )


def _with_examples(data: TrainingData, items: Sequence[Taught]) -> TrainingData:
    known = set(data.intents)
    added = tuple(
        Example(text=item.question, intent=item.intent, source=Source(_SOURCE, item.id))
        for item in items
        if item.kind == "example"
        and item.language == data.language
        and item.intent in known
        and item.intent is not None
    )
    return replace(data, examples=data.examples + added) if added else data
