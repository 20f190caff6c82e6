"""The shop system's API tokens: shown once when created, kept only as a SHA-256.

A token is ``thk_`` and 32 random bytes (url-safe base64). The database holds
its SHA-256 hex digest, so a copy of the database lets nobody call the API; a
request's token is found by the digest of what it presents. Each token has a
name (``erp``, ``shopify-sync``) that the logs and ``theke token list`` show.

Revoking keeps the row, so the list shows when a token stopped working. A
revoked name can be used again: the old row is then renamed ``<name>~<id>``
(``~`` is never part of a valid name) and still listed under its name.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, or_, select, update

from theke.errors import ThekeError
from theke.store.schema import api_tokens, utcnow

__all__ = [
    "NAME_MAX",
    "PREFIX",
    "ApiToken",
    "TokenNameError",
    "create",
    "find",
    "list_tokens",
    "needs_touch",
    "revoke",
    "touch",
    "verify",
]

PREFIX = "thk_"
NAME_MAX = 100

_NAME = re.compile(rf"[A-Za-z0-9_.-]{{1,{NAME_MAX}}}")
_RETIRED = "~"
_TOKEN_MAX = 200  # anything longer was never made here: no lookup
_TOUCH_EVERY = timedelta(minutes=1)


class TokenNameError(ThekeError, ValueError):
    """A token name that is not valid, or already used by an active token."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """What is known about a token, never the token itself."""

    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def create(conn: Connection, name: str, now: datetime | None = None) -> str:
    """A new token named ``name``; returns it (the only time it can be seen).

    Raises :class:`TokenNameError` for an invalid name or one an active token has.
    """
    _check_name(name)
    existing = _by_name(conn, name)
    if existing is not None and existing.active:
        raise TokenNameError(
            f"an active token is already named {name!r}; revoke it first "
            f"(theke token revoke {name}) or choose another name"
        )
    if existing is not None:
        _retire(conn, existing)
    token = PREFIX + secrets.token_urlsafe(32)
    conn.execute(
        api_tokens.insert().values(name=name, token_hash=_digest(token), created_at=now or utcnow())
    )
    return token


def revoke(conn: Connection, name: str, now: datetime | None = None) -> bool:
    """Stop the active token named ``name``; returns whether there was one."""
    result = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.name == name, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    return bool(result.rowcount)


def find(conn: Connection, token: str) -> ApiToken | None:
    """The active token ``token`` is, found by its digest; ``None`` when unknown or revoked."""
    if not token.startswith(PREFIX) or len(token) > _TOKEN_MAX:
        return None
    row = conn.execute(
        select(api_tokens).where(
            api_tokens.c.token_hash == _digest(token), api_tokens.c.revoked_at.is_(None)
        )
    ).first()
    return _token(row) if row is not None else None


def touch(conn: Connection, token_id: int, now: datetime | None = None) -> bool:
    """Record a use of the token, unless one was recorded less than a minute ago."""
    now = now or utcnow()
    result = conn.execute(
        update(api_tokens)
        .where(
            api_tokens.c.id == token_id,
            or_(
                api_tokens.c.last_used_at.is_(None),
                api_tokens.c.last_used_at <= now - _TOUCH_EVERY,
            ),
        )
        .values(last_used_at=now)
    )
    return bool(result.rowcount)


def verify(conn: Connection, token: str, now: datetime | None = None) -> str | None:
    """The name of the active token ``token``, recording its use (at most once a minute)."""
    found = find(conn, token)
    if found is None:
        return None
    if needs_touch(found, now or utcnow()):
        touch(conn, found.id, now)
    return found.name


def needs_touch(token: ApiToken, now: datetime) -> bool:
    """Whether a use of ``token`` at ``now`` should be written down."""
    return token.last_used_at is None or token.last_used_at <= now - _TOUCH_EVERY


def list_tokens(conn: Connection) -> list[ApiToken]:
    """Every token, active and revoked, oldest first."""
    rows = conn.execute(select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id))
    return [_token(row) for row in rows]


def _check_name(name: str) -> None:
    if not _NAME.fullmatch(name):
        raise TokenNameError(
            f"the token name {name[:40]!r} is not valid: use 1 to {NAME_MAX} letters, digits, "
            "`_`, `.` or `-`, like erp or shopify-sync"
        )


def _by_name(conn: Connection, name: str) -> ApiToken | None:
    row = conn.execute(select(api_tokens).where(api_tokens.c.name == name)).first()
    return _token(row) if row is not None else None


def _retire(conn: Connection, old: ApiToken) -> None:
    """Free a revoked token's name, keeping its row (and its name, before the ``~``)."""
    suffix = f"{_RETIRED}{old.id}"
    renamed = old.name[: NAME_MAX - len(suffix)] + suffix
    conn.execute(update(api_tokens).where(api_tokens.c.id == old.id).values(name=renamed))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(row: Row[Any]) -> ApiToken:
    mapping = row._mapping
    return ApiToken(
        id=int(mapping["id"]),
        name=str(mapping["name"]).partition(_RETIRED)[0],
        created_at=mapping["created_at"],
        last_used_at=mapping["last_used_at"],
        revoked_at=mapping["revoked_at"],
    )
