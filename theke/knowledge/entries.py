"""One FAQ entry as the bot folder's ``knowledge/*.yml`` defines it, and a search result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from theke.bot.messages import Variants

__all__ = ["Entry", "Match"]


@dataclass(frozen=True, slots=True)
class Entry:
    """A question the shop answers: its variants and its answer, per language."""

    id: str
    titles: Mapping[str, str]
    """Language → the short title (at most 20 characters) shown on quick replies."""
    questions: Mapping[str, tuple[str, ...]]
    """Language → the ways customers ask it."""
    answers: Mapping[str, Variants]
    """Language → the answer, as any response in ``responses/<lang>.yml``."""
    follow_up: tuple[str, ...] = ()
    """Ids of other entries offered as quick replies after the answer."""
    path: Path | None = None
    """The file that defines the entry (``None`` for entries built in code)."""
    line: int | None = None
    """The line of the entry's ``- id:`` in that file."""

    def answer(self, language: str) -> Variants:
        """The answer in ``language``, or in the entry's first language when it has none."""
        found = self.answers.get(language)
        if found is None:
            if not self.answers:
                raise KeyError(f"the entry `{self.id}` has no answer")
            found = next(iter(self.answers.values()))
        return found

    def title(self, language: str) -> str:
        """The title in ``language``, or in the entry's first language when it has none."""
        found = self.titles.get(language)
        return found if found is not None else next(iter(self.titles.values()), self.id)

    @property
    def where(self) -> str:
        """``knowledge/shipping.yml line 4``: where the owner finds the entry."""
        if self.path is None:
            return f"the entry `{self.id}`"
        return f"{self.path} line {self.line}" if self.line else str(self.path)


@dataclass(frozen=True, slots=True)
class Match:
    """An entry that answers a question with ``score`` (0..1, comparable to one threshold)."""

    entry_id: str
    score: float
