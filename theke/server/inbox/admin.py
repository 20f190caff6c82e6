"""The admins' pages: the inbox's people, adding one, a new password, (de)activating."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.inbox.passwords import hash_password
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Admin, CheckedForm, client_ip
from theke.server.inbox.pages import strength_problem
from theke.store import audit, user_sessions, users
from theke.store.users import User, UserExists

__all__ = ["router"]

router = APIRouter(prefix="/inbox/users", route_class=InboxRoute, include_in_schema=False)

_NOTICES = {
    "added": "Das Konto ist angelegt. Gib der Person ihr Passwort auf einem sicheren Weg.",
    "reset": "Das Passwort ist neu gesetzt; die Person ist überall abgemeldet.",
    "deactivated": "Das Konto ist deaktiviert; die Person ist überall abgemeldet.",
    "reactivated": "Das Konto ist wieder aktiv.",
}
_ROLES = {"admin": "Admin", "agent": "Agent"}


@router.get("")
async def user_list(request: Request, admin: Admin, ok: str = "") -> Response:
    return await _users_page(request, notice=_NOTICES.get(ok))


async def _users_page(
    request: Request,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    people = await runtime_of(request).db.read(users.all_users)
    return render(
        request,
        "users.html",
        status=status,
        title="Benutzer",
        people=people,
        roles=_ROLES,
        notice=notice,
        error=error,
        entered=entered or {"role": "agent"},
    )


@router.post("")
async def add_user(request: Request, admin: Admin, form: CheckedForm) -> Response:
    """A new account with a first password the admin hands over."""
    email, role, password = form.text("email").strip(), form.text("role"), form.text("password")
    problem = _new_user_problem(email, role, password)
    if problem is not None:
        entered = {"email": email, "role": role}
        return await _users_page(request, status=400, error=problem, entered=entered)
    hashed = await asyncio.to_thread(hash_password, password)
    ip = client_ip(request)

    def add(conn: Connection) -> None:
        user = users.add(conn, email, role, hashed)
        data = {"role": role, "id": user.id}
        audit.record(conn, admin.user.id, "user.added", target=user.email, data=data, ip=ip)

    try:
        await runtime_of(request).db.write(add)
    except UserExists:
        error = "Für diese E-Mail-Adresse gibt es schon ein Konto."
        entered = {"email": email, "role": role}
        return await _users_page(request, status=400, error=error, entered=entered)
    raise Redirect("/inbox/users?ok=added")


def _new_user_problem(email: str, role: str, password: str) -> str | None:
    if role not in _ROLES:
        return "Wähle eine Rolle: Admin oder Agent."
    try:
        address = users.normalize_email(email)
    except ValueError:
        return "Das ist keine E-Mail-Adresse. Schreib sie so: anna@shop.de"
    return strength_problem(password, address)


@router.post("/{user_id}/password")
async def reset_password(
    request: Request, user_id: str, admin: Admin, form: CheckedForm
) -> Response:
    """A new password set by an admin: every session of that person ends."""
    own = "Dein eigenes Passwort änderst du unter „Konto“."
    target = await _other_user(request, user_id, admin.user, own)
    password = form.text("password")
    problem = strength_problem(password, target.email)
    if problem is not None:
        return await _users_page(request, status=400, error=f"{target.email}: {problem}")
    hashed = await asyncio.to_thread(hash_password, password)
    ip = client_ip(request)

    def reset(conn: Connection) -> None:
        users.set_password(conn, target.id, hashed)
        ended = user_sessions.end_all(conn, target.id)
        data = {"id": target.id, "ended": ended}
        audit.record(
            conn, admin.user.id, "user.password_reset", target=target.email, data=data, ip=ip
        )

    await runtime_of(request).db.write(reset)
    raise Redirect("/inbox/users?ok=reset")


@router.post("/{user_id}/active")
async def set_active(request: Request, user_id: str, admin: Admin, form: CheckedForm) -> Response:
    """Deactivate (which signs the person out everywhere) or reactivate an account."""
    own = "Du kannst dich nicht selbst deaktivieren."
    target = await _other_user(request, user_id, admin.user, own)
    if form.text("active") not in ("0", "1"):
        raise PageError(400, "Das Formular ist unvollständig. Lade die Seite neu.")
    active = form.text("active") == "1"
    action = "user.reactivated" if active else "user.deactivated"
    ip = client_ip(request)

    def change(conn: Connection) -> None:
        users.set_active(conn, target.id, active)
        data: dict[str, Any] = {"id": target.id}
        if not active:
            data["ended"] = user_sessions.end_all(conn, target.id)
        audit.record(conn, admin.user.id, action, target=target.email, data=data, ip=ip)

    await runtime_of(request).db.write(change)
    raise Redirect("/inbox/users?ok=" + ("reactivated" if active else "deactivated"))


async def _other_user(request: Request, user_id: str, admin: User, own: str) -> User:
    """The account an admin acts on: it exists, and it is not the admin's own (``own``
    says why not)."""
    target = await runtime_of(request).db.read(lambda conn: users.get(conn, user_id))
    if target is None:
        raise PageError(404, "Dieses Konto gibt es nicht.", title="Nicht gefunden")
    if target.id == admin.id:
        raise PageError(400, own)
    return target
