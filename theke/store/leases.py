"""Conversation leases: one conversation, one worker at a time; a dead worker's lease lapses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, or_, update

from theke.store._dialect import per_dialect, upsert
from theke.store.schema import leases, utcnow

__all__ = ["acquire", "extend", "release"]


def _acquire_statement(conn: Connection) -> Any:
    statement = upsert(conn, leases)
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"owner": statement.excluded.owner, "expires_at": statement.excluded.expires_at},
        where=or_(leases.c.expires_at < bindparam("now"), leases.c.owner == bindparam("me")),
    ).returning(leases.c.key)


_EXTEND = (
    update(leases)
    .where(leases.c.key.in_(bindparam("keys", expanding=True)), leases.c.owner == bindparam("me"))
    .values(expires_at=bindparam("until"))
    .returning(leases.c.key)
)
_RELEASE = delete(leases).where(
    leases.c.key.in_(bindparam("keys", expanding=True)), leases.c.owner == bindparam("me")
)


def acquire(conn: Connection, keys: Sequence[str], owner: str, ttl: float) -> list[str]:
    """Take the leases that are free or lapsed (or already ours); returns the keys taken."""
    if not keys:
        return []
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    statement = per_dialect(conn, "leases.acquire", _acquire_statement)
    rows = [
        {"key": key, "owner": owner, "expires_at": expires, "now": now, "me": owner} for key in keys
    ]
    return list((conn.execute(statement, rows)).scalars())


def extend(conn: Connection, keys: Sequence[str], owner: str, ttl: float) -> set[str]:
    """Renew leases we hold; returns the keys still ours (the others lapsed and may be taken).

    Called inside the turn's transaction, it is also the fence: the row locks it
    takes keep any other worker from taking these leases until we commit.
    """
    if not keys:
        return set()
    until = utcnow() + timedelta(seconds=ttl)
    return set(conn.execute(_EXTEND, {"keys": list(keys), "me": owner, "until": until}).scalars())


def release(conn: Connection, keys: Sequence[str], owner: str) -> None:
    """Give leases back so the next event of these conversations is picked up at once."""
    if keys:
        conn.execute(_RELEASE, {"keys": list(keys), "me": owner})
