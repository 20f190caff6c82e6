"""Teaching the bot from the inbox: a customer's question and an agent's answer become
a new FAQ entry, or the question a new example of an intent, in one step.

What is taught lives in the database (``taught_items``), an overlay on the bot folder
(``theke.bot.overlay``). Each change is a new version (``bot_versions``), so two agents
teaching at once both keep what they taught. A change schedules ``RETRAIN_JOB``: a
worker trains the language model with the overlay and marks the version "trained";
every web and worker process then loads that version (``theke.worker.overlay``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select, text, update

from theke.bot.loader import Bot
from theke.bot.overlay import Overlay, Taught
from theke.nlu.features import tokens
from theke.store import audit, jobs
from theke.store.schema import bot_versions, taught_items
from theke.store.users import User

__all__ = [
    "ANSWER_MAX",
    "EXPORTED",
    "QUESTION_MAX",
    "RETRAIN_JOB",
    "TaughtRow",
    "current_overlay",
    "in_force",
    "mark_exported",
    "mark_trained",
    "remove",
    "taught",
    "teach",
    "trained_version",
]

RETRAIN_JOB = "bot.retrain"
EXPORTED = "export"  # ``removed_by`` of items written into the bot folder
QUESTION_MAX = 500
ANSWER_MAX = 2000
_CHANGES = ("taught", "removed")
_VERSION_LOCK = 7_311_001  # the advisory lock that orders overlay versions


@dataclass(frozen=True, slots=True)
class TaughtRow:
    """A taught item as the inbox lists it."""

    item: Taught
    created_by: str | None
    created_at: datetime
    conversation_id: str | None


def teach(
    conn: Connection,
    bot: Bot,
    user: User,
    *,
    kind: str,
    language: str,
    question: str,
    now: datetime,
    answer: str | None = None,
    intent: str | None = None,
    conversation_id: str | None = None,
    ip: str | None = None,
) -> Taught:
    """Store what ``user`` taught and schedule the retraining; ``ValueError`` (German, for
    the form) when it cannot be taught as it is."""
    question, answer = _clean(question), _clean(answer or "") or None
    _check(bot, kind, language, question, answer, intent)
    item_id = conn.execute(
        taught_items.insert().values(
            kind=kind, language=language, intent=intent if kind == "example" else None,
            question=question, answer=answer if kind == "faq" else None,
            conversation_id=conversation_id, created_by=user.id, created_at=now,
        ).returning(taught_items.c.id)
    ).scalar_one()  # fmt: skip
    _changed(conn, "taught", now)
    audit.record(
        conn, user.id, "bot.taught", target=str(item_id),
        data={"kind": kind, "language": language, "intent": intent}, ip=ip, now=now,
    )  # fmt: skip
    return Taught(int(item_id), kind, language, question, answer, intent)


def remove(
    conn: Connection, item_id: int, user: User, now: datetime, *, ip: str | None = None
) -> bool:
    """Take a taught item back (it stays in the table, marked removed); whether it was
    in force."""
    done = conn.execute(
        update(taught_items)
        .where(taught_items.c.id == item_id, taught_items.c.removed_at.is_(None))
        .values(removed_at=now, removed_by=user.id)
    )
    if done.rowcount == 0:
        return False
    _changed(conn, "removed", now)
    audit.record(conn, user.id, "bot.untaught", target=str(item_id), ip=ip, now=now)
    return True


def mark_exported(conn: Connection, item_ids: Sequence[int], now: datetime) -> int:
    """Take items written into the bot folder out of the overlay; how many left it."""
    if not item_ids:
        return 0
    done = conn.execute(
        update(taught_items)
        .where(taught_items.c.id.in_(list(item_ids)), taught_items.c.removed_at.is_(None))
        .values(removed_at=now, removed_by=EXPORTED)
    )
    if done.rowcount:
        _changed(conn, "removed", now)
        audit.record(conn, None, "bot.exported", data={"items": list(item_ids)}, now=now)
    return int(done.rowcount)


def in_force(conn: Connection, item_id: int) -> TaughtRow | None:
    """The taught item ``item_id`` while it is in force."""
    return next((row for row in taught(conn, item_id=item_id)), None)


def current_overlay(conn: Connection) -> Overlay:
    """What is taught and in force, with its version."""
    version = conn.execute(
        select(func.max(bot_versions.c.id)).where(bot_versions.c.change.in_(_CHANGES))
    ).scalar()
    t = taught_items.c
    rows = conn.execute(
        select(t.id, t.kind, t.language, t.question, t.answer, t.intent)
        .where(t.removed_at.is_(None))
        .order_by(t.id)
    )
    items = tuple(Taught(row.id, row.kind, row.language, row.question, row.answer, row.intent)
                  for row in rows)  # fmt: skip
    return Overlay(version=int(version or 0), items=items)


def trained_version(conn: Connection) -> int:
    """The newest overlay version whose language model is trained (0: none)."""
    found = conn.execute(
        select(func.max(bot_versions.c.overlay)).where(bot_versions.c.change == "trained")
    ).scalar()
    return int(found or 0)


def mark_trained(conn: Connection, version: int, now: datetime) -> None:
    """Record that the model for overlay ``version`` is ready: processes load it now."""
    conn.execute(bot_versions.insert().values(change="trained", overlay=version, created_at=now))


def taught(conn: Connection, *, item_id: int | None = None) -> list[TaughtRow]:
    """Everything in force (or only ``item_id``), newest first."""
    t = taught_items.c
    query = select(taught_items).where(t.removed_at.is_(None)).order_by(t.id.desc())
    rows = conn.execute(query if item_id is None else query.where(t.id == item_id))
    return [
        TaughtRow(
            Taught(row.id, row.kind, row.language, row.question, row.answer, row.intent),
            row.created_by,
            row.created_at,
            row.conversation_id,
        )
        for row in rows
    ]


def _changed(conn: Connection, change: str, now: datetime) -> None:
    """A new overlay version, and its retraining. On PostgreSQL a transaction lock makes
    versions follow the commit order: a version handed out before an earlier one commits
    could otherwise be trained without it."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _VERSION_LOCK})
    version = conn.execute(
        bot_versions.insert()
        .values(change=change, overlay=0, created_at=now)
        .returning(bot_versions.c.id)
    ).scalar_one()
    conn.execute(update(bot_versions).where(bot_versions.c.id == version).values(overlay=version))
    jobs.schedule(conn, RETRAIN_JOB, {"overlay": int(version)}, now)


