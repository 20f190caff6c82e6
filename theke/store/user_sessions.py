"""Signed-in browsers of the inbox: a random token in a cookie, only its SHA-256 kept.

A session lasts :data:`SESSION_HOURS` after its last use (each use moves the end
forward) and never longer than :data:`MAX_AGE` after it started: then the person
signs in again. Each session has its own CSRF token, which every form posts back.
A session ends on sign-out, when the user's password changes and when the user is
deactivated; an ended session row stays (with ``revoked_at``) until it is cleaned up.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, select, update

from theke.store import users
from theke.store.schema import user_sessions, utcnow
from theke.store.users import User

__all__ = [
    "MAX_AGE",
    "SESSION_HOURS",
    "AgentSession",
    "end",
    "end_all",
    "find",
    "start",
    "still_live",
]

SESSION_HOURS = 12
MAX_AGE = timedelta(days=7)

_IDLE = timedelta(hours=SESSION_HOURS)
_TOKEN_MAX = 200  # anything longer was never made here: no lookup


@dataclass(frozen=True, slots=True)
class AgentSession:
    """A live session: who is signed in, the CSRF token for their forms, until when."""

    id: str  # the SHA-256 hex of the cookie's token, never the token itself
    user: User
    csrf: str = field(repr=False)
    expires_at: datetime


def start(conn: Connection, user_id: str, now: datetime | None = None) -> tuple[str, AgentSession]:
    """A new session for the user: the token for the cookie (shown only now) and the session.

    ``LookupError`` when there is no active user with this id.
    """
    now = now or utcnow()
    user = users.get(conn, user_id)
    if user is None or not user.active:
        raise LookupError(f"there is no active user with the id {user_id[:40]!r}")
    token = secrets.token_urlsafe(32)
    session = AgentSession(_digest(token), user, secrets.token_urlsafe(32), now + _IDLE)
    conn.execute(
        user_sessions.insert().values(
            id=session.id,
            user_id=user.id,
            csrf=session.csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=session.expires_at,
        )
    )
    return token, session


def find(
    conn: Connection, token: str, now: datetime | None = None, *, slide: bool = True
) -> AgentSession | None:
    """The live session of ``token``, its end moved to ``now`` + 12 hours (at most 7 days
    after it started) unless ``slide`` is false (a page refreshing itself is no use of
    it); ``None`` when it is unknown, ended, expired or its user inactive."""
    now = now or utcnow()
    row = _live_row(conn, token, now)
    if row is None:
        return None
    user = users.get(conn, row.user_id)
    if user is None or not user.active:
        return None
    if not slide:
        return AgentSession(row.id, user, row.csrf, row.expires_at)
    expires_at = min(now + _IDLE, row.created_at + MAX_AGE)
    conn.execute(
        update(user_sessions)
        .where(user_sessions.c.id == row.id)
        .values(last_seen_at=now, expires_at=expires_at)
    )
    return AgentSession(row.id, user, row.csrf, expires_at)


def still_live(conn: Connection, token: str, now: datetime | None = None) -> bool:
    """Whether ``token``'s session is still live, without counting this as a use (a page
    that is merely open must not keep a session alive)."""
    return find(conn, token, now, slide=False) is not None


def end(conn: Connection, token: str, now: datetime | None = None) -> None:
    """End the session of ``token`` (sign-out); nothing happens for an unknown one."""
    if len(token) > _TOKEN_MAX:
        return
    conn.execute(
        update(user_sessions)
        .where(user_sessions.c.id == _digest(token), user_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )


def end_all(conn: Connection, user_id: str, now: datetime | None = None) -> int:
    """End every session of the user; returns how many were still live."""
    now = now or utcnow()
    result = conn.execute(
        update(user_sessions)
        .where(
            user_sessions.c.user_id == user_id,
            user_sessions.c.revoked_at.is_(None),
            user_sessions.c.expires_at > now,
        )
        .values(revoked_at=now)
    )
    return int(result.rowcount)


def _live_row(conn: Connection, token: str, now: datetime) -> Row[Any] | None:
    if not token or len(token) > _TOKEN_MAX:
        return None
    return conn.execute(
        select(user_sessions).where(
            user_sessions.c.id == _digest(token),
            user_sessions.c.revoked_at.is_(None),
            user_sessions.c.expires_at > now,
        )
    ).first()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
