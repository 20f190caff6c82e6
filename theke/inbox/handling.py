"""What an agent does with a conversation: read its history, take it over from the bot,
answer the customer, write internal notes, give it to a colleague, hand it back to the
bot, and close it.

Taking over is one conditional UPDATE, so of two agents pressing "Übernehmen" at the
same moment exactly one wins; the other gets ``AlreadyTaken``. Every action goes into
the event log (what the customer's conversation went through) and the audit log (who
did it); neither the audit log nor the application log gets the customer's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select, update

from theke.content.codec import text_json
from theke.errors import ThekeError
from theke.outreach.policy import Hold, OutboundMessage, PolicyContext, decide
from theke.store import audit, log, outbox, users
from theke.store.conversations import Conversation, get
from theke.store.schema import conversations, customers, events
from theke.store.users import User

__all__ = [
    "HISTORY_KINDS",
    "NEEDS_TEMPLATE",
    "NOTE_MAX",
    "REPLY_MAX",
    "AlreadyTaken",
    "Entry",
    "HandlingRefused",
    "UnknownConversation",
    "assign",
    "assignee",
    "close",
    "hand_back",
    "history",
    "note",
    "opted_out",
    "preview",
    "reply",
    "send_card",
    "send_template",
    "take_over",
]

HISTORY_KINDS = ("message.in", "postback.in", "message.out", "note")
REPLY_MAX = 4000
NOTE_MAX = 4000

NEEDS_TEMPLATE = "WhatsApp: außerhalb der 24 Stunden nur mit einer Vorlage."
_HOLDS = {
    "outside_window": "Mehr als 7 Tage seit der letzten Nachricht: Messenger lässt keine "
    "Antwort mehr zu.",
    "needs_template": NEEDS_TEMPLATE,
    "unreachable": "Der Kunde ist gerade nicht erreichbar.",
    "never_wrote": "Der Kunde hat hier noch nie geschrieben: die erste Nachricht muss von "
    "ihm kommen.",
    "opted_out": "Der Kunde hat STOP geschickt: er bekommt keine Nachrichten mehr, die er "
    "nicht selbst angestoßen hat.",
}
_HUMAN_AGENT_NOTE = (
    "Mehr als 24 Stunden seit der letzten Nachricht: Messenger stellt deine Antwort als "
    "Nachricht eines Mitarbeiters zu (HUMAN_AGENT, bis 7 Tage nach der letzten Nachricht)."
)


class HandlingRefused(ThekeError):
    """An agent may not do this with the conversation now; the message says why."""


class AlreadyTaken(HandlingRefused):
    """Another agent has the conversation (``by_email``)."""

    def __init__(self, by_email: str) -> None:
        super().__init__(f"Schon übernommen von {by_email}.")
        self.by_email = by_email


class UnknownConversation(ThekeError):
    """There is no conversation with this id."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One message of a conversation's history, as the event log has it."""

    kind: str  # "message.in", "postback.in", "message.out" or "note" (only agents see it)
    actor: str  # "customer", "bot", "agent"
    created_at: datetime
    content: dict[str, Any] | None
    user_id: str | None = None  # the agent who wrote a reply or a note


def history(conn: Connection, conversation_id: str, limit: int = 500) -> list[Entry]:
    """The conversation's last ``limit`` messages in and out, oldest first."""
    e = events.c
    rows = conn.execute(
        select(e.kind, e.actor, e.created_at, e.content, e.data)
        .where(e.conversation_id == conversation_id, e.kind.in_(HISTORY_KINDS))
        .order_by(e.id.desc())
        .limit(limit)
    ).all()
    return [
        Entry(
            row.kind,
            row.actor,
            row.created_at,
            row.content if isinstance(row.content, dict) else None,
            _user_of(row.data),
        )
        for row in reversed(rows)
    ]


def assignee(conn: Connection, conversation_id: str) -> User | None:
    """The agent who has taken the conversation over, if anyone has."""
    user_id = conn.execute(
        select(conversations.c.assigned_to).where(conversations.c.id == conversation_id)
    ).scalar_one_or_none()
    return users.get(conn, user_id) if user_id is not None else None


def opted_out(conn: Connection, customer_id: str) -> bool:
    """Whether the customer sent STOP."""
    found = conn.execute(
        select(customers.c.opted_out_at).where(customers.c.id == customer_id)
    ).scalar_one_or_none()
    return found is not None


