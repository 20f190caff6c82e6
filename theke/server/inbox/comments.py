"""The comments under the shop's Facebook posts, for the team: ``/inbox/comments``.

The list shows them by state (open, answered, dismissed, all), newest first, with what
the bot answered. An open comment can be answered under the post for everyone to read,
with the one private reply Meta allows (in Messenger, within 7 days of the comment), or
set aside as done. A reply is sent to Meta during the request: when Meta refuses, the
page says why in German and nothing is marked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.bot import Bot
from theke.content import Text
from theke.errors import DeliveryError
from theke.inbox.changes import LIVE_TOPIC
from theke.inbox.comments import private_reply_problem
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent, CheckedForm, FormFields, client_ip
from theke.store import audit, comments, users
from theke.store.comments import BOT, Comment
from theke.store.schema import utcnow
from theke.store.user_sessions import AgentSession

if TYPE_CHECKING:
    from theke.channels.messenger.comments import CommentReplies

__all__ = ["PRIVATE_MAX", "PUBLIC_MAX", "STATES", "router"]

router = APIRouter(prefix="/inbox/comments", route_class=InboxRoute, include_in_schema=False)

STATES = {"open": "Offen", "answered": "Beantwortet", "dismissed": "Erledigt", "all": "Alle"}
PUBLIC_MAX = 8000  # characters of a Facebook comment
PRIVATE_MAX = 2000  # characters of one Messenger text message

_NOTICES = {
    "replied": "Deine Antwort steht jetzt unter dem Kommentar.",
    "private": "Deine private Nachricht ist im Messenger verschickt.",
    "dismissed": "Der Kommentar ist erledigt.",
}
_REFUSALS = {
    "comment_gone": "Den Kommentar gibt es bei Facebook nicht mehr (gelöscht oder verborgen).",
    "already_replied": "Auf diesen Kommentar wurde schon privat geantwortet, vielleicht "
    "außerhalb von Theke. Meta erlaubt nur eine private Antwort.",
    "outside_window": "Meta nimmt keine private Antwort mehr an: der Kommentar ist älter als "
    "7 Tage.",
    "recipient_unavailable": "Diese Person ist im Messenger gerade nicht erreichbar.",
    "invalid_token": "Facebook lehnt den Zugang der Seite ab: der Page-Token ist ungültig "
    "oder abgelaufen. Ein Admin muss THEKE_MESSENGER_PAGE_ACCESS_TOKEN erneuern.",
    "rate_limited": "Facebook bremst gerade (zu viele Anfragen). Versuch es in einer Minute "
    "noch einmal.",
    "network": "Facebook war nicht erreichbar. Versuch es gleich noch einmal.",
}
_NOT_FOUND = "Diesen Kommentar gibt es nicht (mehr)."
_NOT_SET_UP = (
    "Messenger ist hier nicht eingerichtet: ohne THEKE_MESSENGER_PAGE_ID und "
    "THEKE_MESSENGER_PAGE_ACCESS_TOKEN kann Theke nicht auf Kommentare antworten."
)

_NUMBER = re.compile(r"[0-9]{1,18}")

_log = structlog.get_logger("theke.server.inbox")


@dataclass(frozen=True, slots=True)
class _Row:
    """A comment as the list shows it."""

    comment: Comment
    post_url: str | None
    private_problem: str | None  # why no private reply is possible now (None: it is)
    handled_by: str | None  # "vom Bot", "von <a colleague's e-mail>", or None
    how: str | None  # how it was answered: "öffentlich unter dem Kommentar", ...
    bot_rule: str | None  # what the bot answered with, in words


@router.get("")
async def comment_list(request: Request, agent: Agent, ok: str = "") -> Response:
    params = request.query_params
    return await _list_page(
        request,
        state=params.get("state", "open"),
        page=params.get("page", "1"),
        notice=_NOTICES.get(ok),
    )


@router.post("/{number}/reply")
async def reply_publicly(
    request: Request, number: str, agent: Agent, form: CheckedForm
) -> Response:
    """Post the agent's text under the comment."""
    comment, text, back = await _open_comment(request, number), _text(form), _back(form)
    problem = _text_problem(text, PUBLIC_MAX)
    if problem is not None:
        return await _refused(request, back, problem, f"public-{comment.id}", text, status=400)
    await _start_sending(request, comment, agent)
    try:
        reply_id = await _replies(request).reply_publicly(comment.comment_id, text)
    except DeliveryError as exc:
        await _stop_sending(request, comment, agent)
        return await _refused(request, back, _refusal(exc), f"public-{comment.id}", text)
    now = utcnow()
    await _record(
        request,
        agent,
        comment,
        "comment.replied",
        lambda conn: comments.mark_answered(
            conn, comment.id, by=agent.user.id, now=now, reply_id=reply_id
        ),
    )
    raise Redirect(_list_url(back, ok="replied"))


