"""Meta's Graph API over HTTP, shared by Messenger and WhatsApp: calls and error bodies.

Both platforms answer a failure with HTTP 4xx/5xx and ``{"error": {"message", "type",
"code", "error_subcode", "fbtrace_id"}}``. This module only reads that shape into a
``GraphError``; what a code means for the message — retry, record, stop the channel —
is decided in one place per channel (``messenger.errors``, ``whatsapp.errors``),
because the same number means different things on the two platforms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from theke.channels._http import HttpFailed, JsonAnswer, JsonHttp
from theke.channels._outgoing import Gate
from theke.errors import DeliveryError
from theke.store.database import Database

__all__ = ["GraphClient", "GraphError", "GraphSender", "HttpFailed"]


class GraphError(Exception):
    """A failed Graph API call, as Meta described it (``code`` 0: no error body came back)."""

    def __init__(self, status: int, code: int, subcode: int | None, message: str) -> None:
        self.status = status
        self.code = code
        self.subcode = subcode
        self.message = message
        sub = f"/{subcode}" if subcode is not None else ""
        super().__init__(f"HTTP {status}, code {code}{sub}: {message}")


class GraphClient:
    """Calls the Graph API at ``base_url`` (``https://graph.facebook.com/v25.0``) with one token.

    The token goes in the ``Authorization: Bearer`` header, never in the URL, so it does not
    end up in access logs. A call that gets no answer raises ``HttpFailed``.
    """

    def __init__(self, base_url: str, token: str, http: JsonHttp | None = None) -> None:
        self._base = base_url.rstrip("/")
        self._headers = {"Authorization": f"Bearer {token}"}
        self._http = http or JsonHttp()

    @property
    def headers(self) -> dict[str, str]:
        """The authorization header, for a download from a URL the API handed out."""
        return dict(self._headers)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST ``body`` as JSON to ``{base}/{path}``; the answer, or ``GraphError``."""
        url = f"{self._base}/{path.lstrip('/')}"
        return _answer(await self._http.request("POST", url, body=body, headers=self._headers))

    async def get(self, path: str) -> dict[str, Any]:
        url = f"{self._base}/{path.lstrip('/')}"
        return _answer(await self._http.request("GET", url, headers=self._headers))

    async def close(self) -> None:
        await self._http.close()


def _answer(answer: JsonAnswer) -> dict[str, Any]:
    if 200 <= answer.status < 300 and isinstance(answer.body, dict):
        return answer.body
    raise _error(answer.status, answer.body)


def _error(status: int, body: object) -> GraphError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return GraphError(status, 0, None, f"HTTP {status} without an error body")
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("message") or "")
    details = error.get("error_data")
    if isinstance(details, dict) and details.get("details"):
        message = f"{message} ({details['details']})"
    return GraphError(
        status,
        code if isinstance(code, int) else 0,
        subcode if isinstance(subcode, int) else None,
        message[:500],
    )


class GraphSender:
    """What the Messenger and WhatsApp senders share: one messages endpoint (``account``:
    the Page id or the phone number id), the rate limit before each call, and the
    channel's own reading of Meta's error codes."""

    channel: str
    delivery_error: Callable[[GraphError], DeliveryError]

    def __init__(
        self,
        client: GraphClient,
        db: Database,
        *,
        account: str,
        public_url: str,
        gate: Gate | None = None,
    ) -> None:
        self._client = client
        self._db = db
        self._path = f"{account}/messages"
        self._public_url = public_url
        self._gate = gate

    async def _post(self, recipient: str, body: dict[str, Any]) -> None:
        if self._gate is not None:
            await self._gate.wait(recipient)
        try:
            await self._client.post(self._path, body)
        except GraphError as exc:
            raise type(self).delivery_error(exc) from exc
        except HttpFailed as exc:
            raise DeliveryError(f"{self.channel}: {exc}", code="network") from exc

    async def close(self) -> None:
        await self._client.close()