def take_over(
    conn: Connection, conversation_id: str, user: User, now: datetime, *, ip: str | None = None
) -> Conversation:
    """Give the conversation to ``user`` (mode "human", no end); ``AlreadyTaken`` when
    another agent has it, and then nothing changes."""
    c = conversations.c
    taken = conn.execute(
        update(conversations)
        .where(c.id == conversation_id, or_(c.assigned_to.is_(None), c.assigned_to == user.id))
        .values(mode="human", human_until=None, assigned_to=user.id, closed_at=None, updated_at=now)
    )
    conversation = _existing(conn, conversation_id)
    if taken.rowcount == 0:
        raise _taken_by_other(conn, conversation_id)
    _record(conn, conversation, user, "handoff.taken", "conversation.taken", now, ip)
    return conversation


def hand_back(
    conn: Connection, conversation_id: str, user: User, now: datetime, *, ip: str | None = None
) -> Conversation:
    """Give the conversation back to the bot, which introduces itself again. Only the
    agent who has it (or an admin) may, or anyone when no one has taken it."""
    conversation = _existing(conn, conversation_id)
    _check_may_act(conn, conversation_id, user, allow_unassigned=True)
    _to_bot(conn, conversation, now)
    _record(conn, conversation, user, "handoff.returned", "conversation.returned", now, ip)
    return _existing(conn, conversation_id)


def close(
    conn: Connection, conversation_id: str, user: User, now: datetime, *, ip: str | None = None
) -> Conversation:
    """Mark the conversation done: the bot has it again and it leaves the open views;
    it opens again when the customer writes. Allowed like ``hand_back``."""
    conversation = _existing(conn, conversation_id)
    _check_may_act(conn, conversation_id, user, allow_unassigned=True)
    _to_bot(conn, conversation, now, closed=True)
    _record(conn, conversation, user, "conversation.closed", "conversation.closed", now, ip)
    return _existing(conn, conversation_id)


def assign(
    conn: Connection,
    conversation_id: str,
    user: User,
    to: User,
    now: datetime,
    *,
    ip: str | None = None,
) -> Conversation:
    """Give the conversation to the colleague ``to`` (a person has it then, not the bot).
    The agent who has it, an admin, or anyone while no one has it may."""
    if not to.active:
        raise HandlingRefused(f"{to.email} ist deaktiviert.")
    conversation = _existing(conn, conversation_id)
    _check_may_act(conn, conversation_id, user, allow_unassigned=True)
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(mode="human", human_until=None, assigned_to=to.id, closed_at=None, updated_at=now)
    )
    data = {"user_id": user.id, "to": to.id}
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, "handoff.assigned", "agent", now, data=data
    )
    log.append(conn, [entry])
    audit.record(
        conn, user.id, "conversation.assigned", target=conversation.id, data={"to": to.id},
        ip=ip, now=now,
    )  # fmt: skip
    return _existing(conn, conversation_id)


def note(
    conn: Connection,
    conversation_id: str,
    user: User,
    text: str,
    now: datetime,
    *,
    ip: str | None = None,
) -> None:
    """Add an internal note for the team: shown in the history, never sent."""
    _check_text(text, NOTE_MAX, what="Die Notiz", empty="Schreib zuerst eine Notiz.")
    conversation = _existing(conn, conversation_id)
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, "note", "agent", now,
        content=text_json(text), data={"user_id": user.id},
    )  # fmt: skip
    log.append(conn, [entry])
    audit.record(conn, user.id, "conversation.noted", target=conversation.id, ip=ip, now=now)


def reply(
    conn: Connection,
    conversation_id: str,
    user: User,
    text: str,
    now: datetime,
    *,
    ip: str | None = None,
) -> int:
    """Queue ``text`` for the customer as the agent's message; returns the outbox id.

    ``ValueError`` (German) for an empty or too long text; ``HandlingRefused`` unless
    ``user`` has taken the conversation over (an admin always may).
    """
    _check_text(text, REPLY_MAX, what="Die Nachricht", empty="Schreib zuerst eine Nachricht.")
    return _send(conn, conversation_id, user, text_json(text), now, ip=ip)


def send_card(
    conn: Connection,
    conversation_id: str,
    user: User,
    card: dict[str, Any],
    now: datetime,
    *,
    ip: str | None = None,
) -> int:
    """Queue a product card (stored JSON) for the customer. Its tap-to-answer buttons are
    left off: while a person has the conversation the bot would not answer them; links
    stay."""
    buttons = [button for button in card.get("buttons") or [] if button.get("type") == "url"]
    return _send(conn, conversation_id, user, {**card, "buttons": buttons}, now, ip=ip)


