"""Sign-in tries, to slow down password guessing.

Failures are counted per email (:data:`LIMIT_EMAIL` in :data:`WINDOW`) and per
address (:data:`LIMIT_IP`, for one address trying many emails). Over either limit,
:func:`blocked` says how long until the next try is allowed: until enough of the
failures are older than the window. A successful sign-in clears the email's
failures (not the address's). Tries older than the window are deleted as new ones
come in. The caller checks :func:`blocked` first and, while blocked, neither checks
the password nor records the try.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from theke.store.schema import login_attempts, utcnow

__all__ = ["LIMIT_EMAIL", "LIMIT_IP", "WINDOW", "blocked", "record"]

LIMIT_EMAIL = 5
LIMIT_IP = 20
WINDOW = timedelta(minutes=15)

_KEY_MAX = 300


def blocked(conn: Connection, email: str, ip: str, now: datetime | None = None) -> timedelta | None:
    """How long until the next try is allowed, when the email or the address has had too
    many failures in the window; ``None`` when a try is allowed now."""
    now = now or utcnow()
    waits = [
        _wait(conn, _email_key(email), LIMIT_EMAIL, now),
        _wait(conn, _ip_key(ip), LIMIT_IP, now),
    ]
    found = [wait for wait in waits if wait is not None]
    return max(found) if found else None


def record(conn: Connection, email: str, ip: str, ok: bool, now: datetime | None = None) -> None:
    """Write down a try for the email and the address; a success clears the email's failures."""
    now = now or utcnow()
    keys = (_email_key(email), _ip_key(ip))
    conn.execute(
        delete(login_attempts).where(
            login_attempts.c.key.in_(keys), login_attempts.c.at <= now - WINDOW
        )
    )
    if ok:
        conn.execute(
            delete(login_attempts).where(
                login_attempts.c.key == keys[0], login_attempts.c.ok.is_(False)
            )
        )
    conn.execute(login_attempts.insert(), [{"key": key, "ok": ok, "at": now} for key in keys])


def _wait(conn: Connection, key: str, limit: int, now: datetime) -> timedelta | None:
    """Until the ``limit``-th newest failure in the window leaves it, if there is one."""
    oldest_counted = conn.execute(
        select(login_attempts.c.at)
        .where(
            login_attempts.c.key == key,
            login_attempts.c.ok.is_(False),
            login_attempts.c.at > now - WINDOW,
        )
        .order_by(login_attempts.c.at.desc())
        .offset(limit - 1)
        .limit(1)
    ).scalar()
    if oldest_counted is None:
        return None
    wait: timedelta = oldest_counted + WINDOW - now
    return wait


def _email_key(email: str) -> str:
    return ("email:" + email.strip().lower())[:_KEY_MAX]


def _ip_key(ip: str) -> str:
    return ("ip:" + ip)[:_KEY_MAX]
