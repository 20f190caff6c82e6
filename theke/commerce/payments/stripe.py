"""Stripe Checkout Sessions over Stripe's REST API: create, retrieve and expire one.

A customer pays an order on the page a Checkout Session's ``url`` opens. The client speaks
https://docs.stripe.com/api/checkout/sessions with form-encoded parameters (nested ones as
``line_items[0][price_data][currency]``), ``Authorization: Bearer <secret key>`` and a
pinned ``Stripe-Version``. Every failure becomes a :class:`PaymentError` in exactly one place
(:func:`_error_from`), which says whether the same call may be tried again: 409, 429 and 5xx
answers, refused connections and timeouts may; 400, 401, 402, 403 and 404 may not. Stripe's
``Stripe-Should-Retry`` header, when sent, overrides that guess. The client does not retry by
itself: the job that calls it owns the retry policy, and a create sent again with the same
``idempotency_key`` gives back the same session.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType, TracebackType
from typing import Annotated, Any, Literal, Self
from urllib.parse import quote, urlencode

import aiohttp
import structlog
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from theke.commerce.payments.errors import PaymentError

__all__ = [
    "API_VERSION",
    "CheckoutSession",
    "Epoch",
    "LineItem",
    "SessionObject",
    "StripeClient",
]

API_VERSION = "2024-06-20"
"""The Stripe API version every request pins, so answers keep their shape."""

_MAX_EPOCH = 253_402_300_799  # 9999-12-31T23:59:59Z: larger timestamps are not dates
_NOT_RETRYABLE = frozenset({400, 401, 402, 403, 404})
_log = structlog.get_logger("theke.commerce.payments.stripe")

Epoch = Annotated[int, Field(ge=0, le=_MAX_EPOCH)]
"""Unix seconds as Stripe sends them; out-of-range values fail validation, not datetime."""


@dataclass(frozen=True, slots=True)
class LineItem:
    """One line of an order as the payment page shows it; ``unit_amount`` in minor units."""

    name: str
    unit_amount: int
    quantity: int


@dataclass(frozen=True, slots=True)
class CheckoutSession:
    """A Stripe Checkout Session, as far as Theke reads it.

    ``status`` is ``open``, ``complete`` or ``expired``; ``payment_status`` ``paid``,
    ``unpaid`` or ``no_payment_required``; ``url`` is ``None`` once the session is closed.
    """

    id: str
    url: str | None
    status: str
    payment_status: str
    amount_total: int | None
    currency: str
    client_reference_id: str | None
    metadata: Mapping[str, str]
    expires_at: datetime | None


class SessionObject(BaseModel):
    """A ``checkout.session`` object in an API answer or a webhook event (fields Theke reads)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    object: Literal["checkout.session"] = "checkout.session"
    id: str = Field(min_length=1)
    url: str | None = None
    status: str
    payment_status: str
    amount_total: int | None = None
    currency: str | None = None
    client_reference_id: str | None = None
    metadata: dict[str, str] | None = None
    expires_at: Epoch | None = None

    def to_session(self) -> CheckoutSession:
        """The typed, frozen :class:`CheckoutSession`."""
        expires = None if self.expires_at is None else datetime.fromtimestamp(self.expires_at, UTC)
        return CheckoutSession(
            id=self.id,
            url=self.url,
            status=self.status,
            payment_status=self.payment_status,
            amount_total=self.amount_total,
            currency=self.currency or "",
            client_reference_id=self.client_reference_id,
            metadata=MappingProxyType(dict(self.metadata or {})),
            expires_at=expires,
        )


class _ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    type: str | None = None
    code: str | None = None
    message: str | None = None
    param: str | None = None


class _ErrorBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    error: _ErrorDetail


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: Mapping[str, str]
    body: bytes


