"""What a WhatsApp Cloud API error means for the message: the one place it is decided.

From Meta's WhatsApp Cloud API error codes:

- retry later: 130429 (the number's throughput is reached), 131056 (too many messages
  to this one recipient: the pair rate limit), 4 and 80007 (rate limits), 1, 2, 131000
  and 131016 (something went wrong, service unavailable), HTTP 5xx and network
  failures — ``RateLimited`` or a plain ``DeliveryError``, retried with backoff;
- never retry, record: 131047 (more than 24 hours since the customer's last message:
  re-engagement needs a template) — ``OutsideWindow``; 131026 (the message cannot be
  delivered to this number) — ``RecipientUnavailable``: unreachable on WhatsApp;
  100, 131008, 131009, 131051, 132000–132999 (bad parameters, unsupported type,
  template errors) — ``WhatsAppRequestError``;
- stop the channel and alert: 190 (the access token is invalid or expired) or HTTP 401 —
  ``InvalidToken``.
"""

from __future__ import annotations

from theke.channels.graph import GraphError
from theke.errors import (
    DeliveryError,
    InvalidToken,
    OutsideWindow,
    RateLimited,
    RecipientUnavailable,
)

__all__ = ["WhatsAppRequestError", "delivery_error"]

_RETRY_LATER = frozenset({1, 2, 131000, 131016})
_RATE_LIMITS = {130429: 10.0, 131056: 60.0, 4: 60.0, 80007: 60.0}
"""Seconds to wait: the pair limit lets about one message per six seconds through, and
the number's throughput frees up within seconds; Meta gives no retry-after."""


class WhatsAppRequestError(DeliveryError):
    """WhatsApp refused the request as malformed: sending it again would fail again."""

    permanent = True
    code = "bad_request"


def delivery_error(error: GraphError) -> DeliveryError:
    """The ``DeliveryError`` the dispatcher acts on for a failed Cloud API call."""
    text = f"whatsapp: {error}"
    code = error.code
    if code == 190 or error.status == 401:
        return InvalidToken(text)
    if code == 131047:
        return OutsideWindow(text)
    if code == 131026:
        return RecipientUnavailable(text)
    if code in _RATE_LIMITS:
        return RateLimited(text, retry_after=_RATE_LIMITS[code])
    if code in _RETRY_LATER or error.status >= 500 or code == 0:
        return DeliveryError(text, code=f"whatsapp_{code}")
    return WhatsAppRequestError(text)
