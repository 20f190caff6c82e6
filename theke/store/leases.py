"""Conversation leases: one conversation, one worker at a time; a dead worker's lease lapses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import Connection, bindparam, delete, or_, update

from theke.store._dialect import upsert
from theke.store.schema import leases, utcnow

__all__ = ["acquire", "extend", "release"]


def acquire(conn: Connection, keys: Sequence[str], owner: str, ttl: float) -> list[str]:
    """Take the leases that are free or lapsed (or already ours); returns the keys taken."""
    if not keys:
        return []
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    statement = upsert(conn, leases)
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"owner": statement.excluded.owner, "expires_at": statement.excluded.expires_at},
        where=or_(leases.c.expires_at < bindparam("now"), leases.c.owner == owner),
    ).returning(leases.c.key)
    rows = [{"key": key, "owner": owner, "expires_at": expires, "now": now} for key in keys]
    return list((conn.execute(statement, rows)).scalars())


def extend(conn: Connection, keys: Sequence[str], owner: str, ttl: float) -> set[str]:
    """Renew leases we hold; returns the keys still ours (the others lapsed and may be taken).

    Called inside the turn's transaction, it is also the fence: the row locks it
    takes keep any other worker from taking these leases until we commit.
    """
    if not keys:
        return set()
    statement = (
        update(leases)
        .where(leases.c.key.in_(list(keys)), leases.c.owner == owner)
        .values(expires_at=utcnow() + timedelta(seconds=ttl))
        .returning(leases.c.key)
    )
    return set((conn.execute(statement)).scalars())


def release(conn: Connection, keys: Sequence[str], owner: str) -> None:
    """Give leases back so the next event of these conversations is picked up at once."""
    if keys:
        conn.execute(delete(leases).where(leases.c.key.in_(list(keys)), leases.c.owner == owner))
