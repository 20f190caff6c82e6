"""The audit log: what the inbox's people did, and who did it.

Actions have dotted names: ``user.login``, ``user.login_failed``, ``user.logout``,
``user.password_changed``, ``user.password_reset`` (by an admin), ``user.added``,
``user.deactivated``, ``user.reactivated``. ``user_id`` is who acted (``None`` for the
command line, or for a failed sign-in of an unknown email); ``target`` is what the
action was about (an email, a conversation id). Customers' texts never go in here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, null, select

from theke.store.schema import audit_log, users, utcnow

__all__ = ["ACTION_MAX", "recent", "record"]

ACTION_MAX = 40
_TARGET_MAX = 200
_IP_MAX = 64


def record(
    conn: Connection,
    user_id: str | None,
    action: str,
    *,
    target: str | None = None,
    data: dict[str, Any] | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> None:
    """Add an entry; ``ValueError`` for an action name that is empty or too long."""
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"an audit action is 1 to {ACTION_MAX} characters, like user.login")
    conn.execute(
        audit_log.insert().values(
            user_id=user_id,
            action=action,
            target=target[:_TARGET_MAX] if target is not None else None,
            data=data if data is not None else null(),  # SQL NULL, not JSON null
            ip=ip[:_IP_MAX] if ip is not None else None,
            created_at=now or utcnow(),
        )
    )


def recent(conn: Connection, limit: int = 100) -> list[dict[str, Any]]:
    """The newest ``limit`` entries, newest first: ``id``, ``created_at``, ``user_id``,
    ``user_email`` (``None`` without a user), ``action``, ``target``, ``data``, ``ip``."""
    query = (
        select(audit_log, users.c.email.label("user_email"))
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.user_id))
        .order_by(audit_log.c.created_at.desc(), audit_log.c.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]
