"""Comments under the shop's posts (Messenger's Page feed), kept for the inbox.

A comment is not a conversation: the webhook stores it here in the request's
transaction, once per comment id; an edit changes the text, a removal marks it
(``status``). The shop's side is ``state``: ``open`` until the bot or an agent answers it
(``answered``) or an agent sets it aside (``dismissed``). The bot looks at each comment
once: :func:`claim_for_bot` marks it with ``rule`` ``"bot"`` in a conditional UPDATE, so
two workers never both answer; when the bot answers, ``rule`` says with what.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, func, select, update

from theke.channels.base import InboundEvent, extra_time
from theke.store._dialect import upsert
from theke.store.schema import comments, utcnow

__all__ = [
    "BOT",
    "BOT_AGE",
    "PAGE_SIZE",
    "SENDING_FOR",
    "STATES",
    "Comment",
    "CommentPage",
    "claim_for_bot",
    "counts",
    "dismiss",
    "get",
    "listing",
    "mark_answered",
    "start_sending",
    "stop_sending",
    "store",
]

BOT = "bot"
"""``answered_by`` of the bot's answers, and ``rule`` of a comment the bot has claimed."""
STATES = ("open", "answered", "dismissed")
BOT_AGE = timedelta(days=2)
"""The bot answers comments that reached us at most this long ago."""
SENDING_FOR = timedelta(minutes=2)
"""How long an agent's answer in flight keeps others off the comment."""
PAGE_SIZE = 50
_c = comments.c
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


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment and what the shop did about it."""

    id: int
    channel: str
    comment_id: str
    post_id: str
    parent_id: str | None
    author_id: str
    author_name: str | None
    text: str | None
    status: str  # the platform's: new, edited, removed
    commented_at: datetime | None
    received_at: datetime
    state: str  # the shop's: open, answered, dismissed
    answered_at: datetime | None
    answered_by: str | None
    reply_id: str | None
    private_replied_at: datetime | None
    rule: str | None

    @property
    def written_at(self) -> datetime:
        """When the comment was written (when it reached us, if Meta did not say)."""
        return self.commented_at or self.received_at


@dataclass(frozen=True, slots=True)
class CommentPage:
    """A page of the comments list and whether there are more after it."""

    rows: list[Comment]
    more: bool


def get(conn: Connection, comment_id: int) -> Comment | None:
    """The comment with our ``id`` (not Meta's comment id)."""
    row = conn.execute(select(comments).where(_c.id == comment_id)).first()
    return _comment(row) if row is not None else None


def listing(conn: Connection, state: str, page: int = 1, size: int = PAGE_SIZE) -> CommentPage:
    """The comments in ``state`` (or every state, for ``"all"``), newest first."""
    query = select(comments).order_by(_c.received_at.desc(), _c.id.desc())
    if state != "all":
        query = query.where(_c.state == state)
    offset = (max(1, page) - 1) * size
    rows = conn.execute(query.offset(offset).limit(size + 1)).all()
    return CommentPage([_comment(row) for row in rows[:size]], len(rows) > size)


def counts(conn: Connection) -> dict[str, int]:
    """How many comments are in each state, and ``"all"``."""
    found = dict.fromkeys(STATES, 0)
    query = select(_c.state, func.count()).group_by(_c.state)
    for state, number in conn.execute(query):
        found[str(state)] = int(number)
    found["all"] = sum(found.values())
    return found


def claim_for_bot(
    conn: Connection, *, channel: str, page_id: str, limit: int, now: datetime | None = None
) -> list[Comment]:
    """Up to ``limit`` open comments the bot has not looked at yet, oldest first, now its.

    Left out: removed comments, the Page's own, and comments that reached us more than
    ``BOT_AGE`` ago (after an upgrade or an outage the bot does not answer old threads in
    public). Each is taken by a conditional UPDATE, so a comment another worker claimed a
    moment earlier is not returned here.
    """
    since = (now or utcnow()) - BOT_AGE
    candidates = conn.execute(
        select(_c.id)
        .where(
            _c.channel == channel,
            _c.state == "open",
            _c.rule.is_(None),
            _c.status != "removed",
            _c.author_id != page_id,
            _c.answered_by.is_(None),
            _c.received_at >= since,
        )
        .order_by(_c.received_at, _c.id)
        .limit(limit)
    ).scalars()
    claimed = []
    for number in list(candidates):
        taken = conn.execute(
            update(comments)
            .where(_c.id == number, _c.state == "open", _c.rule.is_(None))
            .values(rule=BOT)
        )
        if taken.rowcount == 1:
            claimed.append(number)
    if not claimed:
        return []
    rows = conn.execute(select(comments).where(_c.id.in_(claimed)).order_by(_c.received_at, _c.id))
    return [_comment(row) for row in rows]


def mark_answered(
    conn: Connection,
    comment_id: int,
    *,
    by: str,
    now: datetime,
    reply_id: str | None = None,
    private: bool = False,
    rule: str | None = None,
) -> bool:
    """Record an answer by ``by`` (a user id, or :data:`BOT`): the public reply's id at
    Meta, and/or that the one private reply went out. False for an unknown comment."""
    values: dict[str, Any] = {"state": "answered", "answered_at": now, "answered_by": by}
    if reply_id is not None:
        values["reply_id"] = reply_id
    if private:
        values["private_replied_at"] = now
    if rule is not None:
        values["rule"] = rule
    result = conn.execute(
        update(comments).where(_c.id == comment_id, _c.state == "open").values(values)
    )
    return int(result.rowcount) == 1


def start_sending(conn: Connection, comment_id: int, user_id: str, now: datetime) -> bool:
    """Claim an open comment for an agent's answer on its way to Meta, so a second click
    or a colleague does not answer it twice; False when someone else is answering it
    (for up to ``SENDING_FOR``, in case their request died)."""
    result = conn.execute(
        update(comments)
        .where(
            _c.id == comment_id,
            _c.state == "open",
            (_c.answered_by.is_(None)) | (_c.answered_at < now - SENDING_FOR),
        )
        .values(answered_by=user_id, answered_at=now)
    )
    return int(result.rowcount) == 1


def stop_sending(conn: Connection, comment_id: int, user_id: str) -> None:
    """Meta refused the agent's answer: the comment is open for anyone again."""
    conn.execute(
        update(comments)
        .where(_c.id == comment_id, _c.state == "open", _c.answered_by == user_id)
        .values(answered_by=None, answered_at=None)
    )


def dismiss(conn: Connection, comment_id: int, *, by: str, now: datetime) -> bool:
    """An open comment needs no answer (``by``: the user); False when it is not open."""
    result = conn.execute(
        update(comments)
        .where(_c.id == comment_id, _c.state == "open")
        .values(state="dismissed", answered_at=now, answered_by=by)
    )
    return int(result.rowcount) == 1


def _comment(row: Row[Any]) -> Comment:
    return Comment(**{field.name: getattr(row, field.name) for field in fields(Comment)})
