"""Rendering the inbox's pages: the Jinja environment, the headers every page carries,
the German wording of times, and the two ways a page ends early (an error, a redirect)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from theke.server.deps import runtime_of

__all__ = [
    "SECURITY_HEADERS",
    "PageError",
    "Redirect",
    "add_security_headers",
    "relative_time",
    "render",
    "waited",
]

SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; form-action 'self'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


class PageError(Exception):
    """A request the inbox refuses: answered with ``status`` and a page saying ``message``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        title: str = "Das ging nicht",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title
        self.headers = headers or {}


class Redirect(Exception):
    """Send the browser elsewhere (303); ``sign_out`` also clears the session cookie."""

    def __init__(self, location: str, *, sign_out: bool = False) -> None:
        super().__init__(location)
        self.location = location
        self.sign_out = sign_out


@functools.cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("theke.server.inbox", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["relative"] = relative_time
    env.filters["waited"] = waited
    return env


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """``template`` filled with ``context``, the shop's name and the signed-in agent (if any)."""
    values = {
        "shop": runtime_of(request).bot.config.name,
        "agent": getattr(request.state, "agent", None),
        **context,
    }
    html = _environment().get_template(template).render(values)
    return HTMLResponse(html, status_code=status)


def add_security_headers(response: Response) -> None:
    """No caching, no framing, no foreign scripts or form targets, no referrer abroad."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)


def relative_time(when: datetime | None, now: datetime) -> str:
    """How long ago ``when`` was, the way a person says it: "vor 5 Min.", "vor 2 Tagen"."""
    if when is None:
        return "–"
    seconds = int((now - when).total_seconds())
    if seconds < 60:
        return "gerade eben"
    minutes = seconds // 60
    if minutes < 60:
        return f"vor {minutes} Min."
    hours = minutes // 60
    if hours < 24:
        return f"vor {hours} Std."
    days = hours // 24
    if days < 7:
        return "vor 1 Tag" if days == 1 else f"vor {days} Tagen"
    return when.strftime("%d.%m.%Y")


def waited(since: datetime | None, now: datetime) -> str:
    """How long someone has been waiting: "seit 12 Min.", "seit 3 Std.", "seit 2 Tagen"."""
    if since is None:
        return "–"
    minutes = max(0, int((now - since).total_seconds())) // 60
    if minutes < 1:
        return "seit weniger als 1 Min."
    if minutes < 60:
        return f"seit {minutes} Min."
    hours = minutes // 60
    if hours < 24:
        return f"seit {hours} Std."
    days = hours // 24
    return "seit 1 Tag" if days == 1 else f"seit {days} Tagen"