def _clean(text: str) -> str:
    return text.strip().replace("\r\n", "\n")


def _check(
    bot: Bot, kind: str, language: str, question: str, answer: str | None, intent: str | None
) -> None:
    if language not in bot.config.languages:
        raise ValueError(f"Der Bot spricht {language} nicht.")
    if not any(char.isalnum() for char in question):
        raise ValueError("Die Frage des Kunden fehlt.")
    if len(question) > QUESTION_MAX:
        raise ValueError(f"Die Frage ist zu lang: höchstens {QUESTION_MAX} Zeichen.")
    if kind == "faq":
        if not answer:
            raise ValueError("Die Antwort fehlt.")
        if len(answer) > ANSWER_MAX:
            raise ValueError(f"Die Antwort ist zu lang: höchstens {ANSWER_MAX} Zeichen.")
        owner = _asked_in(bot, language, question)
        if owner is not None:
            raise ValueError(
                f"Diese Frage steht schon im FAQ-Eintrag „{owner}“: ändere dort die Antwort "
                "im Bot-Ordner, oder bring dem Bot eine anders gestellte Frage bei."
            )
    elif kind == "example":
        intents = {name for data in bot.nlu if data.language == language for name in data.intents}
        if intent not in intents:
            raise ValueError("Wähle, was der Kunde wollte (eine Absicht, die der Bot kennt).")
    else:
        raise ValueError("Wähle, ob ein FAQ-Eintrag oder ein Beispiel entstehen soll.")


def _asked_in(bot: Bot, language: str, question: str) -> str | None:
    """The FAQ entry that already has this question (same words, folded), if any."""
    key = _key(question)
    for entry in bot.knowledge.values():
        if any(_key(asked) == key for asked in entry.questions.get(language, ())):
            return entry.title(language)
    return None


def _key(question: str) -> str:
    return " ".join(word for word in tokens(question) if word[0].isalnum())
