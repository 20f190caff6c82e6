"""Teaching the bot in the inbox: the form (from a conversation or a missed question),
what is taught (and taking it back), and the questions the bot missed most often."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.content.summary import one_line
from theke.inbox import handling
from theke.inbox.missed import missed_questions
from theke.inbox.teach import (
    ANSWER_MAX,
    QUESTION_MAX,
    TaughtRow,
    current_overlay,
    in_force,
    remove,
    taught,
    teach,
)
from theke.inbox.teach import trained_version as trained
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent, CheckedForm, client_ip
from theke.store import conversations, users
from theke.store.schema import utcnow

__all__ = ["router"]

router = APIRouter(prefix="/inbox", route_class=InboxRoute, include_in_schema=False)

_ID = re.compile(r"[0-9a-f]{32}")

_NOTICES = {
    "taught": "Gelernt. Der Bot wird neu trainiert und antwortet in ein paar Minuten damit.",
    "removed": "Zurückgenommen. Der Bot wird neu trainiert.",
}


@router.get("/teach")
async def teach_form(
    request: Request,
    agent: Agent,
    conversation: str = "",
    question: str = "",
    language: str = "",
) -> Response:
    """The form, filled from a conversation (the customer's last question and the team's
    answer to it) or from a missed question."""
    answer = ""
    if conversation:
        found = await runtime_of(request).db.read(lambda conn: _from(conn, conversation))
        if found is None:
            raise PageError(404, "Dieses Gespräch gibt es nicht.", title="Nicht gefunden")
        question, answer, language = found[0] or question, found[1], found[2] or language
    return _form(request, question=question, answer=answer, language=language,
                 conversation=conversation)  # fmt: skip


@router.post("/teach")
async def teach_it(request: Request, agent: Agent, form: CheckedForm) -> Response:
    """Teach the bot what the form says (one step: stored, then retrained)."""
    runtime, now, ip = runtime_of(request), utcnow(), client_ip(request)
    fields = {name: form.text(name) for name in
              ("kind", "language", "question", "answer", "intent", "conversation")}  # fmt: skip
    bot = runtime.folder_bot or runtime.bot
    try:
        await runtime.db.write(
            lambda conn: teach(
                conn, bot, agent.user, kind=fields["kind"], language=fields["language"],
                question=fields["question"], answer=fields["answer"], intent=fields["intent"],
                conversation_id=_conversation_id(fields["conversation"]), now=now, ip=ip,
            )
        )  # fmt: skip
    except ValueError as exc:
        return _form(request, status=400, error=str(exc), **_kept(fields))
    raise Redirect("/inbox/taught?ok=taught")


@router.get("/taught")
async def taught_list(request: Request, agent: Agent, ok: str = "") -> Response:
    """Everything taught that is in force, and whether the bot is trained with it yet."""

    def read(conn: Connection) -> tuple[list[TaughtRow], int, int, dict[str, str]]:
        emails = {user.id: user.email for user in users.all_users(conn)}
        return taught(conn), current_overlay(conn).version, trained(conn), emails

    rows, version, ready, emails = await runtime_of(request).db.read(read)
    return render(
        request, "taught.html", title="Gelernt", rows=rows, emails=emails,
        training=ready < version, notice=_NOTICES.get(ok),
    )  # fmt: skip


@router.post("/taught/{item_id}/remove")
async def take_back(request: Request, item_id: int, agent: Agent, form: CheckedForm) -> Response:
    """Take back something taught (admins, or the agent who taught it)."""
    now, ip = utcnow(), client_ip(request)

    def remove_it(conn: Connection) -> None:
        found = in_force(conn, item_id)
        if found is None:
            raise PageError(404, "Das ist schon zurückgenommen.", title="Nicht gefunden")
        if not (found.created_by == agent.user.id or agent.user.is_admin):
            raise PageError(403, "Nur Admins und wer es beigebracht hat, können das zurücknehmen.")
        remove(conn, item_id, agent.user, now, ip=ip)

    await runtime_of(request).db.write(remove_it)
    raise Redirect("/inbox/taught?ok=removed")


@router.get("/missed")
async def missed(request: Request, agent: Agent) -> Response:
    """The questions the bot missed most often in the last 30 days, grouped."""
    now = utcnow()
    groups = await runtime_of(request).db.read(lambda conn: missed_questions(conn, now))
    return render(request, "missed.html", title="Nicht verstanden", groups=groups,
                  teach_url=_teach_url, now=now)  # fmt: skip


def _conversation_id(value: str) -> str | None:
    """A conversation id from the form, or ``None`` for anything else."""
    return value if _ID.fullmatch(value) else None


def _teach_url(question: str, language: str | None) -> str:
    return "/inbox/teach?" + urlencode({"question": question, "language": language or ""})


def _from(conn: Connection, conversation_id: str) -> tuple[str, str, str] | None:
    """The customer's last question before the team's last answer, that answer, and the
    customer's language."""
    conversation = conversations.get(conn, conversation_id)
    if conversation is None:
        return None
    entries = handling.history(conn, conversation_id, limit=100)
    answer_at = max(
        (i for i, e in enumerate(entries) if e.kind == "message.out" and e.actor == "agent"),
        default=len(entries),
    )
    asked = [e for e in entries[:answer_at] if e.actor == "customer" and one_line(e.content)]
    answer = one_line(entries[answer_at].content) if answer_at < len(entries) else None
    language = conversation.state.get("language")
    return (
        one_line(asked[-1].content) or "" if asked else "",
        answer or "",
        language if isinstance(language, str) else "",
    )


def _kept(fields: dict[str, str]) -> dict[str, str]:
    return {
        "question": fields["question"], "answer": fields["answer"],
        "language": fields["language"], "conversation": fields["conversation"],
        "kind": fields["kind"], "intent": fields["intent"],
    }  # fmt: skip


def _form(
    request: Request,
    *,
    status: int = 200,
    error: str | None = None,
    question: str = "",
    answer: str = "",
    language: str = "",
    conversation: str = "",
    kind: str = "faq",
    intent: str = "",
) -> Response:
    runtime = runtime_of(request)
    bot = runtime.folder_bot or runtime.bot
    languages = bot.config.languages
    intents = {data.language: data.intents for data in bot.nlu}
    return render(
        request, "teach.html", status=status, title="Dem Bot beibringen", error=error,
        question=question, answer=answer, language=language if language in languages
        else languages[0], languages=languages, conversation=conversation, kind=kind,
        intent=intent, intents=intents, question_max=QUESTION_MAX, answer_max=ANSWER_MAX,
    )  # fmt: skip
