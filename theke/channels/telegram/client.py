"""The Telegram Bot API over HTTP: one method per call, every error mapped here and only here.

Telegram answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": N,
"description": "..."}``. What a failure means for the message:

- 429 Too Many Requests (``parameters.retry_after``): ``RateLimited``, retried then;
- 5xx, a timeout, a broken connection: ``DeliveryError``, retried with backoff;
- 403 Forbidden (the bot was blocked, the user deactivated) and 400 "chat not found":
  ``RecipientUnavailable``, dead-lettered: the customer is unreachable on Telegram;
- 401 Unauthorized and 404 Not Found (a wrong or revoked token): ``InvalidToken``,
  dead-lettered: the channel needs a new token;
- any other 400: ``TelegramRequestError`` (permanent): sent again it would fail again.
"""

from __future__ import annotations

from typing import Any

from theke.channels._http import HttpFailed, JsonHttp
from theke.errors import DeliveryError, InvalidToken, RateLimited, RecipientUnavailable

__all__ = ["TelegramClient", "TelegramRequestError"]


class TelegramRequestError(DeliveryError):
    """Telegram refused the request as malformed: sending it again would fail again."""

    permanent = True
    code = "bad_request"


class TelegramClient:
    """Calls Bot API methods for one bot token."""

    def __init__(self, base_url: str, token: str, http: JsonHttp | None = None) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._files = f"{base_url.rstrip('/')}/file/bot{token}/"
        self._http = http or JsonHttp()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """The ``result`` of ``method``; a failure raises the mapped ``DeliveryError``."""
        try:
            answer = await self._http.request("POST", self._url + method, body=params)
        except HttpFailed as exc:
            raise DeliveryError(f"telegram {method}: {exc}", code="network") from exc
        body = answer.body if isinstance(answer.body, dict) else {}
        if answer.status == 200 and body.get("ok") is True:
            return body.get("result")
        raise _failure(method, answer.status, body)

    def file_url(self, file_path: str) -> str:
        """Where a file ``getFile`` described is downloaded (the link holds the token)."""
        return self._files + file_path.lstrip("/")

    async def close(self) -> None:
        await self._http.close()


def _failure(method: str, status: int, body: dict[str, Any]) -> DeliveryError:
    code = body.get("error_code") if isinstance(body.get("error_code"), int) else status
    description = str(body.get("description") or f"HTTP {status}")[:300]
    message = f"telegram {method}: {code} {description}"
    if code == 429:
        parameters = body.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        seconds = float(retry_after) if isinstance(retry_after, int | float) else None
        return RateLimited(message, retry_after=seconds)
    if code in (401, 404):
        return InvalidToken(message)
    if code == 403 or (code == 400 and "chat not found" in description.lower()):
        return RecipientUnavailable(message)
    if code == 400:
        return TelegramRequestError(message)
    return DeliveryError(message, code=f"telegram_{code}")
