"""Comments under the shop's posts (Messenger's Page feed), kept for the inbox.

A comment is not a conversation: the webhook stores it here in the request's
transaction, once per comment id; an edit changes the text, a removal marks it.
Answering comments (publicly, or with one private reply) is the inbox's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, update

from theke.channels.base import InboundEvent, extra_time
from theke.store._dialect import upsert
from theke.store.schema import comments

__all__ = ["store"]

_STATUS = {"add": "new", "edited": "edited", "remove": "removed"}


def store(conn: Connection, events: Sequence[InboundEvent]) -> int:
    """Store ``comment`` events in order; returns how many changed something."""
    changed = 0
    for event in events:
        extra = event.extra
        comment_id = str(extra.get("comment_id") or "")
        status = _STATUS.get(str(extra.get("verb")))
        if not comment_id or status is None:
            continue
        if status == "removed":
            result = conn.execute(
                update(comments)
                .where(comments.c.channel == event.channel, comments.c.comment_id == comment_id)
                .values(status=status)
            )
        else:  # an edit of a comment whose "add" we missed is stored as it is now
            statement = upsert(conn, comments).values(_new_row(event, comment_id, status))
            keys = ["channel", "comment_id"]
            result = conn.execute(
                statement.on_conflict_do_nothing(index_elements=keys)
                if status == "new"
                else statement.on_conflict_do_update(
                    index_elements=keys, set_={"text": event.text, "status": status}
                )
            )
        changed += max(0, int(result.rowcount))
    return changed


def _new_row(event: InboundEvent, comment_id: str, status: str) -> dict[str, Any]:
    extra = event.extra
    return {
        "channel": event.channel,
        "comment_id": comment_id,
        "post_id": str(extra.get("post_id") or "")[:255],
        "parent_id": _text(extra.get("parent_id")),
        "author_id": event.sender,
        "author_name": _text(extra.get("from_name")),
        "text": event.text,
        "status": status,
        "commented_at": extra_time(extra.get("created_time")),
        "received_at": event.received_at,
    }


def _text(value: object) -> str | None:
    """At most 255 characters that PostgreSQL can store (lone surrogates as "?")."""
    return str(value).encode("utf-8", "replace").decode("utf-8")[:255] if value else None
