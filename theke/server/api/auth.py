"""The API's authentication: ``Authorization: Bearer <token>``, a token from ``theke token``.

Without the header (or with another scheme) the answer is 401 ``missing_token``; a
token that is unknown or revoked gets 401 ``invalid_token``. Both carry
``WWW-Authenticate: Bearer``. The token is found by its SHA-256, never compared
in the clear, and never logged: the logs name the token by its name.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request

from theke.server.deps import runtime_of
from theke.server.errors import ApiError
from theke.store import api_tokens
from theke.store.schema import utcnow

__all__ = ["Caller", "caller_of"]

_log = structlog.get_logger("theke.api")


async def caller_of(request: Request) -> str:
    """The name of the token the request carries; 401 without a valid one."""
    token = _bearer(request.headers.get("Authorization"))
    runtime = runtime_of(request)
    found = await runtime.db.read(lambda conn: api_tokens.find(conn, token))
    if found is None:
        _log.warning("theke.api.token_rejected", path=request.url.path)
        raise ApiError(401, "invalid_token", "the API token is unknown or revoked")
    now = utcnow()
    if api_tokens.needs_touch(found, now):
        await runtime.db.write(lambda conn: api_tokens.touch(conn, found.id, now))
    return found.name


def _bearer(header: str | None) -> str:
    scheme, _, token = (header or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "missing_token",
            "send the API token as `Authorization: Bearer <token>` (create one with "
            "`theke token create NAME`)",
        )
    return token.strip()


Caller = Annotated[str, Depends(caller_of)]
"""A route parameter holding the calling token's name."""
