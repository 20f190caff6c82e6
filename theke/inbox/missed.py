"""The questions the bot missed most often, grouped by similarity, so an agent sees what
to teach it first (``theke.inbox.teach``).

A miss is a customer message the bot answered with its fallback (not understood, only
guesses, out of scope, handed over after misunderstandings). Messages are grouped by the
overlap of their character trigrams (folded: umlauts and case do not matter, a typo
changes few trigrams), greedily, the newest first: each joins the group whose first
question it overlaps most, if enough, else starts one. The biggest groups come first.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, and_, select
from sqlalchemy.orm import aliased

from theke.content.summary import one_line
from theke.nlu.normalize import fold
from theke.store.schema import customers, events

__all__ = ["LOOKED_AT", "SIMILAR", "Missed", "MissedGroup", "missed_questions", "similarity"]

LOOKED_AT = 2000  # the newest misses considered
SIMILAR = 0.4  # the trigram overlap (Jaccard) that puts two questions in one group
_LABEL_SAMPLE = 50  # the newest examples a group's label is chosen from
_REASONS = (
    "no_match",
    "nlu_unsure",
    "out_of_scope",
    "intent_unanswered",
    "guess",
    "second_miss",
    "handed_over",
)


@dataclass(frozen=True, slots=True)
class Missed:
    """One missed message."""

    text: str
    conversation_id: str
    language: str | None
    at: datetime


@dataclass(slots=True)
class MissedGroup:
    """Similar missed questions; ``examples`` newest first."""

    seed: frozenset[str]  # the trigrams of the group's first question
    examples: list[Missed] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.examples)

    @property
    def label(self) -> str:
        """The most frequent wording; on a tie the most typical one (the one most like
        the others), so a typo does not become the label."""
        shown = self.examples[:_LABEL_SAMPLE]
        said = Counter(_wording(item.text) for item in shown)
        grams = [_trigrams(item.text) for item in shown]

        def typical(index: int) -> tuple[int, float]:
            likeness = sum(similarity(grams[index], other) for other in grams)
            return said[_wording(shown[index].text)], likeness

        return shown[max(range(len(shown)), key=typical)].text


def missed_questions(
    conn: Connection, now: datetime, *, days: int = 30, limit: int = 30
) -> list[MissedGroup]:
    """The ``limit`` biggest groups of messages missed in the last ``days``."""
    found = _misses(conn, now - timedelta(days=days))
    groups: list[MissedGroup] = []
    for item in found:
        grams = _trigrams(item.text)
        if not grams:
            continue
        best, score = None, 0.0
        for group in groups:
            overlap = similarity(grams, group.seed)
            if overlap > score:
                best, score = group, overlap
        if best is None or score < SIMILAR:
            best = MissedGroup(seed=frozenset(grams))
            groups.append(best)
        best.examples.append(item)
    groups.sort(key=lambda group: (-group.count, -group.examples[0].at.timestamp()))
    return groups[:limit]


def similarity(first: frozenset[str] | set[str], second: frozenset[str] | set[str]) -> float:
    """How much two sets of trigrams overlap (Jaccard: 0 nothing, 1 the same)."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def _misses(conn: Connection, since: datetime) -> list[Missed]:
    fallback, message = events.alias("f"), aliased(events, name="m")
    rows = conn.execute(
        select(message.c.content, message.c.conversation_id, message.c.created_at,
               customers.c.language)
        .select_from(fallback)
        .join(message, and_(
            message.c.conversation_id == fallback.c.conversation_id,
            message.c.inbound_id == fallback.c.inbound_id,
            message.c.kind == "message.in",
        ))
        .join(customers, customers.c.id == fallback.c.customer_id)
        .where(fallback.c.kind == "fallback", fallback.c.created_at >= since,
               fallback.c.data["reason"].as_string().in_(_REASONS))
        .order_by(fallback.c.id.desc())
        .limit(LOOKED_AT)
    )  # fmt: skip
    seen: set[tuple[str, datetime]] = set()
    found = []
    for row in rows:
        text = one_line(row.content)
        key = (row.conversation_id, row.created_at)
        if text and key not in seen:
            seen.add(key)
            found.append(Missed(text, row.conversation_id, row.language, row.created_at))
    return found


def _wording(text: str) -> str:
    return " ".join(fold(text).split())


def _trigrams(text: str) -> set[str]:
    words = " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())
    padded = f" {words} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)} if words else set()
