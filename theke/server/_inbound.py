"""What every platform webhook does with its parsed events before it answers 200."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.store import conversations, short_payloads
from theke.store.database import Database
from theke.store.schema import utcnow

__all__ = ["accept", "acknowledge_later", "storable"]


async def accept(runtime: Runtime, events: Sequence[InboundEvent]) -> int:
    """Store ``events`` for the worker, in order, in as few commits as the ingestor can.

    Returns only when every event is durable (the platform may then be told "200"), and
    how many of them were new: a redelivered event (the same id) is stored once.
    """
    if not events:
        return 0
    expanded = [storable(await _expanded(runtime.db, event)) for event in events]
    # Submitted together, so they share the ingestor's next commit instead of one each.
    accepted = await asyncio.gather(*(runtime.ingestor.submit(event) for event in expanded))
    return sum(1 for result in accepted if result is not None)


async def _expanded(db: Database, event: InboundEvent) -> InboundEvent:
    """A button whose payload was too long for the platform carries its short key: look it up."""
    key = event.postback
    if key is None or not key.startswith(short_payloads.PREFIX):
        return event
    payload = await db.read(lambda conn: short_payloads.lookup(conn, key))
    return replace(event, postback=payload if payload is not None else key)


def _clean(text: str | None) -> str | None:
    """Lone surrogates (half an emoji, from a broken client) become "?": they cannot be
    stored as UTF-8, and the rest of the message is kept."""
    if text is None:
        return None
    return text.encode("utf-8", "replace").decode("utf-8")


def storable(event: InboundEvent) -> InboundEvent:
    """``event`` with texts PostgreSQL can store (lone surrogates as "?")."""
    text, postback, title = (_clean(value) for value in (event.text, event.postback, event.title))
    if (text, postback, title) == (event.text, event.postback, event.title):
        return event
    return replace(event, text=text, postback=postback, title=title)


def acknowledge_later(runtime: Runtime, channel: str, events: Sequence[InboundEvent]) -> None:
    """After the 200, off its path: seen and typing (a tap: its spinner stopped), once per
    customer and delivery, on platforms whose sender can say so; skipped under load."""
    acknowledge = getattr(runtime.senders.get(channel), "acknowledge", None)
    if acknowledge is None:
        return
    latest: dict[str, InboundEvent] = {}
    for event in events:
        if event.kind in ("message", "postback") and not event.extra.get("standby"):
            latest[event.sender] = event
    for event in latest.values():
        runtime.courtesies.start(_if_the_bot_answers, runtime, acknowledge, event)


async def _if_the_bot_answers(
    runtime: Runtime, acknowledge: Callable[[InboundEvent], Awaitable[None]], event: InboundEvent
) -> None:
    """Seen and typing only where the bot will answer: not while a person has the chat."""
    key = event.conversation_key
    found = await runtime.db.read(lambda conn: conversations.load_many(conn, [key]).get(key))
    if found is not None and found.mode == "human":
        if not conversations.pause_over(found.mode, found.human_until, utcnow()):
            return
    await acknowledge(event)
