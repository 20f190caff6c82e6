"""Long button payloads under short, stable keys, for platforms that limit their length.

The key is derived from the payload (a hash), so the same payload always gets the
same key, in every process, and storing it twice changes nothing.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable

from sqlalchemy import Connection, select

from theke.store._dialect import upsert
from theke.store.schema import short_payloads, utcnow

__all__ = ["PREFIX", "key_for", "lookup", "remember"]

PREFIX = "p:"


def key_for(payload: str) -> str:
    """``p:`` and 22 characters: 24 bytes, well inside Telegram's 64."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return PREFIX + base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def remember(conn: Connection, payloads: Iterable[str]) -> dict[str, str]:
    """Store the payloads; returns payload → key."""
    keys = {payload: key_for(payload) for payload in payloads}
    if keys:
        now = utcnow()
        conn.execute(
            upsert(conn, short_payloads)
            .values([{"key": key, "payload": p, "created_at": now} for p, key in keys.items()])
            .on_conflict_do_nothing(index_elements=["key"])
        )
    return keys


def lookup(conn: Connection, key: str) -> str | None:
    """The payload stored under ``key``, if any."""
    found = conn.execute(select(short_payloads.c.payload).where(short_payloads.c.key == key))
    payload: str | None = found.scalar_one_or_none()
    return payload