@router.post("/{number}/private")
async def reply_privately(
    request: Request, number: str, agent: Agent, form: CheckedForm
) -> Response:
    """Send the agent's text to the comment's author in Messenger: the one private reply."""
    comment, text, back = await _open_comment(request, number), _text(form), _back(form)
    too_late = private_reply_problem(comment.written_at, comment.private_replied_at, utcnow())
    if too_late is not None:
        return await _refused(request, back, too_late, f"private-{comment.id}", text, status=409)
    problem = _text_problem(text, PRIVATE_MAX)
    if problem is not None:
        return await _refused(request, back, problem, f"private-{comment.id}", text, status=400)
    await _start_sending(request, comment, agent)
    try:
        await _replies(request).reply_privately(comment.comment_id, Text(text=text))
    except DeliveryError as exc:
        await _stop_sending(request, comment, agent)
        return await _refused(request, back, _refusal(exc), f"private-{comment.id}", text)
    now = utcnow()
    await _record(
        request,
        agent,
        comment,
        "comment.private_reply",
        lambda conn: comments.mark_answered(
            conn, comment.id, by=agent.user.id, now=now, private=True
        ),
    )
    raise Redirect(_list_url(back, ok="private"))


@router.post("/{number}/dismiss")
async def dismiss(request: Request, number: str, agent: Agent, form: CheckedForm) -> Response:
    """The comment needs no answer: it leaves the open ones."""
    comment, back, now = await _open_comment(request, number), _back(form), utcnow()
    await _record(
        request,
        agent,
        comment,
        "comment.dismissed",
        lambda conn: comments.dismiss(conn, comment.id, by=agent.user.id, now=now),
    )
    raise Redirect(_list_url(back, ok="dismissed"))


async def _list_page(
    request: Request,
    *,
    state: str = "open",
    page: str = "1",
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    entered: Mapping[str, str] | None = None,
) -> Response:
    """The list of ``state``; after a refused form, ``entered`` holds the typed text and
    in ``form`` which form it belongs to (``public-<id>`` or ``private-<id>``)."""
    state = state if state in STATES else "open"
    number = max(1, min(1000, int(page))) if _NUMBER.fullmatch(page) else 1
    runtime, now = runtime_of(request), utcnow()

    def read(conn: Connection) -> tuple[comments.CommentPage, dict[str, int], dict[str, str]]:
        found = comments.listing(conn, state, number)
        ids = {row.answered_by for row in found.rows if row.answered_by not in (None, BOT)}
        emails = {user_id: user.email for user_id in ids if (user := users.get(conn, user_id))}
        return found, comments.counts(conn), emails

    found, counted, emails = await runtime.db.read(read)
    rows = [_row(comment, runtime.bot, emails, now) for comment in found.rows]
    return render(
        request,
        "comments.html",
        status=status,
        title="Kommentare",
        tabs=STATES,
        state=state,
        rows=rows,
        counts=counted,
        now=now,
        notice=notice,
        error=error,
        entered=entered or {},
        limits={"public": PUBLIC_MAX, "private": PRIVATE_MAX},
        newer=_list_url(state, page=number - 1) if number > 1 else None,
        older=_list_url(state, page=number + 1) if found.more else None,
    )


def _row(comment: Comment, bot: Bot, emails: Mapping[str, str], now: datetime) -> _Row:
    post = comment.post_id
    by = comment.answered_by
    return _Row(
        comment=comment,
        post_url=f"https://www.facebook.com/{quote(post, safe='_')}" if post else None,
        private_problem=private_reply_problem(comment.written_at, comment.private_replied_at, now),
        handled_by=None if by is None else "vom Bot" if by == BOT else f"von {emails.get(by, '?')}",
        how=_how(comment),
        bot_rule=_rule_in_words(comment.rule, bot) if by == BOT else None,
    )


def _how(comment: Comment) -> str | None:
    """How an answered comment was answered, in words."""
    if comment.state != "answered":
        return None
    if comment.reply_id is not None and comment.private_replied_at is not None:
        return "öffentlich und privat"
    if comment.private_replied_at is not None:
        return "privat im Messenger"
    return "öffentlich unter dem Kommentar"


