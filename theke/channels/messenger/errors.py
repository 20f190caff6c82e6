"""What a Messenger Send API error means for the message: the one place it is decided.

From Meta's error-code reference for the Messenger Platform:

- retry later: 1, 2 and 1200 (temporary: "try again later"), 4 (application rate
  limit), 613 (calls to this API too fast), 9 with subcode 2018352 (too many messages
  to one person), HTTP 5xx and network failures — ``RateLimited`` or a plain
  ``DeliveryError``, retried with backoff;
- never retry, record: 10 with subcode 2018278 (sent outside the allowed window) —
  ``OutsideWindow``; 551 (this person isn't available right now), 100 with subcode
  2018001 (no matching user) and 200 with subcode 1545041 (the person blocked messages) —
  ``RecipientUnavailable``: the customer is unreachable on Messenger; any other 100
  (invalid parameter) — ``MessengerRequestError``, because sent again it fails again;
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

__all__ = ["MessengerRequestError", "delivery_error"]

_RETRY_LATER = frozenset({1, 2, 4, 613, 1200})
_UNAVAILABLE = frozenset({(551, None), (100, 2018001), (200, 1545041)})
_RATE_PAUSE = 60.0  # seconds: Meta does not say how long; a minute spares the page's quota


class MessengerRequestError(DeliveryError):
    """Messenger refused the request as malformed: sending it again would fail again."""

    permanent = True
    code = "bad_request"


def delivery_error(error: GraphError) -> DeliveryError:
    """The ``DeliveryError`` the dispatcher acts on for a failed Send API call."""
    text = f"messenger: {error}"
    code, subcode = error.code, error.subcode
    if code == 190 or error.status == 401:
        return InvalidToken(text)
    if code == 10 and subcode == 2018278:
        return OutsideWindow(text)
    if (code, subcode) in _UNAVAILABLE or (code, None) in _UNAVAILABLE:
        return RecipientUnavailable(text)
    if code in (4, 613) or (code == 9 and subcode == 2018352):
        return RateLimited(text, retry_after=_RATE_PAUSE)
    if code in _RETRY_LATER or error.status >= 500 or error.code == 0:
        return DeliveryError(text, code=f"messenger_{code}")
    return MessengerRequestError(text)
