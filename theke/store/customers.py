"""One customer across channels: merged when a phone number is confirmed on a second one.

A number counts as confirmed only when the platform vouches for it: WhatsApp's own
number, a number Messenger's ``user_phone_number`` quick reply filled in from the
profile, a Telegram contact its owner shared. A number typed in free text never merges
anyone. The confirmed number is kept as an identity of channel ``phone`` (in E.164), so
the second channel that confirms it finds the first customer.

On a merge the older customer survives: identities, conversations (and with them the
history, carts and opt-ins), the event log and subscriptions move to it; its profile
keeps its own values and takes the other's where it has none; a STOP on either side
holds for both; the younger customer is deleted. The caller logs the merge as an event.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, update

from theke.store.schema import (
    conversations,
    customers,
    events,
    identities,
    subscriptions,
    utcnow,
    webchat_messages,
)

__all__ = ["PHONE", "Merge", "confirm_phone", "contact_of"]

PHONE = "phone"
"""The identity channel of confirmed phone numbers."""

_OWNED = (identities, conversations, events, subscriptions, webchat_messages)
"""Every table whose rows belong to a customer and move with a merge."""


@dataclass(frozen=True, slots=True)
class Merge:
    """Customer ``merged`` became part of ``survivor`` because both confirmed ``phone``."""

    survivor: str
    merged: str
    phone: str


def confirm_phone(conn: Connection, customer_id: str, phone: str) -> Merge | None:
    """Record that ``customer_id`` confirmed ``phone`` (E.164); merge with its other owner."""
    owner = conn.execute(
        select(identities.c.customer_id).where(
            identities.c.channel == PHONE, identities.c.external_id == phone
        )
    ).scalar_one_or_none()
    if owner is None:
        conn.execute(
            identities.insert().values(
                channel=PHONE, external_id=phone, customer_id=customer_id, created_at=utcnow()
            )
        )
        return None
    if owner == customer_id:
        return None
    survivor, merged = _by_age(conn, owner, customer_id)
    _move(conn, merged, survivor)
    return Merge(survivor=survivor, merged=merged, phone=phone)


def _by_age(conn: Connection, one: str, other: str) -> tuple[str, str]:
    """``(older, younger)``; ties broken by id, so every process decides alike."""
    rows = conn.execute(
        select(customers.c.id, customers.c.created_at).where(customers.c.id.in_([one, other]))
    ).all()
    ordered = sorted(rows, key=lambda row: (row.created_at, row.id))
    return ordered[0].id, ordered[-1].id


def _move(conn: Connection, merged: str, survivor: str) -> None:
    rows = {
        row.id: row
        for row in conn.execute(
            select(
                customers.c.id,
                customers.c.profile,
                customers.c.language,
                customers.c.opted_out_at,
                customers.c.last_seen_at,
            ).where(customers.c.id.in_([merged, survivor]))
        )
    }
    kept, language = (rows[survivor].profile or {}), rows[survivor].language
    taken, other_language = (rows[merged].profile or {}), rows[merged].language
    # A STOP on either side holds for the one customer; the latest visit counts.
    stops = [rows[i].opted_out_at for i in (survivor, merged) if rows[i].opted_out_at]
    seen = [rows[i].last_seen_at for i in (survivor, merged) if rows[i].last_seen_at]
    for table in _OWNED:
        conn.execute(
            update(table).where(table.c.customer_id == merged).values(customer_id=survivor)
        )
    profile = _merged_profile(kept, taken)
    email, phone = contact_of(profile)
    conn.execute(
        update(customers)
        .where(customers.c.id == survivor)
        .values(
            profile=profile,
            email=email,
            phone=phone,
            language=language or other_language,
            opted_out_at=min(stops) if stops else None,
            last_seen_at=max(seen) if seen else None,
        )
    )
    conn.execute(delete(customers).where(customers.c.id == merged))


def contact_of(profile: dict[str, Any]) -> tuple[str | None, str | None]:
    """The e-mail address (lower-case) and phone number a profile holds: given at
    checkout, after hours, or to a flow that remembers it."""
    remembered = profile.get("remembered")
    places = [profile, remembered if isinstance(remembered, dict) else {}]
    found = []
    for key, longest in (("email", 254), ("phone", 32)):
        value = next((p[key] for p in places if isinstance(p.get(key), str) and p[key]), None)
        found.append(value.strip().lower()[:longest] if value else None)
    return found[0], found[1]


def _merged_profile(
    kept: dict[str, Any], taken: dict[str, Any], *, nested: bool = False
) -> dict[str, Any]:
    """The survivor's values win; the other's fill the gaps; lists join, and the counts
    inside a section (``likes``: brand → times chosen) add up."""
    profile = dict(taken) | dict(kept)
    for key, value in taken.items():
        mine = kept.get(key)
        if isinstance(mine, dict) and isinstance(value, dict):
            profile[key] = _merged_profile(mine, value, nested=True)
        elif isinstance(mine, list) and isinstance(value, list):
            profile[key] = mine + [item for item in value if item not in mine]
        elif nested and _count(mine) and _count(value):
            profile[key] = mine + value
    return profile


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
