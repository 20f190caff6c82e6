"""``POST /webhooks/telegram``: Telegram's updates, checked, stored, acknowledged.

Telegram sends the secret given to ``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``;
without it the request is refused (401), with a wrong one too (403), compared in constant
time. The 200 goes out only after the update's events are committed; the worker answers
them. A repeated delivery (the same ``update_id``) is stored once.
"""

from __future__ import annotations

import hmac

import structlog
from fastapi import APIRouter, Request, Response

from theke.server._inbound import accept, acknowledge_later
from theke.server.deps import runtime_of
from theke.server.errors import ApiError

__all__ = ["router"]

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_log = structlog.get_logger("theke.channels.telegram")


@router.post("/telegram", status_code=200)
async def telegram(request: Request) -> Response:
    runtime = runtime_of(request)
    settings = runtime.settings
    if settings.telegram_bot_token is None or settings.telegram_secret_token is None:
        raise ApiError(404, "not_configured", "the Telegram channel is not set up here")
    given = request.headers.get(_HEADER)
    if given is None:
        _log.warning("theke.channels.telegram.secret_missing")
        raise ApiError(401, "secret_missing", f"the {_HEADER} header is missing")
    expected = settings.telegram_secret_token.get_secret_value()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        _log.warning("theke.channels.telegram.secret_rejected")
        raise ApiError(403, "secret_rejected", f"the {_HEADER} header is wrong")
    from theke.channels.telegram.updates import TelegramUpdateError, parse_update

    try:
        events = parse_update(await request.body())
    except TelegramUpdateError as exc:
        raise ApiError(400, "bad_update", str(exc)) from exc
    await accept(runtime, events)
    acknowledge_later(runtime, "telegram", events)
    return Response(status_code=200)
