"""Messages the shop starts about an order (paid, shipped, cancelled) or a restock.

They go through the outbox like every reply, marked with why they go out
(``purpose``) so the policy can allow them past the platforms' windows:
Messenger's ``POST_PURCHASE_UPDATE`` tag, a WhatsApp template named for the
purpose in ``theke.yml``, or the customer's opt-in token. Each is logged in
the conversation, so the history shows what the customer was told.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from theke.content import Content, to_json
from theke.store import conversations, log
from theke.store.conversations import Conversation
from theke.store.outbox import NewMessage, enqueue

__all__ = ["tell"]


def tell(
    conn: Connection,
    conversation: Conversation | str,
    contents: Sequence[Content],
    *,
    purpose: str,
    now: datetime,
    data: Mapping[str, Any] | None = None,
) -> list[int]:
    """Queue ``contents`` for the customer of a conversation (loaded already, or its id);
    returns the outbox ids. Nothing is queued when the conversation is gone (erased).
    """
    if isinstance(conversation, str):
        found = conversations.get(conn, conversation)
        if found is None:
            return []
        conversation = found
    if not contents:
        return []
    messages = [
        NewMessage(
            conversation_id=conversation.id,
            channel=conversation.channel,
            recipient=conversation.external_id,
            content=to_json(content),
            is_reply=False,
            purpose=purpose,
            data=dict(data or {}),
        )
        for content in contents
    ]
    ids = enqueue(conn, messages)
    log.append(
        conn,
        [
            log.message_out(
                conversation.id, conversation.customer_id, message.content, outbox_id, now
            )
            for message, outbox_id in zip(messages, ids, strict=True)
        ],
    )
    return ids
