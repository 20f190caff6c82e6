"""Customers, their channel identities and their conversations."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, literal, select, update

from theke.store._dialect import upsert
from theke.store.customers import contact_of
from theke.store.schema import UTCDateTime, conversations, customers, identities, utcnow

__all__ = [
    "Conversation",
    "StateChange",
    "create",
    "customer_for",
    "ensure_customer",
    "get",
    "load_many",
    "new_id",
    "owners",
    "pause_over",
    "profiles",
    "save",
    "save_profiles",
    "set_mode",
    "set_opted_out",
    "set_reachable",
]


@dataclass(frozen=True, slots=True)
class Conversation:
    id: str
    key: str
    customer_id: str
    channel: str
    external_id: str
    mode: str
    state: dict[str, Any]
    last_inbound_at: datetime | None
    human_until: datetime | None = None  # a pause by a person in the platform's own inbox
    unreachable_at: datetime | None = None  # the platform said the customer cannot be reached
    closed_at: datetime | None = None  # an agent closed it in the inbox (open again on a message)


def customer_for(conn: Connection, channel: str, external_id: str) -> str | None:
    """The customer behind a channel identity, or None when we have never seen it."""
    found = conn.execute(
        select(identities.c.customer_id).where(
            identities.c.channel == channel, identities.c.external_id == external_id
        )
    )
    customer_id: str | None = found.scalar_one_or_none()
    return customer_id


def new_id() -> str:
    """A 128-bit random id in hex: unguessable, safe to show to a browser."""
    return secrets.token_hex(16)


def ensure_customer(
    conn: Connection, channel: str, external_id: str, customer_id: str | None = None
) -> str:
    """The customer behind a channel identity, created on first sight."""
    existing = customer_for(conn, channel, external_id)
    if existing is not None:
        return existing
    now = utcnow()
    customer_id = customer_id or new_id()
    conn.execute(
        upsert(conn, customers)
        .values(id=customer_id, created_at=now, profile={})
        .on_conflict_do_nothing(index_elements=["id"])
    )
    conn.execute(
        identities.insert().values(
            channel=channel, external_id=external_id, customer_id=customer_id, created_at=now
        )
    )
    return customer_id


def _row(row: Any) -> Conversation:
    return Conversation(
        id=row["id"],
        key=row["key"],
        customer_id=row["customer_id"],
        channel=row["channel"],
        external_id=row["external_id"],
        mode=row["mode"],
        state=dict(row["state"] or {}),
        last_inbound_at=row["last_inbound_at"],
        human_until=row["human_until"],
        unreachable_at=row["unreachable_at"],
        closed_at=row["closed_at"],
    )


_LOAD_MANY = select(conversations).where(conversations.c.key.in_(bindparam("keys", expanding=True)))
_SAVE = (
    update(conversations)
    .where(conversations.c.id == bindparam("conversation_id"))
    .values(
        state=bindparam("new_state"),
        updated_at=bindparam("now"),
        last_inbound_at=bindparam("new_last_inbound_at"),
    )
)


def load_many(conn: Connection, keys: Sequence[str]) -> dict[str, Conversation]:
    """The existing conversations among ``keys``."""
    if not keys:
        return {}
    result = conn.execute(_LOAD_MANY, {"keys": list(keys)})
    return {row["key"]: _row(row) for row in result.mappings()}


def owners(conn: Connection, conversation_ids: Sequence[str]) -> dict[str, str]:
    """Whose conversations these are now: a merge may have moved them since they were read."""
    if not conversation_ids:
        return {}
    rows = conn.execute(
        select(conversations.c.id, conversations.c.customer_id).where(
            conversations.c.id.in_(list(conversation_ids))
        )
    )
    return {row.id: row.customer_id for row in rows}


def get(conn: Connection, conversation_id: str) -> Conversation | None:
    """The conversation with this id, if there is one."""
    row = conn.execute(select(conversations).where(conversations.c.id == conversation_id))
    found = row.mappings().first()
    return _row(found) if found is not None else None


def create(conn: Connection, channel: str, external_id: str) -> Conversation:
    """Start the conversation of a channel identity (and its customer, if new)."""
    customer_id = ensure_customer(conn, channel, external_id)
    now = utcnow()
    conversation = Conversation(
        id=new_id(),
        key=f"{channel}:{external_id}",
        customer_id=customer_id,
        channel=channel,
        external_id=external_id,
        mode="bot",
        state={},
        last_inbound_at=None,
    )
    conn.execute(
        conversations.insert().values(
            id=conversation.id,
            key=conversation.key,
            customer_id=customer_id,
            channel=channel,
            external_id=external_id,
            mode="bot",
            state={},
            created_at=now,
            updated_at=now,
        )
    )
    return conversation


@dataclass(frozen=True, slots=True)
class StateChange:
    conversation_id: str
    state: dict[str, Any]
    last_inbound_at: datetime | None


def save(conn: Connection, changes: Sequence[StateChange]) -> None:
    """Store the states turns left behind (one round trip for the batch)."""
    if not changes:
        return
    now = utcnow()
    conn.execute(
        _SAVE,
        [
            {
                "conversation_id": change.conversation_id,
                "new_state": change.state,
                "new_last_inbound_at": change.last_inbound_at,
                "now": now,
            }
            for change in changes
        ],
    )


def set_source(conn: Connection, conversation_id: str, source: dict[str, Any]) -> None:
    """Remember where the conversation came from (the newest link, ad or campaign)."""
    conn.execute(
        update(conversations).where(conversations.c.id == conversation_id).values(source=source)
    )


def source_of(conn: Connection, conversation_id: str) -> dict[str, Any] | None:
    found = conn.execute(
        select(conversations.c.source).where(conversations.c.id == conversation_id)
    ).scalar_one_or_none()
    return dict(found) if isinstance(found, dict) else None


def set_mode(
    conn: Connection, conversation_id: str, mode: str, *, until: datetime | None = None
) -> None:
    """Switch a conversation between the bot and a human (``until``: back to the bot then)."""
    if mode not in ("bot", "human"):
        raise ValueError(f"unknown conversation mode {mode!r}")
    now = utcnow()
    c = conversations.c
    # A hand-over makes the customer wait for a person (from now, unless they already
    # were); a timed pause (a person just answered in the platform's own inbox) and the
    # bot do not.
    waiting = (
        func.coalesce(c.waiting_since, literal(now, UTCDateTime()))
        if mode == "human" and until is None
        else None
    )
    conn.execute(
        update(conversations)
        .where(c.id == conversation_id)
        .values(
            mode=mode,
            human_until=until if mode == "human" else None,
            waiting_since=waiting,
            updated_at=now,
        )
    )


def set_opted_out(conn: Connection, customer_id: str, opted_out: bool) -> None:
    """STOP (the shop starts nothing on its own any more) or START (it may again)."""
    conn.execute(
        update(customers)
        .where(customers.c.id == customer_id)
        .values(opted_out_at=utcnow() if opted_out else None)
    )


def pause_over(mode: str, human_until: datetime | None, now: datetime) -> bool:
    """Whether a person's timed pause (a reply typed in Meta's own inbox) has run out, so
    the bot has the conversation again. A hand-over without an end never runs out."""
    return mode == "human" and human_until is not None and human_until <= now


def set_reachable(conn: Connection, conversation_id: str, reachable: bool) -> None:
    """Record that the platform can (again) or cannot deliver to this customer."""
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(unreachable_at=None if reachable else utcnow(), updated_at=utcnow())
    )


def profiles(conn: Connection, customer_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The remembered profiles of ``customer_ids`` (name, language, sizes, what they viewed)."""
    if not customer_ids:
        return {}
    rows = conn.execute(
        select(customers.c.id, customers.c.profile).where(customers.c.id.in_(list(customer_ids)))
    )
    return {row.id: dict(row.profile or {}) for row in rows}


_SAVE_PROFILE = (
    update(customers)
    .where(customers.c.id == bindparam("customer_id"))
    .values(
        profile=bindparam("new_profile"),
        language=bindparam("new_language"),
        email=bindparam("new_email"),
        phone=bindparam("new_phone"),
    )
)


def save_profiles(conn: Connection, changed: dict[str, dict[str, Any]]) -> None:
    """Store changed profiles (one round trip for the batch)."""
    if not changed:
        return
    conn.execute(
        _SAVE_PROFILE,
        [
            {
                "customer_id": customer_id,
                "new_profile": profile,
                "new_language": str(profile.get("language") or "")[:16] or None,
                "new_email": contact_of(profile)[0],
                "new_phone": contact_of(profile)[1],
            }
            for customer_id, profile in changed.items()
        ],
    )
