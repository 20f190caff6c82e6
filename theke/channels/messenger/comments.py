"""Answers to comments under the Page's posts: a reply under the comment for everyone to
read, or the one private reply in Messenger.

- Public: ``POST /{comment-id}/comments`` with ``message``; Meta answers with the new
  comment's ``id``. It needs the Page permissions ``pages_manage_engagement`` and
  ``pages_read_user_content``.
- Private: the Send API (``POST /{page-id}/messages``) with ``recipient: {"comment_id"}``.
  Meta takes one per comment, within 7 days of it: the callers check first
  (``theke.inbox.comments.private_reply_problem``), and Meta's refusal is final.

Both go through the Messenger sender's Graph client (its connections and Page token) and
its rate limit. Meta's errors become the delivery errors of ``messenger.errors``, and
three more: ``(#10903)`` (too late for a private reply) is ``OutsideWindow``, ``(#10900)``
(a private reply went out already) ``AlreadyReplied``, and a comment that is gone (removed,
hidden, or never seen by this token: ``(#100)`` subcode 33, or 2534025 for a private
reply) ``CommentGone``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog

from theke.channels._outgoing import payload_keys
from theke.channels.graph import GraphError, GraphSender, HttpFailed
from theke.channels.messenger._template import PAYLOAD_MAX
from theke.channels.messenger.errors import delivery_error
from theke.channels.messenger.render import render
from theke.channels.messenger.sender import MessengerSender
from theke.content import Content
from theke.errors import DeliveryError, OutsideWindow

__all__ = ["AlreadyReplied", "CommentGone", "CommentReplies", "comment_error"]

_GONE_SUBCODES = frozenset({33, 2534025})

_log = structlog.get_logger("theke.channels.messenger")


class AlreadyReplied(DeliveryError):
    """The comment has had its one private reply (through Theke or elsewhere)."""

    permanent = True
    code = "already_replied"


class CommentGone(DeliveryError):
    """The comment is no longer there to answer: removed, hidden, or unknown to the token."""

    permanent = True
    code = "comment_gone"


def comment_error(error: GraphError) -> DeliveryError:
    """The ``DeliveryError`` for a failed reply to a comment."""
    text = f"messenger: {error}"
    if error.code == 10900:
        return AlreadyReplied(text)
    if error.code == 10903:
        return OutsideWindow(text)
    if error.code == 100 and error.subcode in _GONE_SUBCODES:
        return CommentGone(text)
    return delivery_error(error)


class CommentReplies(GraphSender):
    """Replies to the comments under one Page's posts."""

    channel = "messenger"
    delivery_error = staticmethod(comment_error)

    @classmethod
    def beside(cls, sender: MessengerSender, page_id: str) -> CommentReplies:
        """Replies that share ``sender``'s client, database and rate limit."""
        return cls(
            sender._client,
            sender._db,
            account=page_id,
            public_url=sender._public_url,
            gate=sender._gate,
        )

    async def reply_publicly(self, comment_id: str, text: str) -> str:
        """Post ``text`` under the comment; the id Meta gave the reply."""
        if self._gate is not None:
            await self._gate.wait(comment_id)
        path = f"{quote(comment_id, safe='')}/comments"
        try:
            answer = await self._client.post(path, {"message": text})
        except GraphError as exc:
            raise comment_error(exc) from exc
        except HttpFailed as exc:
            raise DeliveryError(f"messenger: {exc}", code="network") from exc
        return str(answer.get("id") or "")

    async def reply_privately(self, comment_id: str, content: Content) -> None:
        """Send ``content`` to the comment's author in Messenger, as its one private reply.

        Meta takes one message there, so a content that renders as several (a text over
        2,000 characters, a picture with a caption) sends its first part only.
        """
        payload_id = await payload_keys(self._db, content, lambda p: len(p) > PAYLOAD_MAX)
        bodies = render(content, comment_id, public_url=self._public_url, payload_id=payload_id)
        messages: list[dict[str, Any]] = [body["message"] for body in bodies if "message" in body]
        if not messages:
            raise DeliveryError("messenger: the private reply says nothing", code="empty")
        if len(messages) > 1:
            _log.warning("theke.channels.messenger.private_reply_shortened", parts=len(messages))
        body = {
            "recipient": {"comment_id": comment_id},
            "messaging_type": "RESPONSE",
            "message": messages[0],
        }
        await self._post(comment_id, body)