class StripeClient:
    """Checkout Sessions on one Stripe account; one HTTP session, opened on first use.

    Use ``async with StripeClient(...) as stripe:`` or call :meth:`close` when done.
    """

    def __init__(self, api_base: str, secret_key: str, *, timeout: float = 15.0) -> None:
        self._base = api_base.rstrip("/")
        self._secret_key = secret_key
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def create_checkout_session(
        self,
        *,
        reference: str,
        items: Sequence[LineItem],
        currency: str,
        success_url: str,
        cancel_url: str,
        customer_email: str | None = None,
        expires_at: datetime | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str,
        locale: str | None = None,
    ) -> CheckoutSession:
        """A new payment-mode session for the order ``reference`` (its ``client_reference_id``
        and ``metadata["order"]``, also on the PaymentIntent).

        ``expires_at`` must be timezone-aware and 30 minutes to 24 hours ahead (Stripe's
        rule); the default is Stripe's, 24 hours. Sending the same call again with the same
        ``idempotency_key`` returns the same session instead of a second one.
        """
        params = _checkout_params(
            reference, items, currency, success_url, cancel_url, customer_email
        )
        params |= {"expires_at": _epoch(expires_at), "locale": locale}
        tags = {**(metadata or {}), "order": reference}
        params |= {"metadata": tags, "payment_intent_data": {"metadata": tags}}
        path = "/v1/checkout/sessions"
        return await self._call("POST", path, _flatten(params), idempotency_key)

    async def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        """The session as Stripe has it now."""
        return await self._call("GET", f"/v1/checkout/sessions/{_segment(session_id)}")

    async def expire_checkout_session(self, session_id: str) -> CheckoutSession:
        """Close an ``open`` session so nobody can pay it any more (Stripe refuses others)."""
        path = f"/v1/checkout/sessions/{_segment(session_id)}/expire"
        return await self._call("POST", path, [])

    async def close(self) -> None:
        """Close the HTTP session; the next call opens a new one."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        idempotency_key: str | None = None,
    ) -> CheckoutSession:
        answer = await self._send(method, path, form, idempotency_key)
        if answer.status != 200:
            error = _error_from(answer)
            _log.warning(
                "theke.commerce.payments.stripe.call_failed",
                method=method,
                path=path,
                status=answer.status,
                code=error.code,
                retryable=error.retryable,
            )
            raise error
        return _session_from(answer.body)

    async def _send(
        self,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None,
        idempotency_key: str | None,
    ) -> _Answer:
        headers = self._headers(idempotency_key, with_body=form is not None)
        data = urlencode(form).encode("ascii") if form is not None else None
        try:
            async with self._open().request(
                method, self._base + path, data=data, headers=headers
            ) as response:
                return _Answer(response.status, dict(response.headers), await response.read())
        except TimeoutError as exc:
            raise PaymentError(
                "Stripe did not answer in time", code="timeout", retryable=True
            ) from exc
        except aiohttp.ClientError as exc:
            message = f"Stripe could not be reached ({type(exc).__name__})"
            raise PaymentError(message, code="connection_error", retryable=True) from exc

    def _headers(self, idempotency_key: str | None, *, with_body: bool) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._secret_key}",
            "Stripe-Version": API_VERSION,
            "Accept": "application/json",
        }
        if with_body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if idempotency_key is not None:
            headers["Idempotency-Key"] = idempotency_key
        return headers

    def _open(self) -> aiohttp.ClientSession:
        """The HTTP session, made on first use inside the running event loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=False)
        return self._session


def _checkout_params(
    reference: str,
    items: Sequence[LineItem],
    currency: str,
    success_url: str,
    cancel_url: str,
    customer_email: str | None,
) -> dict[str, Any]:
    lines = [
        {
            "price_data": {
                "currency": currency.lower(),
                "product_data": {"name": item.name},
                "unit_amount": item.unit_amount,
            },
            "quantity": item.quantity,
        }
        for item in items
    ]
    return {
        "mode": "payment",
        "line_items": lines,
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": reference,
        "customer_email": customer_email,
    }


def _epoch(moment: datetime | None) -> int | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("expires_at must be timezone-aware (e.g. datetime.now(UTC) + ...)")
    return math.floor(moment.timestamp())


def _segment(session_id: str) -> str:
    """``session_id`` as one path segment: a ``/`` or ``..`` in it cannot reach another URL."""
    if not session_id:
        raise ValueError("a Checkout Session id is required")
    return quote(session_id, safe="")


def _flatten(params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Stripe's form encoding: ``a[b][0][c]=v`` for nested mappings and lists; None is left out."""
    fields: list[tuple[str, str]] = []
    for key, value in params.items():
        _flatten_into(fields, key, value)
    return fields


def _flatten_into(fields: list[tuple[str, str]], name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _flatten_into(fields, f"{name}[{key}]", inner)
    elif isinstance(value, list | tuple):
        for index, inner in enumerate(value):
            _flatten_into(fields, f"{name}[{index}]", inner)
    elif isinstance(value, bool):
        fields.append((name, "true" if value else "false"))
    else:
        fields.append((name, str(value)))


def _session_from(body: bytes) -> CheckoutSession:
    try:
        return SessionObject.model_validate_json(body).to_session()
    except ValidationError as exc:
        message = "Stripe answered 200 with a body that is not a Checkout Session"
        raise PaymentError(message, code="malformed_response", status=200) from exc


def _error_from(answer: _Answer) -> PaymentError:
    """The one place where Stripe's HTTP statuses and error bodies become our error."""
    try:
        detail = _ErrorBody.model_validate_json(answer.body).error
    except ValidationError:
        detail = _ErrorDetail()
    return PaymentError(
        detail.message or f"Stripe answered HTTP {answer.status}",
        code=detail.code or f"http_{answer.status}",
        retryable=_retryable(answer),
        retry_after=_retry_after(answer.headers),
        status=answer.status,
        error_type=detail.type,
        param=detail.param,
    )


def _retryable(answer: _Answer) -> bool:
    hint = _header(answer.headers, "stripe-should-retry")
    if hint in {"true", "false"}:
        return hint == "true"
    if answer.status in _NOT_RETRYABLE:
        return False
    return answer.status in {409, 429} or answer.status >= 500


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """``Retry-After`` in seconds; the HTTP-date form and nonsense are ignored."""
    raw = _header(headers, "retry-after")
    if raw is None:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value.strip().lower()
    return None
