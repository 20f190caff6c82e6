"""Who the customer is, for the conversation's side panel: where else they write to the
shop, what they agreed to hear about (or that they sent STOP), and what the bot
remembers about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from theke.inbox.listing import channel_name
from theke.store import audit, conversations
from theke.store.schema import conversations as conversations_table
from theke.store.schema import customers, identities, optins, subscriptions
from theke.store.users import User

__all__ = ["TAGS_MAX", "TAG_MAX", "CustomerPanel", "customer_panel", "tag", "tags_of"]

TAG_MAX = 30
TAGS_MAX = 20

_TOPICS = {"back_in_stock": "Bescheid, wenn wieder da"}
_FACTS = (("name", "Name"), ("email", "E-Mail"), ("phone", "Telefon"), ("size", "Größe"))


@dataclass(frozen=True, slots=True)
class CustomerPanel:
    """What the side panel shows about the customer."""

    channels: list[str]  # "WhatsApp +4917…", "Web-Chat"
    consents: list[str]
    stopped_at: datetime | None  # when they sent STOP
    facts: list[tuple[str, str]]  # (label, value): name, e-mail, size, ...
    likes: list[str]  # what they liked most, per kind
    tags: list[str]  # what the team noted about them ("Stammkundin", "B2B")


def customer_panel(conn: Connection, customer_id: str) -> CustomerPanel:
    """The panel for ``customer_id``."""
    row = conn.execute(
        select(customers.c.profile, customers.c.opted_out_at).where(customers.c.id == customer_id)
    ).one_or_none()
    profile: dict[str, Any] = dict(row.profile or {}) if row is not None else {}
    return CustomerPanel(
        channels=_channels(conn, customer_id),
        consents=_consents(conn, customer_id),
        stopped_at=row.opted_out_at if row is not None else None,
        facts=_facts(profile),
        likes=_likes(profile),
        tags=tags_of(profile),
    )


def tags_of(profile: dict[str, Any]) -> list[str]:
    """The team's tags in a profile."""
    tags = profile.get("tags")
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def _channels(conn: Connection, customer_id: str) -> list[str]:
    rows = conn.execute(
        select(identities.c.channel, identities.c.external_id)
        .where(identities.c.customer_id == customer_id)
        .order_by(identities.c.id)
    )
    shown = []
    for channel, external_id in rows:
        if channel in ("whatsapp", "phone"):
            shown.append(f"{channel_name(channel)} {external_id}")
        else:
            shown.append(channel_name(channel))
    return list(dict.fromkeys(shown))


def _consents(conn: Connection, customer_id: str) -> list[str]:
    s = subscriptions.c
    found = [
        f"{_TOPICS.get(row.topic, row.topic)}: {row.subject.replace(':', ', Größe ')}"
        for row in conn.execute(
            select(s.topic, s.subject).where(s.customer_id == customer_id, s.status == "active")
        )
    ]
    o = optins.c
    rows = conn.execute(
        select(o.topic, o.expires_at)
        .join(conversations_table, conversations_table.c.id == o.conversation_id)
        .where(conversations_table.c.customer_id == customer_id, o.status == "active")
    )
    for topic, expires_at in rows:
        until = f" (bis {expires_at.strftime('%d.%m.%Y')})" if expires_at is not None else ""
        found.append(f"Messenger-Nachrichten zu {topic}{until}")
    return found


def _facts(profile: dict[str, Any]) -> list[tuple[str, str]]:
    remembered = profile.get("remembered")
    places = [profile, remembered if isinstance(remembered, dict) else {}]
    facts = []
    for key, label in _FACTS:
        value = next((place[key] for place in places if place.get(key)), None)
        if isinstance(value, str | int | float):
            facts.append((label, str(value)))
    return facts


def _likes(profile: dict[str, Any]) -> list[str]:
    likes = profile.get("likes")
    if not isinstance(likes, dict):
        return []
    shown = []
    for counts in likes.values():
        if isinstance(counts, dict) and counts:
            best = max(counts.items(), key=lambda item: item[1])
            shown.append(str(best[0]))
    return shown


def tag(
    conn: Connection,
    customer_id: str,
    label: str,
    user: User,
    *,
    remove: bool = False,
    ip: str | None = None,
) -> list[str]:
    """``user`` adds (or ``remove``s) the tag ``label`` on the customer, in the audit log
    too; the tags after it. ``ValueError`` (German, for the form) for an empty, too long
    or one tag too many."""
    label = " ".join(label.split())
    if not label:
        raise ValueError("Schreib zuerst einen Tag.")
    if len(label) > TAG_MAX:
        raise ValueError(f"Ein Tag hat höchstens {TAG_MAX} Zeichen.")
    profile = conversations.profiles(conn, [customer_id]).get(customer_id)
    if profile is None:
        raise ValueError("Diesen Kunden gibt es nicht.")
    tags = tags_of(profile)
    known = {existing.casefold() for existing in tags}
    if remove:
        tags = [existing for existing in tags if existing.casefold() != label.casefold()]
    elif label.casefold() not in known:
        if len(tags) >= TAGS_MAX:
            raise ValueError(f"Höchstens {TAGS_MAX} Tags je Kunde.")
        tags = [*tags, label]
    conversations.save_profiles(conn, {customer_id: {**profile, "tags": tags}})
    action = "customer.untagged" if remove else "customer.tagged"
    audit.record(conn, user.id, action, target=customer_id, data={"tag": label}, ip=ip)
    return tags
