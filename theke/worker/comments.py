"""The bot's answers to comments under the shop's Facebook posts.

Each run claims the comments the bot has not looked at yet (each comment once: two
workers never answer the same one), decides with :func:`theke.inbox.comments.decide` and
sends: the private reply first (a keyword rule's message, or the FAQ answer with
``faq: private``), then the reply under the comment. An answered comment is marked
``answered`` by ``bot`` with its rule, and open inbox pages are told. A comment the bot
does not answer stays open for a person: nothing matched, Meta no longer takes a private
reply (7 days, or one went out already), or Meta refused; refusals are logged with their
code and not tried again. Without a Messenger Page configured nothing happens. The logs
carry our comment ids, never what a comment says.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

import structlog

from theke.errors import DeliveryError
from theke.inbox.changes import LIVE_TOPIC
from theke.inbox.comments import CommentAnswer, comment_language, decide, private_reply_problem
from theke.store import comments
from theke.store.comments import BOT, Comment
from theke.store.database import Database
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals

if TYPE_CHECKING:
    from theke.bot import Bot
    from theke.channels.messenger.comments import CommentReplies
    from theke.knowledge import KnowledgeBase
    from theke.runtime import Runtime

__all__ = ["CHANNEL", "CommentResponder"]

CHANNEL = "messenger"
"""Where the comments come from: the Page's feed webhook."""

_log = structlog.get_logger("theke.worker.comments")


class CommentResponder:
    """Answers the comments the bot can answer, for one Page (``replies=None``: none)."""

    def __init__(
        self,
        db: Database,
        signals: LocalSignals,
        replies: CommentReplies | None,
        bot: Callable[[], Bot],
        knowledge: Callable[[], KnowledgeBase | None],
        *,
        page_id: str,
        batch: int = 20,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._db = db
        self._signals = signals
        self._replies = replies
        self._bot = bot
        self._knowledge = knowledge
        self._page_id = page_id
        self._batch = batch
        self._clock = clock

    @classmethod
    def of(cls, runtime: Runtime) -> CommentResponder:
        """The responder for the runtime's Messenger Page, with its current bot and FAQ."""
        from theke.channels.messenger.comments import CommentReplies
        from theke.channels.messenger.sender import MessengerSender

        sender = runtime.senders.get(CHANNEL)
        page = runtime.settings.messenger_page_id
        replies = (
            CommentReplies.beside(sender, page)
            if isinstance(sender, MessengerSender) and page
            else None
        )
        return cls(
            runtime.db,
            runtime.signals,
            replies,
            lambda: runtime.bot,
            lambda: runtime.engine.knowledge,
            page_id=page or "",
        )

    async def run_once(self) -> int:
        """Answer a batch of new comments; how many the bot looked at."""
        replies = self._replies
        if replies is None:
            return 0
        claimed = await self._db.write(
            lambda conn: comments.claim_for_bot(
                conn, channel=CHANNEL, page_id=self._page_id, limit=self._batch
            )
        )
        answered = [comment for comment in claimed if await self._answer(replies, comment)]
        if answered:
            await self._signals.publish(LIVE_TOPIC)
        return len(claimed)

    async def _answer(self, replies: CommentReplies, comment: Comment) -> bool:
        """Answer ``comment`` if the bot can; whether it is now answered."""
        text = comment.text or ""
        answer = await asyncio.to_thread(self._decide, text, comment.comment_id) if text else None
        now = self._clock()
        reason = _unanswerable(comment, answer, now)
        if answer is None or reason is not None:
            _log.info("theke.worker.comments.left_open", comment=comment.id, reason=reason)
            return False
        private, reply_id = await _send(replies, comment, answer)
        if not private and reply_id is None:
            return False
        await self._db.write(
            lambda conn: comments.mark_answered(
                conn, comment.id, by=BOT, now=now, reply_id=reply_id, private=private,
                rule=answer.rule,
            )
        )  # fmt: skip
        _log.info(
            "theke.worker.comments.answered",
            comment=comment.id,
            rule=answer.rule,
            public=reply_id is not None,
            private=private,
        )
        return True

    def _decide(self, text: str, seed: str) -> CommentAnswer | None:
        """The bot's answer (off the event loop: the language guess and the FAQ search)."""
        bot = self._bot()
        language = comment_language(text, bot)
        return decide(text, bot, language, knowledge=self._knowledge(), seed=seed)


def _unanswerable(comment: Comment, answer: CommentAnswer | None, now: datetime) -> str | None:
    """Why the bot leaves ``comment`` to a person (``None``: it answers)."""
    if answer is None:
        return "no_rule"
    late = private_reply_problem(comment.written_at, comment.private_replied_at, now)
    if answer.private is not None and late is not None:
        return "private_too_late"
    return None


async def _send(
    replies: CommentReplies, comment: Comment, answer: CommentAnswer
) -> tuple[bool, str | None]:
    """The private reply, then the public one: whether the first went out, and the public
    reply's id. A refusal stops there (a public "see your inbox" without the private
    message would be wrong)."""
    private, reply_id = False, None
    try:
        if answer.private is not None:
            await replies.reply_privately(comment.comment_id, answer.private)
            private = True
        if answer.public is not None:
            reply_id = await replies.reply_publicly(comment.comment_id, answer.public)
    except DeliveryError as exc:
        _log.warning(
            "theke.worker.comments.refused",
            comment=comment.id,
            rule=answer.rule,
            error=exc.code,
            private_sent=private,
        )
    return private, reply_id