def send_template(
    conn: Connection,
    conversation_id: str,
    user: User,
    purpose: str,
    values: dict[str, str],
    shown: str,
    now: datetime,
    *,
    ip: str | None = None,
) -> int:
    """Queue an approved WhatsApp template (the one ``theke.yml`` names for ``purpose``)
    filled with ``values``; ``shown`` is what the history keeps as its text."""
    return _send(
        conn, conversation_id, user, text_json(shown), now, ip=ip, purpose=purpose, data=values
    )


def _send(
    conn: Connection,
    conversation_id: str,
    user: User,
    content: dict[str, Any],
    now: datetime,
    *,
    ip: str | None,
    purpose: str | None = None,
    data: dict[str, str] | None = None,
) -> int:
    conversation = _existing(conn, conversation_id)
    _check_may_act(conn, conversation_id, user, allow_unassigned=False)
    message = outbox.NewMessage(
        conversation_id=conversation.id,
        channel=conversation.channel,
        recipient=conversation.external_id,
        content=content,
        actor="agent",
        is_reply=False,
        purpose=purpose,
        data=data,
    )
    [outbox_id] = outbox.enqueue(conn, [message])
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, "message.out", "agent", now,
        content=content, data={"user_id": user.id}, outbox_id=outbox_id,
    )  # fmt: skip
    log.append(conn, [entry])
    audit.record(
        conn, user.id, "conversation.replied", target=conversation.id,
        data={"outbox_id": outbox_id}, ip=ip, now=now,
    )  # fmt: skip
    return outbox_id


def preview(conversation: Conversation, now: datetime, *, is_opted_out: bool = False) -> str | None:
    """What the messaging rules would do with an agent's message now, in German: ``None``
    when it simply goes out."""
    decision = decide(
        OutboundMessage(channel=conversation.channel, actor="agent", is_reply=False),
        PolicyContext(
            now=now,
            mode="human",
            last_inbound_at=conversation.last_inbound_at,
            opted_out=is_opted_out,
            reachable=conversation.unreachable_at is None,
        ),
    )
    if isinstance(decision, Hold):
        return _HOLDS.get(
            decision.reason,
            f"Die Regeln des Kanals halten die Nachricht zurück ({decision.reason}).",
        )
    if decision.tag == "HUMAN_AGENT":
        return _HUMAN_AGENT_NOTE
    return None


def _user_of(data: Any) -> str | None:
    user_id = data.get("user_id") if isinstance(data, dict) else None
    return user_id if isinstance(user_id, str) else None


def _check_text(text: str, limit: int, *, what: str, empty: str) -> None:
    if not text.strip():
        raise ValueError(empty)
    if len(text) > limit:
        raise ValueError(f"{what} ist zu lang: {len(text)} Zeichen, höchstens {limit} gehen.")


def _to_bot(
    conn: Connection, conversation: Conversation, now: datetime, *, closed: bool = False
) -> None:
    """The bot has the conversation again and introduces itself anew; nobody waits."""
    state = {**conversation.state, "introduced": False}
    values: dict[str, Any] = {
        "mode": "bot", "human_until": None, "assigned_to": None, "waiting_since": None,
        "state": state, "updated_at": now,
    }  # fmt: skip
    if closed:
        values["closed_at"] = now
    conn.execute(
        update(conversations).where(conversations.c.id == conversation.id).values(**values)
    )


def _existing(conn: Connection, conversation_id: str) -> Conversation:
    conversation = get(conn, conversation_id)
    if conversation is None:
        raise UnknownConversation(f"no conversation {conversation_id!r}")
    return conversation


def _taken_by_other(conn: Connection, conversation_id: str) -> AlreadyTaken:
    other = assignee(conn, conversation_id)
    return AlreadyTaken(other.email if other is not None else "jemand anderem")


def _check_may_act(
    conn: Connection, conversation_id: str, user: User, *, allow_unassigned: bool
) -> None:
    """Refuse ``user`` unless they have the conversation (admins always may)."""
    holder = assignee(conn, conversation_id)
    if user.is_admin or (holder is not None and holder.id == user.id):
        return
    if holder is not None:
        raise AlreadyTaken(holder.email)
    if not allow_unassigned:
        raise HandlingRefused("Übernimm das Gespräch zuerst, dann kannst du antworten.")


def _record(
    conn: Connection,
    conversation: Conversation,
    user: User,
    kind: str,
    action: str,
    now: datetime,
    ip: str | None,
) -> None:
    """The event in the conversation's log and the action in the audit log."""
    entry = log.LogEntry(
        conversation.id, conversation.customer_id, kind, "agent", now, data={"user_id": user.id}
    )
    log.append(conn, [entry])
    audit.record(conn, user.id, action, target=conversation.id, ip=ip, now=now)
