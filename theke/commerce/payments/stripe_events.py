"""Stripe's webhook deliveries: check the ``Stripe-Signature`` header, read the event.

Stripe signs each delivery (https://docs.stripe.com/webhooks#verify-manually) with the
endpoint's signing secret (``whsec_...``, used as is as the HMAC key): the header is
``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">``, with one ``v1`` per active
secret while a secret is being rolled, and other schemes (``v0``) that are ignored. A
delivery is accepted when any ``v1`` matches (compared in constant time) and ``t`` is at most
``tolerance`` seconds old, which stops replays of old deliveries.

:func:`parse_event` reads the event object. The Checkout events Theke acts on carry the
session in ``data.object``: ``checkout.session.completed``,
``checkout.session.async_payment_succeeded``, ``checkout.session.async_payment_failed`` and
``checkout.session.expired``. Other event types parse with ``session=None``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from theke.commerce.payments.errors import PaymentError
from theke.commerce.payments.stripe import CheckoutSession, Epoch, SessionObject

__all__ = [
    "SESSION_EVENTS",
    "SignatureError",
    "StripeEvent",
    "parse_event",
    "sign",
    "verify_signature",
]

SESSION_EVENTS = frozenset(
    {
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    }
)
"""The event types whose ``data.object`` is read as a Checkout Session."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SCHEME = "v1"


class SignatureError(PaymentError):
    """A webhook delivery's signature does not prove it came from Stripe, just now.

    ``reason`` is ``missing`` (no header), ``malformed`` (no timestamp or no ``v1``),
    ``mismatch`` (no ``v1`` matches the body and secret) or ``stale`` (older than the
    tolerance). Answer such a delivery with 400, never 200.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message, code="invalid_signature")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StripeEvent:
    """A webhook event: its ``id`` (``evt_...``, the key for dropping repeats), ``type``,
    when Stripe created it, and the Checkout Session it is about (None for other types)."""

    id: str
    type: str
    created: datetime
    session: CheckoutSession | None


class _EventData(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    object: dict[str, Any]


class _EventObject(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    created: Epoch
    data: _EventData


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` header Stripe sends with ``payload`` at ``timestamp``."""
    return f"t={timestamp},{_SCHEME}={_digest(payload, secret, str(timestamp))}"


def verify_signature(
    payload: bytes,
    header: str | None,
    secret: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> None:
    """Raise :class:`SignatureError` unless ``header`` signs ``payload`` with ``secret``.

    ``payload`` must be the raw request body, byte for byte, as received.
    """
    if header is None or not header.strip():
        raise SignatureError("missing", "the Stripe-Signature header is missing")
    timestamp, signatures = _parse_header(header)
    expected = _digest(payload, secret, timestamp).encode("ascii")
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("mismatch", "no v1 signature matches the body and the secret")
    current = time.time() if now is None else now
    if int(timestamp) < current - tolerance:
        raise SignatureError("stale", f"the signature is older than {tolerance:g} seconds")


def parse_event(payload: bytes) -> StripeEvent:
    """The event in a webhook body; raises ``PaymentError(code="malformed_event")``."""
    try:
        event = _EventObject.model_validate_json(payload)
        session = None
        if event.type in SESSION_EVENTS:
            session = SessionObject.model_validate(event.data.object).to_session()
    except ValidationError as exc:
        raise PaymentError(
            "the webhook body is not a Stripe event", code="malformed_event"
        ) from exc
    created = datetime.fromtimestamp(event.created, UTC)
    return StripeEvent(id=event.id, type=event.type, created=created, session=session)


def _parse_header(header: str) -> tuple[str, list[bytes]]:
    """The timestamp and the ``v1`` signatures; other elements are ignored, as Stripe says."""
    timestamp: str | None = None
    signatures: list[bytes] = []
    for element in header.split(","):
        key, sep, value = element.strip().partition("=")
        if not sep:
            continue
        if key == "t" and timestamp is None:
            timestamp = value.strip()
        elif key == _SCHEME:
            signatures.append(value.strip().encode("utf-8", "replace"))
    if timestamp is None or not _TIMESTAMP.fullmatch(timestamp):
        raise SignatureError("malformed", "the Stripe-Signature header has no valid timestamp")
    if not signatures:
        raise SignatureError("malformed", "the Stripe-Signature header has no v1 signature")
    return timestamp, signatures


def _digest(payload: bytes, secret: str, timestamp: str) -> str:
    signed = timestamp.encode("ascii") + b"." + payload
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()
