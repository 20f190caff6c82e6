"""What the inbox list knows about each conversation, kept in step with the event log.

Every message in or out updates its conversation's row in the same transaction: when the
newest message was, one line of the customer's newest words (what they want is what an
agent scans the list for), how many messages the customer has sent (for unread counts),
since when the customer has been waiting for an answer, and a closed conversation opens
again when the customer writes. Its words go into the search index. The list then reads
one row per conversation instead of the log.

Waiting: the first customer message after the shop's last answer starts it. An agent's
answer ends it; so does the bot's while the bot has the conversation. A hand-over to a
person starts it too (``conversations.set_mode``), and handing back ends it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Integer, String, bindparam, case, func, null, update

from theke.content.summary import one_line
from theke.store.schema import UTCDateTime, conversations, message_search
from theke.store.search import indexed_text

if TYPE_CHECKING:
    from theke.store.log import LogEntry

__all__ = ["INBOUND_KINDS", "MESSAGE_KINDS", "PREVIEW_MAX", "record"]

INBOUND_KINDS = frozenset({"message.in", "postback.in"})
MESSAGE_KINDS = INBOUND_KINDS | {"message.out"}
PREVIEW_MAX = 300


def record(conn: Connection, entries: Sequence[LogEntry], event_ids: Sequence[int]) -> None:
    """Update the rows and the search index for the messages among ``entries``
    (``event_ids``: their ids in the log, in the same order)."""
    found = []
    by_conversation: dict[str, list[tuple[LogEntry, str | None]]] = {}
    for entry, event_id in zip(entries, event_ids, strict=True):
        if entry.kind not in MESSAGE_KINDS:
            continue
        text = one_line(entry.content)
        by_conversation.setdefault(entry.conversation_id, []).append((entry, text))
        if text:
            found.append(
                {
                    "event_id": event_id,
                    "conversation_id": entry.conversation_id,
                    "body": indexed_text(text),
                }
            )
    if found:
        conn.execute(message_search.insert(), found)
    if by_conversation:
        conn.execute(_UPDATE, [_params(cid, batch) for cid, batch in by_conversation.items()])


def _params(conversation_id: str, batch: Sequence[tuple[LogEntry, str | None]]) -> dict[str, Any]:
    """What one batch of messages (with their words) does to one conversation's row."""
    last_answer = max(
        (i for i, (entry, _) in enumerate(batch) if entry.kind not in INBOUND_KINDS),
        default=None,
    )
    inbound = [(entry, text) for entry, text in batch if entry.kind in INBOUND_KINDS]
    after = (
        inbound
        if last_answer is None
        else [item for item in batch[last_answer + 1 :] if item[0].kind in INBOUND_KINDS]
    )
    said = [text for _, text in inbound if text]  # the customer's words, not the bot's
    return {
        "cid": conversation_id,
        "last_at": batch[-1][0].created_at,
        "preview": said[-1][:PREVIEW_MAX] if said else None,
        "inbound": len(inbound),
        "first_in": inbound[0][0].created_at if inbound else None,
        "answered_by": "" if last_answer is None else batch[last_answer][0].actor,
        "first_in_after": after[0][0].created_at if after else None,
    }


_c = conversations.c
# Typed, so both databases get the right parameter types inside CASE and COALESCE.
_preview = bindparam("preview", type_=String(PREVIEW_MAX))
_answered_by = bindparam("answered_by", type_=String(16))
_inbound = bindparam("inbound", type_=Integer)
_still_waiting = func.coalesce(_c.waiting_since, bindparam("first_in", type_=UTCDateTime()))
_UPDATE = (
    update(conversations)
    .where(_c.id == bindparam("cid"))
    .values(
        last_message_at=bindparam("last_at", type_=UTCDateTime()),
        preview=func.coalesce(_preview, _c.preview),
        inbound_count=_c.inbound_count + _inbound,
        closed_at=case((_inbound > 0, null()), else_=_c.closed_at),
        waiting_since=case(
            # Nothing answered in this batch: the customer waits since they first wrote.
            (_answered_by == "", _still_waiting),
            # Answered by an agent, or by the bot while it has the conversation.
            (
                (_answered_by == "agent") | (_c.mode == "bot"),
                bindparam("first_in_after", type_=UTCDateTime()),
            ),
            # The bot spoke while a person has the conversation: still waiting.
            else_=_still_waiting,
        ),
    )
)
