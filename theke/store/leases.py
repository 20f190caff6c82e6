"""Conversation leases: one conversation, one worker at a time; a dead worker's lease lapses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import delete, or_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.store._dialect import upsert
from theke.store.schema import leases, utcnow

__all__ = ["acquire", "extend", "release"]


async def acquire(conn: AsyncConnection, keys: Sequence[str], owner: str, ttl: float) -> list[str]:
    """Take the leases that are free or lapsed (or already ours); returns the keys taken."""
    if not keys:
        return []
    now = utcnow()
    expires = now + timedelta(seconds=ttl)
    statement = upsert(conn, leases).values(
        [{"key": key, "owner": owner, "expires_at": expires} for key in keys]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={"owner": statement.excluded.owner, "expires_at": statement.excluded.expires_at},
        where=or_(leases.c.expires_at < now, leases.c.owner == owner),
    ).returning(leases.c.key)
    return list((await conn.execute(statement)).scalars())


async def extend(conn: AsyncConnection, key: str, owner: str, ttl: float) -> bool:
    """Renew a lease we hold; False when it lapsed and someone else may have it.

    Called inside the turn's transaction, it is also the fence: the row lock it
    takes keeps any other worker from taking the lease until we commit.
    """
    statement = (
        update(leases)
        .where(leases.c.key == key, leases.c.owner == owner)
        .values(expires_at=utcnow() + timedelta(seconds=ttl))
    )
    return bool((await conn.execute(statement)).rowcount)


async def release(conn: AsyncConnection, keys: Sequence[str], owner: str) -> None:
    """Give leases back so the next event of these conversations is picked up at once."""
    if keys:
        await conn.execute(
            delete(leases).where(leases.c.key.in_(list(keys)), leases.c.owner == owner)
        )
