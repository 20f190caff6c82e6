"""Canned responses ("Textbausteine"): ready-made answers an agent sends by typing their
shortcut.

A shortcut is unique and kept lower-case without the leading slash (``versand`` for
``/versand``); what a valid shortcut, title and text are is decided before they get here
(:func:`theke.inbox.canned.check`). ``created_by`` is the user who added it (``None``
from the command line).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.exc import IntegrityError

from theke.errors import StoreError
from theke.store.schema import canned_responses, utcnow

__all__ = [
    "Canned",
    "CannedExists",
    "add",
    "all_canned",
    "by_shortcut",
    "change",
    "get",
    "remove",
]

_c = canned_responses.c


class CannedExists(StoreError):
    """Another canned response already has this shortcut."""

    def __init__(self, shortcut: str) -> None:
        super().__init__(f"a canned response with the shortcut /{shortcut} already exists")
        self.shortcut = shortcut


@dataclass(frozen=True, slots=True)
class Canned:
    """One canned response: the shortcut agents type, a title, and the text sent."""

    id: int
    shortcut: str
    title: str
    text: str
    created_by: str | None
    created_at: datetime
    updated_at: datetime


def add(
    conn: Connection,
    shortcut: str,
    title: str,
    text: str,
    user_id: str | None,
    now: datetime | None = None,
) -> Canned:
    """A new canned response. :class:`CannedExists` when the shortcut is taken."""
    key = _key(shortcut)
    if by_shortcut(conn, key) is not None:
        raise CannedExists(key)
    now = now or utcnow()
    values = {
        "shortcut": key,
        "title": title,
        "text": text,
        "created_by": user_id,
        "created_at": now,
        "updated_at": now,
    }
    statement = canned_responses.insert().values(**values).returning(_c.id)
    try:
        canned_id = int(conn.execute(statement).scalar_one())
    except IntegrityError as exc:  # another process added it a moment ago
        raise CannedExists(key) from exc
    return Canned(canned_id, key, title, text, user_id, now, now)


def change(
    conn: Connection,
    canned_id: int,
    shortcut: str,
    title: str,
    text: str,
    now: datetime | None = None,
) -> Canned:
    """The canned response with a new shortcut, title and text. :class:`CannedExists`
    when another one has the shortcut, ``LookupError`` for an unknown id."""
    current = get(conn, canned_id)
    if current is None:
        raise _unknown(canned_id)
    key = _key(shortcut)
    holder = by_shortcut(conn, key)
    if holder is not None and holder.id != canned_id:
        raise CannedExists(key)
    now = now or utcnow()
    values = {"shortcut": key, "title": title, "text": text, "updated_at": now}
    try:
        result = conn.execute(update(canned_responses).where(_c.id == canned_id).values(values))
    except IntegrityError as exc:  # another process took the shortcut a moment ago
        raise CannedExists(key) from exc
    if not result.rowcount:  # another process removed it a moment ago
        raise _unknown(canned_id)
    return replace(current, shortcut=key, title=title, text=text, updated_at=now)


def remove(conn: Connection, canned_id: int) -> bool:
    """Delete the canned response; ``False`` when there was none with this id."""
    result = conn.execute(delete(canned_responses).where(_c.id == canned_id))
    return bool(result.rowcount)


def get(conn: Connection, canned_id: int) -> Canned | None:
    """The canned response with this id; ``None`` when unknown."""
    row = conn.execute(select(canned_responses).where(_c.id == canned_id)).first()
    return _canned(row) if row is not None else None


def by_shortcut(conn: Connection, shortcut: str) -> Canned | None:
    """The canned response with this shortcut (any case, with or without the slash);
    ``None`` when unknown."""
    row = conn.execute(select(canned_responses).where(_c.shortcut == _key(shortcut))).first()
    return _canned(row) if row is not None else None


def all_canned(conn: Connection) -> list[Canned]:
    """Every canned response, by shortcut."""
    rows = conn.execute(select(canned_responses).order_by(_c.shortcut))
    return [_canned(row) for row in rows]


def _key(shortcut: str) -> str:
    """The shortcut as the table keeps it: trimmed, lower-case, without a leading slash."""
    key = shortcut.strip().lower()
    return key[1:] if key.startswith("/") else key


def _unknown(canned_id: int) -> LookupError:
    return LookupError(f"there is no canned response with the id {canned_id}")


def _canned(row: Row[Any]) -> Canned:
    mapping = row._mapping
    return Canned(
        id=int(mapping["id"]),
        shortcut=mapping["shortcut"],
        title=mapping["title"],
        text=mapping["text"],
        created_by=mapping["created_by"],
        created_at=mapping["created_at"],
        updated_at=mapping["updated_at"],
    )
