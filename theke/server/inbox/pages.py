"""The inbox's pages for everyone signed in: login, logout, the list of conversations,
and the own account (password change)."""

from __future__ import annotations

import asyncio
import functools
import math
import secrets
from datetime import timedelta
from importlib.resources import files
from typing import Annotated
from urllib.parse import urlencode

import structlog
from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from theke.inbox.listing import CHANNELS, HEADINGS, VIEWS, Filters, Listing, counts, listing
from theke.inbox.passwords import (
    MIN_LENGTH,
    WeakPassword,
    check_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import (
    AGENT_COOKIE,
    EXPIRED_FORM,
    Agent,
    CheckedForm,
    clear_agent_cookie,
    clear_login_cookie,
    client_ip,
    login_token_ok,
    new_login_token,
    read_form,
    safe_next,
    set_agent_cookie,
    set_login_cookie,
)
from theke.store import audit, login_attempts, user_sessions, users
from theke.store.schema import utcnow
from theke.store.user_sessions import AgentSession
from theke.store.users import User

__all__ = ["WRONG_LOGIN", "router", "strength_problem", "too_many_tries"]

router = APIRouter(prefix="/inbox", route_class=InboxRoute, include_in_schema=False)

WRONG_LOGIN = "E-Mail oder Passwort stimmt nicht."
_STATIC = files("theke.server.inbox").joinpath("static")
_NOTICES = {"geaendert": "Dein Passwort ist geändert. Auf anderen Geräten bist du abgemeldet."}

_log = structlog.get_logger("theke.server.inbox")


def strength_problem(password: str, email: str) -> str | None:
    """What is wrong with a new password, in words for the person choosing it."""
    try:
        check_strength(password, email)
    except WeakPassword:
        if len(password) < MIN_LENGTH:
            return (
                f"Das Passwort ist zu kurz: {len(password)} Zeichen, nötig sind mindestens "
                f"{MIN_LENGTH}. Ein paar Wörter ohne Zusammenhang sind lang genug und gut "
                "zu merken."
            )
        return (
            "Dieses Passwort ist zu leicht zu erraten (die E-Mail-Adresse, ein einziges "
            "wiederholtes Zeichen oder ein sehr häufiges Passwort). Nimm ein anderes: ein "
            "paar Wörter ohne Zusammenhang sind gut zu merken und schwer zu erraten."
        )
    return None


def too_many_tries(wait: timedelta) -> PageError:
    """The 429 page for ``wait`` until the next try."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    when = "1 Minute" if minutes == 1 else f"{minutes} Minuten"
    return PageError(
        429,
        f"Zu viele Versuche. Bitte in {when} noch einmal.",
        title="Zu viele Versuche",
        headers={"Retry-After": str(max(1, math.ceil(wait.total_seconds())))},
    )


@router.get("/static/inbox.css")
async def stylesheet() -> Response:
    return _static("inbox.css", "text/css; charset=utf-8")


@router.get("/static/inbox.js")
async def script() -> Response:
    return _static("inbox.js", "text/javascript; charset=utf-8")


def _static(name: str, media_type: str) -> Response:
    return Response(
        _STATIC.joinpath(name).read_bytes(),
        media_type=media_type,
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/login")
async def login_form(
    request: Request, next_path: Annotated[str, Query(alias="next")] = "/inbox"
) -> Response:
    token = request.cookies.get(AGENT_COOKIE)
    if token:
        found = await runtime_of(request).db.write(lambda conn: user_sessions.find(conn, token))
        if found is not None:
            raise Redirect(safe_next(next_path))
    return _login_page(request, next_path=safe_next(next_path))


def _login_page(
    request: Request,
    *,
    status: int = 200,
    message: str | None = None,
    email: str = "",
    next_path: str = "/inbox",
    token: str | None = None,
) -> Response:
    """The login form with a fresh double-submit token (or the one still in the cookie)."""
    token = token or new_login_token()
    response = render(
        request,
        "login.html",
        status=status,
        title="Anmelden",
        message=message,
        email=email,
        next=next_path,
        csrf=token,
    )
    set_login_cookie(response, request, token)
    return response


@router.post("/login")
async def login(request: Request) -> Response:
    """The double-submit token, then the rate limit, then the password."""
    form = await read_form(request)
    next_path = safe_next(form.text("next"))
    if not login_token_ok(request, form):
        return _login_page(request, status=403, message=EXPIRED_FORM, next_path=next_path)
    email = form.text("email").strip()
    signed_in = await _authenticate(request, email, form.text("password"))
    if signed_in is None:
        return _login_page(
            request, status=401, message=WRONG_LOGIN, email=email, next_path=next_path,
            token=form.text("csrf"),
        )  # fmt: skip
    token, session = signed_in
    _log.info("theke.server.inbox.signed_in", user_id=session.user.id)
    response = RedirectResponse(next_path, status_code=303)
    set_agent_cookie(response, request, token, session.expires_at)
    clear_login_cookie(response, request)
    return response


async def _authenticate(
    request: Request, email: str, password: str
) -> tuple[str, AgentSession] | None:
    """A new session when the password is right, ``None`` when not (an unknown email
    costs the same hash check as a known one); 429 while the email or address is blocked."""
    db, ip = runtime_of(request).db, client_ip(request)
    wait = await db.read(lambda conn: login_attempts.blocked(conn, email, ip))
    if wait is not None:
        _log.warning("theke.server.inbox.login_blocked")
        raise too_many_tries(wait)
    user = await db.read(lambda conn: users.by_email(conn, email))
    ok = await asyncio.to_thread(_password_ok, user, password)
    if user is None or not ok:
        await db.write(lambda conn: _record_failure(conn, user, email, ip))
        return None
    rehashed = await asyncio.to_thread(_rehash, user.password_hash, password)
    try:
        return await db.write(lambda conn: _sign_in(conn, user, email, ip, rehashed))
    except LookupError:  # deactivated a moment ago
        return None


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, so they take as long as known ones."""
    return hash_password(secrets.token_urlsafe(16))


def _password_ok(user: User | None, password: str) -> bool:
    if user is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(user.password_hash, password) and user.active


def _rehash(password_hash: str, password: str) -> str | None:
    return hash_password(password) if needs_rehash(password_hash) else None


def _record_failure(conn: Connection, user: User | None, email: str, ip: str) -> None:
    login_attempts.record(conn, email, ip, ok=False)
    user_id = user.id if user is not None else None
    audit.record(conn, user_id, "user.login_failed", target=email or None, ip=ip)


def _sign_in(
    conn: Connection, user: User, email: str, ip: str, rehashed: str | None
) -> tuple[str, AgentSession]:
    login_attempts.record(conn, email, ip, ok=True)
    if rehashed is not None:
        users.set_password(conn, user.id, rehashed)
    audit.record(conn, user.id, "user.login", target=user.email, ip=ip)
    return user_sessions.start(conn, user.id)


@router.post("/logout")
async def logout(request: Request, agent: Agent, form: CheckedForm) -> Response:
    token: str = request.state.agent_token
    ip = client_ip(request)

    def sign_out(conn: Connection) -> None:
        user_sessions.end(conn, token)
        audit.record(conn, agent.user.id, "user.logout", target=agent.user.email, ip=ip)

    await runtime_of(request).db.write(sign_out)
    response = RedirectResponse("/inbox/login", status_code=303)
    clear_agent_cookie(response, request)
    return response


@router.get("")
async def conversation_list(request: Request, agent: Agent) -> Response:
    """The conversations the filters ask for: by default those waiting for a person,
    the longest waiting first."""
    now, filters = utcnow(), Filters.from_params(request.query_params)
    user_id = agent.user.id

    def read(conn: Connection) -> tuple[Listing, dict[str, int]]:
        return listing(conn, user_id, filters, now), counts(conn, user_id, now)

    runtime = runtime_of(request)
    found, counted = await runtime.db.read(read)
    return render(
        request,
        "list.html",
        title=HEADINGS[filters.view],
        listing=found,
        counts=counted,
        filters=filters,
        views=VIEWS,
        channels=CHANNELS,
        languages=runtime.bot.config.languages,
        now=now,
        newer=_list_url(filters.with_page(filters.page - 1)) if filters.page > 1 else None,
        older=_list_url(filters.with_page(filters.page + 1)) if found.more else None,
    )


def _list_url(filters: Filters) -> str:
    return "/inbox?" + urlencode(filters.params())


@router.get("/account")
async def account_form(request: Request, agent: Agent, ok: str = "") -> Response:
    return render(request, "account.html", title="Dein Konto", notice=_NOTICES.get(ok))


@router.post("/account")
async def change_password(request: Request, agent: Agent, form: CheckedForm) -> Response:
    """A new password for oneself: ends every other session of the account."""
    db, ip, user = runtime_of(request).db, client_ip(request), agent.user
    wait = await db.read(lambda conn: login_attempts.blocked(conn, user.email, ip))
    if wait is not None:
        raise too_many_tries(wait)
    current, new = form.text("current"), form.text("new")
    if not await asyncio.to_thread(verify_password, user.password_hash, current):
        await db.write(lambda conn: login_attempts.record(conn, user.email, ip, ok=False))
        return _account_error(request, "Dein aktuelles Passwort stimmt nicht.")
    if new != form.text("repeat"):
        return _account_error(request, "Die beiden neuen Passwörter sind nicht gleich.")
    problem = strength_problem(new, user.email)
    if problem is not None:
        return _account_error(request, problem)
    hashed = await asyncio.to_thread(hash_password, new)
    token, session = await db.write(lambda conn: _new_password(conn, user, hashed, ip))
    response = RedirectResponse("/inbox/account?ok=geaendert", status_code=303)
    set_agent_cookie(response, request, token, session.expires_at)
    return response


def _account_error(request: Request, message: str) -> Response:
    return render(request, "account.html", status=400, title="Dein Konto", error=message)


def _new_password(conn: Connection, user: User, hashed: str, ip: str) -> tuple[str, AgentSession]:
    """Store the hash, end every session, and start a new one for this browser."""
    users.set_password(conn, user.id, hashed)
    ended = user_sessions.end_all(conn, user.id)
    audit.record(
        conn, user.id, "user.password_changed", target=user.email, data={"ended": ended}, ip=ip
    )
    return user_sessions.start(conn, user.id)
