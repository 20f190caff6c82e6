"""The inbox's people: agents, who answer conversations, and admins, who also manage accounts.

An email is kept trimmed and lower-case, so ``Anna@Shop.de`` and ``anna@shop.de`` are
one account. Only the password's argon2id hash is kept (:mod:`theke.inbox.passwords`
makes and checks it). A user is never deleted, only deactivated: the audit log keeps
pointing at who did what.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update
from sqlalchemy.exc import IntegrityError

from theke.errors import StoreError
from theke.store.schema import users, utcnow

__all__ = [
    "EMAIL_MAX",
    "ROLES",
    "User",
    "UserExists",
    "add",
    "all_users",
    "by_email",
    "get",
    "normalize_email",
    "set_active",
    "set_password",
]

ROLES = ("admin", "agent")
EMAIL_MAX = 254

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")


class UserExists(StoreError):
    """An account with this email already exists."""


@dataclass(frozen=True, slots=True)
class User:
    """One person who signs in to the inbox."""

    id: str
    email: str
    role: str
    active: bool
    password_hash: str = field(repr=False)
    created_at: datetime
    password_changed_at: datetime

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def normalize_email(email: str) -> str:
    """``email`` trimmed and lower-case; ``ValueError`` when it is not an email address."""
    address = email.strip().lower()
    if len(address) > EMAIL_MAX or not _EMAIL.fullmatch(address) or not address.isprintable():
        raise ValueError(
            f"{email[:60]!r} is not an email address: write it like anna@shop.de "
            f"(at most {EMAIL_MAX} characters)"
        )
    return address


def add(
    conn: Connection, email: str, role: str, password_hash: str, now: datetime | None = None
) -> User:
    """A new active user. Raises :class:`UserExists` when the email is taken, and
    ``ValueError`` for a role other than admin or agent or a malformed email."""
    if role not in ROLES:
        raise ValueError(f"the role {role[:20]!r} does not exist: use admin or agent")
    address = normalize_email(email)
    if by_email(conn, address) is not None:
        raise _exists(address)
    now = now or utcnow()
    user = User(uuid.uuid4().hex, address, role, True, password_hash, now, now)
    try:
        conn.execute(users.insert().values(**_values(user), updated_at=now))
    except IntegrityError as exc:  # another process added it a moment ago
        raise _exists(address) from exc
    return user


def by_email(conn: Connection, email: str) -> User | None:
    """The user with this email, in any case and with spaces around; ``None`` when unknown."""
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return _user(row) if row is not None else None


def get(conn: Connection, user_id: str) -> User | None:
    """The user with this id; ``None`` when unknown."""
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row is not None else None


def all_users(conn: Connection) -> list[User]:
    """Every user, active or not, by email."""
    return [_user(row) for row in conn.execute(select(users).order_by(users.c.email))]


def set_password(
    conn: Connection, user_id: str, password_hash: str, now: datetime | None = None
) -> None:
    """Replace the user's password hash. The caller ends the user's sessions
    (:func:`theke.store.user_sessions.end_all`). ``LookupError`` for an unknown id."""
    now = now or utcnow()
    _update(conn, user_id, password_hash=password_hash, password_changed_at=now, updated_at=now)


def set_active(conn: Connection, user_id: str, active: bool, now: datetime | None = None) -> None:
    """Deactivate (or reactivate) the user: an inactive user cannot sign in and has no
    session. The caller ends the sessions. ``LookupError`` for an unknown id."""
    _update(conn, user_id, active=active, updated_at=now or utcnow())


def _update(conn: Connection, user_id: str, **values: Any) -> None:
    result = conn.execute(update(users).where(users.c.id == user_id).values(**values))
    if not result.rowcount:
        raise LookupError(f"there is no user with the id {user_id[:40]!r}")


def _exists(address: str) -> UserExists:
    return UserExists(
        f"a user with the email {address} already exists (see `theke user list`); "
        "to give them a new password use `theke user passwd`"
    )


def _values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "role": user.role,
        "active": user.active,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "password_changed_at": user.password_changed_at,
    }


def _user(row: Row[Any]) -> User:
    mapping = row._mapping
    return User(
        id=mapping["id"],
        email=mapping["email"],
        role=mapping["role"],
        active=bool(mapping["active"]),
        password_hash=mapping["password_hash"],
        created_at=mapping["created_at"],
        password_changed_at=mapping["password_changed_at"],
    )
