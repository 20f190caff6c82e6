"""What changed in the inbox since an agent's page last looked: the change feed behind
the live updates.

Every change to a conversation writes to its event log (messages, hand-overs, notes,
closing), so the log is the feed: a page remembers the newest event id it has seen and
asks for the ones after it. On PostgreSQL ids are handed out before their transaction
commits, so an id below the newest seen may still appear: the feed looks back a little
(``LOOKBACK`` ids) and remembers which of those it already reported. ``LIVE_TOPIC`` is
the signal that wakes the pages at once (through Redis across processes); without it
they find the change at their next poll.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, func, select

from theke.store.schema import events

__all__ = ["HANDOFF_STARTED", "LIVE_TOPIC", "LOOKBACK", "ChangeFeed", "Changes"]

LIVE_TOPIC = "inbox"
LOOKBACK = 128
_MOST = 5000  # events read per poll: after a burst the rest comes with the next poll
HANDOFF_STARTED = "handoff.started"  # the bot handed the conversation to a person


@dataclass(frozen=True, slots=True)
class Changes:
    """The conversations that changed, and which of them now need someone."""

    conversations: tuple[str, ...] = ()
    handed_over: tuple[str, ...] = ()  # the bot just handed them to a person
    assigned: tuple[tuple[str, str], ...] = ()  # (conversation, colleague) just given

    def __bool__(self) -> bool:
        return bool(self.conversations)


@dataclass(slots=True)
class ChangeFeed:
    """One page's position in the event log."""

    newest: int
    _reported: set[int] = field(default_factory=set)

    @classmethod
    def from_now(cls, conn: Connection) -> ChangeFeed:
        """A feed that reports what happens from now on."""
        newest = int(conn.execute(select(func.max(events.c.id))).scalar() or 0)
        recent = conn.execute(select(events.c.id).where(events.c.id > newest - LOOKBACK))
        return cls(newest=newest, _reported=set(recent.scalars()))

    def poll(self, conn: Connection) -> Changes:
        """What happened since the last poll (each event reported once)."""
        floor = self.newest - LOOKBACK
        rows = conn.execute(
            select(events.c.id, events.c.conversation_id, events.c.kind, events.c.data)
            .where(events.c.id > floor)
            .order_by(events.c.id)
            .limit(_MOST)
        ).all()
        fresh = [row for row in rows if row.id > self.newest or row.id not in self._reported]
        if not fresh:
            return Changes()
        self.newest = max(self.newest, fresh[-1].id)
        self._reported = {row.id for row in rows if row.id > self.newest - LOOKBACK}
        changed = dict.fromkeys(row.conversation_id for row in fresh)
        handed = dict.fromkeys(row.conversation_id for row in fresh if row.kind == HANDOFF_STARTED)
        given = tuple(
            (row.conversation_id, str(row.data.get("to")))
            for row in fresh
            if row.kind == "handoff.assigned" and isinstance(row.data, dict)
        )
        return Changes(tuple(changed), tuple(handed), given)
