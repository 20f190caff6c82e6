"""The few statements whose SQL differs between SQLite and PostgreSQL, built once per dialect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

__all__ = ["per_dialect", "upsert"]

_BUILT: dict[tuple[str, str], Any] = {}


def upsert(conn: Connection, table: Table) -> Any:
    """An INSERT that supports ``on_conflict_do_nothing`` / ``on_conflict_do_update``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def per_dialect(conn: Connection, name: str, build: Callable[[Connection], Any]) -> Any:
    """The statement ``name`` for this connection's dialect, built on first use.

    Hot statements are built once: constructing one costs more Python than
    running it on SQLite. ``build`` must take every varying value as a bindparam.
    """
    key = (conn.dialect.name, name)
    statement = _BUILT.get(key)
    if statement is None:
        statement = _BUILT[key] = build(conn)
    return statement
