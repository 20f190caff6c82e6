"""Meta's Graph API errors, in the shape and with the HTTP status Meta answers them.

Used by :mod:`theke.testing.graph_api`. Mirrored behaviour:

- every error is ``{"error": {"message", "type": "OAuthException", "code", "error_subcode"?,
  "is_transient"?, "fbtrace_id"}}``; the WhatsApp Cloud API adds ``error_data:
  {"messaging_product": "whatsapp", "details"}`` and puts the code's title in the message,
  ``"(#131047) Re-engagement message"``
  (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes);
- Messenger answers nearly everything with HTTP 400, an invalid token included
  (https://developers.facebook.com/docs/messenger-platform/error-codes); the Cloud API
  documents a status per code: 401 for 0 and 190, 403 for 10 and 200-299, 404 for 132001
  (template does not exist), 500 for 131000, 503 for 2 and 131016, otherwise 400;
- the codes a client must tell apart: 190 invalid token, 100 invalid parameter, 4 / 613 /
  130429 / 131056 rate limits, 2 temporary, 10 + 2018278 outside the 24-hour window, 551 +
  1545041 person unavailable, 131047 re-engagement (WhatsApp window), 131026 undeliverable.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from typing import Any, Literal

__all__ = [
    "Api",
    "GraphError",
    "bad_param",
    "error_for",
    "invalid_token",
    "is_http_url",
    "json_field",
    "missing_token",
    "no_such_object",
    "one_of",
    "text_len",
]

Api = Literal["messenger", "whatsapp"]

_HTTP_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


@dataclass(frozen=True)
class _Known:
    message: str
    details: str = ""
    transient: bool = False


# Graph-wide codes; the message is what Graph sends (the WhatsApp title follows in brackets).
_GRAPH: dict[int, _Known] = {
    1: _Known("An unknown error occurred.", "Invalid request or possible server error."),
    2: _Known(
        "An unexpected error has occurred. Please retry your request later.",
        "Temporary due to downtime or due to being overloaded.",
        transient=True,
    ),
    4: _Known(
        "(#4) Application request limit reached",
        "The app has reached its API call rate limit.",
        transient=True,
    ),
    10: _Known("(#10) Application does not have permission for this action"),
    100: _Known("(#100) Invalid parameter", "Invalid parameter."),
    190: _Known("Invalid OAuth access token - Cannot parse access token"),
    200: _Known("(#200) Permissions error"),
    551: _Known("(#551) This person isn't available right now."),
    613: _Known("(#613) Calls to this api have exceeded the rate limit.", transient=True),
}
_MESSENGER_SUBCODES: dict[tuple[int, int], str] = {
    (10, 2018278): "(#10) This message is sent outside of allowed window. Learn more about the"
    " new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview",
    (100, 2018001): "(#100) No matching user found",
    (551, 1545041): "(#551) This person isn't available right now.",
    (613, 2534040): "(#613) Calls to this api have exceeded the rate limit.",
}
# The Cloud API's own codes: title (shown in the message) and error_data.details.
_WHATSAPP: dict[int, _Known] = {
    0: _Known("AuthException", "We were unable to authenticate the app user."),
    80007: _Known("Rate limit issues", "The WhatsApp Business Account has reached its rate limit."),
    130429: _Known("Rate limit hit", "Cloud API message throughput has been reached."),
    131000: _Known("Something went wrong", "Message failed to send due to an unknown error."),
    131008: _Known("Required parameter is missing", "A required parameter is missing."),
    131009: _Known("Parameter value is not valid", "One or more parameter values are invalid."),
    131016: _Known("Service unavailable", "A service is temporarily unavailable."),
    131026: _Known(
        "Message Undeliverable",
        "Message failed to send because the recipient is not a WhatsApp user, has not accepted"
        " the latest terms of service or uses an old WhatsApp version.",
    ),
    131047: _Known(
        "Re-engagement message",
        "Message failed to send because more than 24 hours have passed since the customer"
        " last replied to this number.",
    ),
    131048: _Known("Spam rate limit hit", "Message failed to send because of spam limits."),
    131056: _Known(
        "(Business Account, Consumer Account) pair rate limit hit",
        "Message failed to send because there were too many messages sent from this phone"
        " number to the same phone number in a short period of time.",
    ),
    132000: _Known(
        "Number of parameters does not match the expected number of params",
        "The number of variable parameter values does not match the template.",
    ),
    132001: _Known(
        "Template name does not exist in the translation",
        "The template does not exist in the specified language or has not been approved.",
    ),
}
_WHATSAPP_STATUS = {0: 401, 2: 503, 3: 500, 10: 403, 190: 401, 131000: 500, 131005: 403}
_WHATSAPP_STATUS |= {131016: 503, 132001: 404, 368: 403}
_MESSENGER_STATUS = {2: 500}
_AUTH_CODES = frozenset({0, 102, 104, 190})


class GraphError(Exception):
    """Meta refuses the request; :meth:`body` is the JSON it sends, ``status`` the HTTP status."""

    def __init__(
        self,
        api: Api | None,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        status: int | None = None,
        details: str | None = None,
        transient: bool = False,
    ) -> None:
        super().__init__(message)
        self.api = api
        self.code = code
        self.message = message
        self.subcode = subcode
        self.status = status if status is not None else _status(api, code)
        self.details = details
        self.transient = transient

    def body(self) -> dict[str, Any]:
        """``{"error": {...}}`` with a fresh ``fbtrace_id``, as Graph sends it."""
        error: dict[str, Any] = {"message": self.message, "type": "OAuthException"}
        error["code"] = self.code
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.transient:
            error["is_transient"] = True
        if self.api == "whatsapp" and self.code not in _AUTH_CODES:
            details = self.details or self.message
            error["error_data"] = {"messaging_product": "whatsapp", "details": details}
        error["fbtrace_id"] = secrets.token_urlsafe(17)
        return {"error": error}


def _status(api: Api | None, code: int) -> int:
    if api == "whatsapp":
        if 200 <= code <= 299:
            return 403
        return _WHATSAPP_STATUS.get(code, 400)
    return _MESSENGER_STATUS.get(code, 400)


def error_for(
    api: Api | None, code: int, *, subcode: int | None = None, status: int | None = None
) -> GraphError:
    """The error Meta sends for ``code`` (and ``subcode``), with its documented message."""
    if api == "whatsapp" and code in _WHATSAPP:
        known = _WHATSAPP[code]
        message = f"(#{code}) {known.message}"
        return GraphError(api, code, message, subcode=subcode, status=status, details=known.details)
    known = _GRAPH.get(code, _Known(f"(#{code}) An unknown error occurred."))
    message = _MESSENGER_SUBCODES.get((code, subcode or 0), known.message)
    return GraphError(
        api,
        code,
        message,
        subcode=subcode,
        status=status,
        details=known.details or None,
        transient=known.transient,
    )


def invalid_token(api: Api | None, *, revoked: bool = False) -> GraphError:
    """Code 190: a wrong token, or (subcode 460) one the owner invalidated."""
    if revoked:
        message = (
            "Error validating access token: The session has been invalidated because the user"
            " changed their password or Facebook has changed the session for security reasons."
        )
        return GraphError(api, 190, message, subcode=460)
    return error_for(api, 190)


def missing_token(api: Api | None) -> GraphError:
    """Code 104: the request carries no token at all."""
    message = "An access token is required to request this resource."
    return GraphError(api, 104, message, status=401 if api == "whatsapp" else 400)


def no_such_object(api: Api | None, object_id: str, http_method: str) -> GraphError:
    """100 / 33: the path names an object the token cannot see (or that does not exist)."""
    message = (
        f"Unsupported {http_method.lower()} request. Object with ID '{object_id}' does not"
        " exist, cannot be loaded due to missing permissions, or does not support this"
        " operation. Please read the Graph API documentation at"
        " https://developers.facebook.com/docs/graph-api"
    )
    return GraphError(api, 100, message, subcode=33)


def bad_param(api: Api, problem: str, *, code: int = 100, subcode: int | None = None) -> GraphError:
    """An invalid request: ``(#100) <problem>``; WhatsApp repeats the problem in ``details``."""
    if api == "whatsapp" and code in _WHATSAPP:
        title = _WHATSAPP[code].message
        return GraphError(api, code, f"(#{code}) {title}", subcode=subcode, details=problem)
    return GraphError(api, code, f"(#{code}) {problem}", subcode=subcode, details=problem)


def json_field(api: Api, value: Any, name: str) -> Any:
    """A JSON-typed parameter; form fields and query strings carry it as a JSON string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise bad_param(api, f"param {name} must be a JSON object") from exc


def text_len(value: Any) -> int:
    """Characters as Meta counts them (Unicode code points); -1 for a non-string."""
    return len(value) if isinstance(value, str) else -1


def one_of(value: Any, choices: frozenset[str]) -> bool:
    """``value`` is one of the allowed strings (any JSON value may arrive here)."""
    return isinstance(value, str) and value in choices


def is_http_url(value: Any) -> bool:
    """An absolute ``http(s)://`` URL, as Meta requires for links and buttons."""
    return isinstance(value, str) and _HTTP_URL.fullmatch(value) is not None