def _rule_in_words(rule: str | None, bot: Bot) -> str | None:
    """``faq:shipping_time`` as "FAQ „Lieferzeit“", ``keyword:guide`` as "Stichwort „guide“"."""
    kind, _, name = (rule or "").partition(":")
    if kind == "faq":
        entry = bot.knowledge.get(name)
        return f"FAQ „{entry.title('de') if entry is not None else name}“"
    if kind == "keyword":
        return f"Stichwort „{name.replace('_', ' ')}“"
    return None


async def _open_comment(request: Request, number: str) -> Comment:
    """The comment a form acts on: 404 when there is none, 409 when it is not open."""
    if not _NUMBER.fullmatch(number):
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    found = await runtime_of(request).db.read(lambda conn: comments.get(conn, int(number)))
    if found is None:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    if found.state != "open":
        message = "Dieser Kommentar ist schon beantwortet oder erledigt."
        raise PageError(409, message, title="Schon erledigt")
    return found


async def _start_sending(request: Request, comment: Comment, agent: AgentSession) -> None:
    """Claim the comment for this answer: 409 while a colleague's (or an earlier click's)
    answer is on its way, so it is never answered twice."""
    now = utcnow()
    taken = await runtime_of(request).db.write(
        lambda conn: comments.start_sending(conn, comment.id, agent.user.id, now)
    )
    if not taken:
        message = "Dieser Kommentar wird gerade beantwortet. Lade die Seite gleich neu."
        raise PageError(409, message, title="Wird beantwortet")


async def _stop_sending(request: Request, comment: Comment, agent: AgentSession) -> None:
    await runtime_of(request).db.write(
        lambda conn: comments.stop_sending(conn, comment.id, agent.user.id)
    )


def _replies(request: Request) -> CommentReplies:
    """Replies through the Messenger Page's sender; 503 when Messenger is not set up."""
    from theke.channels.messenger.comments import CommentReplies
    from theke.channels.messenger.sender import MessengerSender

    runtime = runtime_of(request)
    sender, page = runtime.senders.get("messenger"), runtime.settings.messenger_page_id
    if not isinstance(sender, MessengerSender) or not page:
        raise PageError(503, _NOT_SET_UP, title="Messenger fehlt")
    return CommentReplies.beside(sender, page)


async def _record(
    request: Request,
    agent: Agent,
    comment: Comment,
    action: str,
    mark: Callable[[Connection], bool],
) -> None:
    """Mark the comment and write the audit entry in one transaction; tell open pages."""
    ip, data = client_ip(request), {"comment_id": comment.comment_id}

    def write(conn: Connection) -> None:
        if mark(conn):
            audit.record(conn, agent.user.id, action, target=str(comment.id), data=data, ip=ip)

    await runtime_of(request).db.write(write)
    await runtime_of(request).signals.publish(LIVE_TOPIC)
    _log.info("theke.server.inbox.comment", action=action, user_id=agent.user.id, id=comment.id)


async def _refused(
    request: Request, back: str, error: str, form: str, text: str, *, status: int = 502
) -> Response:
    """The list again with ``error``, and what was typed back in its form."""
    entered = {"form": form, "text": text}
    return await _list_page(request, state=back, status=status, error=error, entered=entered)


def _refusal(exc: DeliveryError) -> str:
    """Meta's refusal in words for the agent."""
    known = _REFUSALS.get(exc.code)
    if known is not None:
        return known
    return (
        f"Facebook hat die Antwort nicht angenommen ({exc}). Prüf, ob die App die "
        "Berechtigungen pages_manage_engagement und pages_read_user_content hat."
    )


def _text_problem(text: str, limit: int) -> str | None:
    if not text:
        return "Schreib zuerst eine Antwort."
    if len(text) > limit:
        return f"Die Antwort ist zu lang: {len(text)} Zeichen, erlaubt sind {limit}."
    return None


def _text(form: FormFields) -> str:
    return form.text("text").strip()


def _back(form: FormFields) -> str:
    """Which tab the agent came from, to go back to it."""
    state = form.text("state")
    return state if state in STATES else "open"


def _list_url(state: str, *, page: int = 1, ok: str = "") -> str:
    params = (
        {"state": state} | ({"page": str(page)} if page > 1 else {}) | ({"ok": ok} if ok else {})
    )
    return "/inbox/comments?" + urlencode(params)
