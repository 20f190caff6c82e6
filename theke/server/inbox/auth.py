"""Who is signed in to the inbox: the session cookie, CSRF tokens, the origin check, and
the route dependencies for "any agent" and "admins only".

The cookie ``theke_agent`` carries the token from ``user_sessions.start`` (only its
SHA-256 is stored). It is HttpOnly, SameSite=Strict, limited to ``/inbox``, Secure when
the public address is https, and lives no longer than the session. Every form carries
the session's CSRF value, compared in constant time; the login form, before there is a
session, carries a random value that must equal the one in the short-lived
``theke_login`` cookie (double submit).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from urllib.parse import quote, urlsplit

import structlog
from fastapi import Depends, Request
from fastapi.responses import Response

from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect
from theke.store import user_sessions
from theke.store.user_sessions import AgentSession

__all__ = [
    "AGENT_COOKIE",
    "LIVE_PATH",
    "LOGIN_COOKIE",
    "REFRESH_HEADER",
    "Admin",
    "Agent",
    "CheckedForm",
    "FormFields",
    "admin_agent",
    "check_origin",
    "checked_form",
    "clear_agent_cookie",
    "clear_login_cookie",
    "client_ip",
    "current_agent",
    "login_token_ok",
    "new_login_token",
    "read_form",
    "safe_next",
    "set_agent_cookie",
    "set_login_cookie",
    "tokens_match",
]

AGENT_COOKIE = "theke_agent"
LOGIN_COOKIE = "theke_login"
COOKIE_PATH = "/inbox"
LOGIN_TOKEN_SECONDS = 30 * 60
EXPIRED_FORM = "Das Formular ist abgelaufen. Lade die Seite neu und versuch es noch einmal."

_log = structlog.get_logger("theke.server.inbox")


@dataclass(frozen=True, slots=True)
class FormFields:
    """The text fields of a posted form (files and repeated names are ignored)."""

    values: dict[str, str]

    def text(self, name: str) -> str:
        return self.values.get(name, "")


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Whether two tokens are equal and not empty, compared in constant time."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


def check_origin(request: Request) -> None:
    """Refuse a request whose ``Origin`` names another site than this server (403)."""
    origin = request.headers.get("origin")
    if origin is None:
        return
    public = urlsplit(runtime_of(request).settings.public_url)
    given = urlsplit(origin)
    same_public = (given.scheme, given.netloc) == (public.scheme, public.netloc)
    same_host = given.scheme in ("http", "https") and given.netloc == request.headers.get("host")
    if not (same_public or same_host):
        _log.warning("theke.server.inbox.foreign_origin", path=request.url.path)
        raise PageError(403, EXPIRED_FORM, title="Formular abgelaufen")


def safe_next(value: str | None) -> str:
    """Where to go after signing in: an inbox path, never another site."""
    if not value or len(value) > 2000 or "\\" in value or not value.isprintable():
        return "/inbox"
    if value == "/inbox" or (value.startswith("/inbox/") and not value.startswith("/inbox//")):
        return value
    return "/inbox"


def _secure(request: Request) -> bool:
    return runtime_of(request).settings.public_url.startswith("https")


def set_agent_cookie(
    response: Response, request: Request, token: str, expires_at: datetime
) -> None:
    """The session cookie, valid until the session's own expiry."""
    response.set_cookie(
        AGENT_COOKIE,
        token,
        expires=expires_at,
        path=COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )
    request.state.cookie_written = True


def clear_agent_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        AGENT_COOKIE, path=COOKIE_PATH, secure=_secure(request), httponly=True, samesite="strict"
    )
    request.state.cookie_written = True


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    """The login form's double-submit value, for half an hour."""
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_TOKEN_SECONDS,
        path=COOKIE_PATH,
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        LOGIN_COOKIE, path=COOKIE_PATH, secure=_secure(request), httponly=True, samesite="strict"
    )


def login_token_ok(request: Request, form: FormFields) -> bool:
    return tokens_match(request.cookies.get(LOGIN_COOKIE), form.text("csrf"))


async def read_form(request: Request) -> FormFields:
    """The posted form's text fields (the body limit keeps them small)."""
    form = await request.form()
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str):
            values.setdefault(name, value)
    return FormFields(values)


LIVE_PATH = "/inbox/live"
REFRESH_HEADER = "X-Theke-Refresh"  # sent by static/inbox.js when it reloads a part


async def current_agent(request: Request) -> AgentSession:
    """The signed-in agent; without a live session, off to the login page (303)."""
    token = request.cookies.get(AGENT_COOKIE)
    target = f"/inbox/login?next={quote(safe_next(request.url.path), safe='/')}"
    if not token:
        raise Redirect(target)
    runtime = runtime_of(request)
    # The live stream and the page refreshing itself are not the agent using the inbox.
    slide = request.url.path != LIVE_PATH and request.headers.get(REFRESH_HEADER) != "1"
    session = await runtime.db.write(lambda conn: user_sessions.find(conn, token, slide=slide))
    if session is None:
        raise Redirect(target, sign_out=True)
    request.state.agent = session
    request.state.agent_token = token
    return session


Agent = Annotated[AgentSession, Depends(current_agent)]
"""A route parameter holding the signed-in agent's session."""


async def admin_agent(agent: Agent) -> AgentSession:
    """The signed-in agent, if an admin; 403 for everyone else."""
    if not agent.user.is_admin:
        raise PageError(403, "Nur für Admins.", title="Kein Zugriff")
    return agent


Admin = Annotated[AgentSession, Depends(admin_agent)]
"""A route parameter holding the signed-in admin's session."""


async def checked_form(request: Request, agent: Agent) -> FormFields:
    """The posted form, once its CSRF field matches the session's (403 otherwise)."""
    form = await read_form(request)
    if not tokens_match(agent.csrf, form.text("csrf")):
        _log.warning("theke.server.inbox.csrf_rejected", path=request.url.path)
        raise PageError(403, EXPIRED_FORM, title="Formular abgelaufen")
    return form


CheckedForm = Annotated[FormFields, Depends(checked_form)]
"""A route parameter holding a posted form whose CSRF token was checked."""
