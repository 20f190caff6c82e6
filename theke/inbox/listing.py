"""The inbox list: which conversations an agent sees, filtered, searched and counted.

Views: ``waiting`` (a person has the conversation, longest waiting first), ``mine``
(taken over by the agent), ``bot`` (the bot has it), ``closed`` and ``all`` (newest
first). Filters by channel and language, and a search over message text and the
customer (id, channel address, e-mail or phone in the profile). Each row says how many
of the customer's messages the agent has not seen yet, or that they never opened it.
Everything comes from the conversation's own row (``theke.store.threads``), so the list
never reads the event log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import phonenumbers
from sqlalchemy import ColumnElement, Connection, and_, false, func, not_, or_, select, true

from theke.store._dialect import upsert
from theke.store.schema import conversations, customers, identities, inbox_reads, users
from theke.store.search import matching_conversations

__all__ = [
    "CHANNELS",
    "HEADINGS",
    "PAGE_SIZE",
    "VIEWS",
    "Filters",
    "Listing",
    "Row",
    "channel_name",
    "counts",
    "listing",
    "mark_read",
]

PAGE_SIZE = 50
VIEWS = {
    "waiting": "Wartend",
    "mine": "Meine",
    "bot": "Beim Bot",
    "closed": "Geschlossen",
    "all": "Alle",
}
CHANNELS = {
    "webchat": "Web-Chat",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "messenger": "Messenger",
    "instagram": "Instagram",
    "console": "Konsole",
}
HEADINGS = {
    "waiting": "Wartende Gespräche",
    "mine": "Meine Gespräche",
    "bot": "Gespräche beim Bot",
    "closed": "Geschlossene Gespräche",
    "all": "Alle Gespräche",
}
_SEARCH_HITS = 500
_HEX = re.compile(r"[0-9a-f]{4,32}")
_c = conversations.c


def channel_name(channel: str) -> str:
    """The channel as agents know it ("WhatsApp", "Web-Chat")."""
    return CHANNELS.get(channel, channel)


@dataclass(frozen=True, slots=True)
class Filters:
    """What the agent asked the list for (unknown values fall back to the defaults)."""

    view: str = "waiting"
    channel: str | None = None
    language: str | None = None
    query: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> Filters:
        view = params.get("view", "")
        channel = params.get("channel") or None
        language = (params.get("language") or "").strip().lower()[:16] or None
        try:
            page = max(1, min(1000, int(params.get("page", "1"))))
        except ValueError:
            page = 1
        return cls(
            view=view if view in VIEWS else "waiting",
            channel=channel if channel in CHANNELS else None,
            language=language,
            query=(params.get("q") or "").strip()[:200],
            page=page,
        )

    def with_page(self, page: int) -> Filters:
        return replace(self, page=page)

    def params(self) -> dict[str, str]:
        """The query string that asks for this list again."""
        found = {"view": self.view}
        if self.channel:
            found["channel"] = self.channel
        if self.language:
            found["language"] = self.language
        if self.query:
            found["q"] = self.query
        if self.page > 1:
            found["page"] = str(self.page)
        return found


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list."""

    conversation_id: str
    channel: str
    customer_id: str
    mode: str
    language: str | None
    assigned_to: str | None
    assigned_email: str | None
    last_message_at: datetime | None
    preview: str | None
    waiting_since: datetime | None
    closed_at: datetime | None
    unread: int | None  # None: the agent never opened the conversation

    @property
    def channel_name(self) -> str:
        return channel_name(self.channel)

    @property
    def customer_short(self) -> str:
        return self.customer_id[:8]

    @property
    def is_waiting(self) -> bool:
        return self.mode == "human" and self.closed_at is None and self.waiting_since is not None


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of the list and whether there are more after it."""

    rows: list[Row]
    more: bool


def listing(
    conn: Connection, user_id: str, filters: Filters, now: datetime, page_size: int = PAGE_SIZE
) -> Listing:
    """The conversations ``filters`` ask for, as ``user_id`` sees them."""
    reads = inbox_reads.alias("r")
    condition = and_(_view(filters.view, user_id, now), *_narrowing(conn, filters))
    if filters.view == "waiting":
        order = [_c.waiting_since.is_(None), _c.waiting_since, _c.last_message_at.desc(), _c.id]
    else:  # the shape of the index on (last_message_at DESC NULLS LAST, id DESC)
        order = [_c.last_message_at.desc().nulls_last(), _c.id.desc()]
    statement = (
        select(
            _c.id,
            _c.channel,
            _c.customer_id,
            _c.mode,
            _c.assigned_to,
            _c.last_message_at,
            _c.preview,
            _c.waiting_since,
            _c.closed_at,
            _c.inbound_count,
            customers.c.language,
            users.c.email,
            reads.c.inbound_seen,
        )
        .join(customers, customers.c.id == _c.customer_id)
        .outerjoin(users, users.c.id == _c.assigned_to)
        .outerjoin(reads, and_(reads.c.conversation_id == _c.id, reads.c.user_id == user_id))
        .where(condition)
        .order_by(*order)
        .limit(page_size + 1)
        .offset((filters.page - 1) * page_size)
    )
    rows = [_row(row) for row in conn.execute(statement)]
    return Listing(rows=rows[:page_size], more=len(rows) > page_size)


def counts(conn: Connection, user_id: str, now: datetime) -> dict[str, int]:
    """How many conversations wait for a person, and how many the agent has."""
    return {
        view: conn.execute(
            select(func.count()).select_from(conversations).where(_view(view, user_id, now))
        ).scalar_one()
        for view in ("waiting", "mine")
    }


def mark_read(conn: Connection, user_id: str, conversation_id: str, now: datetime) -> None:
    """Remember that ``user_id`` has seen everything the customer wrote so far."""
    seen = conn.execute(
        select(_c.inbound_count).where(_c.id == conversation_id)
    ).scalar_one_or_none()
    if seen is None:
        return
    statement = upsert(conn, inbox_reads).values(
        user_id=user_id, conversation_id=conversation_id, inbound_seen=seen, read_at=now
    )  # two tabs opening it at once: one row, no error
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "conversation_id"],
            set_={"inbound_seen": seen, "read_at": now},
        )
    )


def _view(view: str, user_id: str, now: datetime) -> ColumnElement[bool]:
    open_ = _c.closed_at.is_(None)
    with_person = and_(_c.mode == "human", or_(_c.human_until.is_(None), _c.human_until > now))
    if view == "waiting":
        return and_(with_person, open_)
    if view == "mine":
        return and_(_c.assigned_to == user_id, open_)
    if view == "bot":
        return and_(not_(with_person), open_)
    if view == "closed":
        return _c.closed_at.is_not(None)
    return true()


def _narrowing(conn: Connection, filters: Filters) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.channel:
        found.append(_c.channel == filters.channel)
    if filters.language:
        found.append(customers.c.language == filters.language)
    if filters.query:
        found.append(_matching(conn, filters.query))
    return found


def _matching(conn: Connection, query: str) -> ColumnElement[bool]:
    """Conversations whose messages contain the query's words, or whose customer it
    names; each found by an indexed lookup of its own, then listed by id."""
    term = query.strip()
    email, phone = _contact_terms(term)
    # An address or a number is searched as written (one phrase), not word by word.
    exact = email is not None or phone is not None
    found = set(matching_conversations(conn, query, limit=_SEARCH_HITS, phrase=exact))
    customer_ids: set[str] = set()
    if _HEX.fullmatch(term):  # a conversation's or a customer's id, or its first part
        found.update(conn.execute(select(_c.id).where(_c.id == term)).scalars())
        customer_ids.update(
            conn.execute(
                select(customers.c.id).where(customers.c.id >= term, customers.c.id < term + "g")
            ).scalars()
        )
    addresses = {term, *([phone.lstrip("+")] if phone else [])}  # WhatsApp: digits only
    customer_ids.update(
        conn.execute(
            select(identities.c.customer_id).where(
                identities.c.channel.in_(CHANNELS), identities.c.external_id.in_(addresses)
            )
        ).scalars()
    )
    if email is not None:
        customer_ids.update(
            conn.execute(select(customers.c.id).where(customers.c.email == email)).scalars()
        )
    if phone is not None:
        customer_ids.update(
            conn.execute(select(customers.c.id).where(customers.c.phone == phone)).scalars()
        )
    if customer_ids:
        found.update(
            conn.execute(select(_c.id).where(_c.customer_id.in_(sorted(customer_ids)))).scalars()
        )
    return _c.id.in_(sorted(found)) if found else false()


def _contact_terms(term: str) -> tuple[str | None, str | None]:
    """The query as an e-mail address, and as a phone number in international form
    (German numbers without the country code are read as German)."""
    email = term.lower() if "@" in term and len(term) <= 254 else None
    digits = "".join(ch for ch in term if ch.isdigit())
    if len(digits) < 6 or len(digits) > 15 or any(ch.isalpha() for ch in term):
        return email, None
    try:
        number = phonenumbers.parse(term, "DE")
    except phonenumbers.NumberParseException:
        return email, None
    return email, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _row(row: Any) -> Row:
    seen = row.inbound_seen
    return Row(
        conversation_id=row.id,
        channel=row.channel,
        customer_id=row.customer_id,
        mode=row.mode,
        language=row.language,
        assigned_to=row.assigned_to,
        assigned_email=row.email,
        last_message_at=row.last_message_at,
        preview=row.preview,
        waiting_since=row.waiting_since,
        closed_at=row.closed_at,
        unread=None if seen is None else max(0, row.inbound_count - seen),
    )
