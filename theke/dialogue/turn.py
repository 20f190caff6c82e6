"""What goes into the engine (one customer input) and what comes out (one turn)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from theke.content import Content

__all__ = ["Event", "Inbound", "Turn"]

Event = tuple[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Inbound:
    """One customer input: typed ``text``, or the ``postback`` payload of a tapped button.

    When a channel delivers both (a quick reply carries its title and its
    payload), the postback decides.
    """

    text: str | None = None
    postback: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """The engine's answer to one input.

    ``state`` is the conversation's new JSON-serialisable state; ``replies``
    are sent in order; ``events`` go to the event log and never carry what
    the customer wrote.
    """

    state: dict[str, Any]
    replies: tuple[Content, ...]
    events: tuple[Event, ...]
