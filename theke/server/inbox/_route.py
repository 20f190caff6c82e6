"""The route class of every inbox page: origin check on posts, error pages and redirects
instead of JSON, the security headers, and a session cookie that follows the session."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute

from theke.server.inbox._render import PageError, Redirect, add_security_headers, render
from theke.server.inbox.auth import check_origin, clear_agent_cookie, set_agent_cookie

__all__ = ["InboxRoute"]

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class InboxRoute(APIRoute):
    """An inbox route: refuses foreign posts and answers every outcome as a page."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                if request.method == "POST":
                    check_origin(request)
                response = await handler(request)
            except PageError as exc:
                response = _error_page(request, exc)
            except Redirect as exc:
                response = RedirectResponse(exc.location, status_code=303)
                if exc.sign_out:
                    clear_agent_cookie(response, request)
            _refresh_cookie(request, response)
            add_security_headers(response)
            return response

        return guarded


def _error_page(request: Request, exc: PageError) -> Response:
    response = render(
        request, "error.html", status=exc.status, title=exc.title, message=exc.message
    )
    response.headers.update(exc.headers)
    return response


def _refresh_cookie(request: Request, response: Response) -> None:
    """Each use extends the session: the cookie's expiry moves along with it."""
    agent = getattr(request.state, "agent", None)
    if agent is None or getattr(request.state, "cookie_written", False):
        return
    set_agent_cookie(response, request, request.state.agent_token, agent.expires_at)
