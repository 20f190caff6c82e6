"""Stripe's API on 127.0.0.1 for tests: Checkout Sessions and the webhooks paying them causes.

``with StripeApi() as stripe:`` serves ``{stripe.base_url}`` (use it as THEKE_STRIPE_API_BASE)
over real HTTP in a background thread, for sync and async tests.

Mirrored Stripe behaviour (https://docs.stripe.com/api), the subset Theke uses:

- ``POST /v1/checkout/sessions`` (create), ``GET /v1/checkout/sessions/{id}`` (retrieve),
  ``POST /v1/checkout/sessions/{id}/expire`` (only ``open`` sessions; others get 400);
  unknown ids get 404 ``resource_missing``, unknown URLs 404;
- the secret key as ``Authorization: Bearer`` (or Basic with the key as user name); a
  missing or wrong key gets 401; POST bodies are ``application/x-www-form-urlencoded``;
- the create rules of :mod:`theke.testing._stripe_rules`, errors as
  ``{"error": {"type", "code", "message", "param"}}``;
- ``Idempotency-Key``: a POST repeated with the same key and parameters gets the saved answer
  again (header ``Idempotent-Replayed: true``, the body as it was then); the same key with
  other parameters or on another URL gets 400 of type ``idempotency_error``. Only answers of
  requests that passed validation are saved, as Stripe does;
- a new session is ``open``/``unpaid`` with ``url`` ``{base_url}/pay/{id}`` (a small page),
  ``expires_at`` 24 hours ahead unless given; past it the session reads as ``expired``;
- webhook deliveries: events ``evt_...`` with the session in ``data.object``, pretty-printed
  JSON signed with the webhook secret in ``Stripe-Signature`` (``t=...,v1=...``).

Test controls: :meth:`StripeApi.pay` (``checkout.session.completed``; ``delayed=True`` for a
payment method that settles later), :meth:`StripeApi.settle_async`,
:meth:`StripeApi.fail_async`, :meth:`StripeApi.expire_now` each change the session and return
the signed delivery ``(body, headers)``; :meth:`StripeApi.deliver` posts it to a loopback URL
(as often as a test likes: Stripe delivers at least once). :meth:`StripeApi.fail_next` and
:meth:`StripeApi.stall_next` inject failures before a request is checked; injected failures
are not saved under an idempotency key (Stripe's rate limiter and load balancers answer before
the endpoint runs).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote, urlsplit

from theke.commerce.payments.stripe import API_VERSION
from theke.commerce.payments.stripe_events import sign
from theke.testing._http_fake import FakeRequest, HttpFakeServer, LoopbackApi, Reply
from theke.testing._stripe_rules import (
    CheckoutRequest,
    StripeRefusal,
    checkout_request,
    invalid,
    nest,
)

__all__ = ["StripeApi", "StripeRequest"]

_SESSIONS = "/v1/checkout/sessions"
_DAY = 24 * 60 * 60
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization"
    " header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."
)

Delivery = tuple[bytes, dict[str, str]]
"""A webhook delivery: the raw body and the headers Stripe sends with it."""


@dataclass(frozen=True)
class StripeRequest:
    """Any API request, accepted or refused, in arrival order (retries show here).

    ``params`` are the form fields nested as Stripe reads them (values stay strings).
    """

    method: str
    path: str
    params: dict[str, Any]
    status: int
    idempotency_key: str | None


@dataclass(frozen=True)
class _Saved:
    method: str
    path: str
    form: dict[str, Any]
    reply: Reply


class StripeApi(LoopbackApi):
    """A loopback Stripe account. Use as a context manager or call start()/close()."""

    def __init__(
        self,
        secret_key: str = "sk_test_theke",  # noqa: S107 - the fake's own test key
        webhook_secret: str = "whsec_theke",  # noqa: S107 - the fake's own test secret
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.secret_key, self.webhook_secret = secret_key, webhook_secret
        self._clock = clock
        self._lock = threading.RLock()
        self._server = HttpFakeServer(on_request=self._on_request)
        self._sessions: dict[str, dict[str, Any]] = {}
        self._lines: dict[str, list[dict[str, Any]]] = {}
        self._saved: dict[str, _Saved] = {}
        self._failures: list[StripeRefusal] = []
        self._stalls: list[float] = []
        self._requests: list[StripeRequest] = []
        self._events: list[dict[str, Any]] = []
        self._page_base = ""

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1."""
        super().start()
        self._page_base = self._server.base_url

    # -- state -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``, what the client uses instead of https://api.stripe.com."""
        return self._server.base_url

    @property
    def sessions(self) -> list[dict[str, Any]]:
        """Every Checkout Session created, oldest first, as Stripe would return it now."""
        with self._lock:
            return [copy.deepcopy(self._current(id_)) for id_ in self._sessions]

    def session(self, session_id: str) -> dict[str, Any]:
        """One session as Stripe would return it now; KeyError for an unknown id."""
        with self._lock:
            return copy.deepcopy(self._current(session_id))

    def line_items(self, session_id: str) -> list[dict[str, Any]]:
        """What the payment page lists: ``name``, ``unit_amount``, ``quantity``, ``currency``."""
        with self._lock:
            return copy.deepcopy(self._lines[session_id])

    @property
    def requests(self) -> list[StripeRequest]:
        """Every API request so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every webhook event the test controls produced, oldest first."""
        with self._lock:
            return copy.deepcopy(self._events)

    # -- test controls: the customer and time ----------------------------------------------

    def pay(
        self, session_id: str, *, delayed: bool = False, signed_at: int | None = None
    ) -> Delivery:
        """The customer paid on the page: ``checkout.session.completed``.

        ``delayed=True`` is a payment method that settles later (SEPA debit): the session is
        complete but ``unpaid`` until :meth:`settle_async` or :meth:`fail_async`.
        """
        with self._lock:
            session = self._in_state(session_id, "open", None)
            session.update(status="complete", url=None, payment_intent=_new_id("pi_"))
            session["payment_status"] = "unpaid" if delayed else "paid"
            return self._event("checkout.session.completed", session, signed_at)

    def settle_async(self, session_id: str, *, signed_at: int | None = None) -> Delivery:
        """A delayed payment arrived: ``checkout.session.async_payment_succeeded``."""
        with self._lock:
            session = self._in_state(session_id, "complete", "unpaid")
            session["payment_status"] = "paid"
            return self._event("checkout.session.async_payment_succeeded", session, signed_at)

    def fail_async(self, session_id: str, *, signed_at: int | None = None) -> Delivery:
        """A delayed payment failed: ``checkout.session.async_payment_failed``.

        Only after ``pay(session_id, delayed=True)``, as with Stripe; the session stays
        ``complete``/``unpaid``.
        """
        with self._lock:
            session = self._in_state(session_id, "complete", "unpaid")
            return self._event("checkout.session.async_payment_failed", session, signed_at)

    def expire_now(self, session_id: str, *, signed_at: int | None = None) -> Delivery:
        """The session ran out (or was expired): ``checkout.session.expired``."""
        with self._lock:
            session = self._in_state(session_id, "open", None)
            session.update(status="expired", url=None)
            return self._event("checkout.session.expired", session, signed_at)

    def deliver(self, url: str, body: bytes, headers: Mapping[str, str]) -> int:
        """POST a webhook delivery to ``url`` (loopback only) and return the HTTP status.

        Blocking: from async code call it through ``asyncio.to_thread``.
        """
        parts = urlsplit(url)
        if parts.scheme != "http" or parts.hostname not in _LOOPBACK:
            raise ValueError(f"deliver() posts to http://127.0.0.1 URLs only, not {url!r}")
        request = urllib.request.Request(  # noqa: S310 - checked above: http on loopback
            url, data=body, headers=dict(headers), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - checked above
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    # -- test controls: failures -----------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        code: str | None = None,
        times: int = 1,
        *,
        retry_after: int | None = None,
        message: str | None = None,
    ) -> None:
        """The next ``times`` API requests fail with ``status`` before they are checked.

        A 429 carries code ``rate_limit`` unless given; ``retry_after`` adds the header.
        """
        if status == 429 and code is None:
            code = "rate_limit"
        kind = "api_error" if status >= 500 else "card_error" if status == 402 else None
        headers = () if retry_after is None else (("Retry-After", str(retry_after)),)
        phrase = _phrase(status)
        refusal = StripeRefusal(
            status,
            message or phrase,
            code=code,
            kind=kind or "invalid_request_error",
            headers=headers,
        )
        with self._lock:
            self._failures.extend([refusal] * times)

    def stall_next(self, seconds: float) -> None:
        """The next API request is answered only after ``seconds`` (for client timeouts)."""
        with self._lock:
            self._stalls.append(seconds)

    # -- HTTP ------------------------------------------------------------------------------

    def _on_request(self, request: FakeRequest) -> Reply:
        if request.method == "GET" and request.path.startswith("/pay/"):
            return self._page(unquote(request.path.removeprefix("/pay/")))
        with self._lock:
            stall = self._stalls.pop(0) if self._stalls else 0.0
        if stall:
            time.sleep(stall)
        with self._lock:
            try:
                reply = self._answer(request)
            except StripeRefusal as refusal:
                reply = Reply(refusal.status, refusal.body(), headers=refusal.headers)
            self._log(request, reply.status)
            return _with_request_id(reply)

    def _answer(self, request: FakeRequest) -> Reply:
        self._authorize(request.headers)
        _check_body(request)
        if self._failures:
            raise self._failures.pop(0)
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        if key is not None:
            replay = self._replay(key, request)
            if replay is not None:
                return replay
        reply = Reply(200, self._route(request))
        if key is not None:
            self._saved[key] = _Saved(request.method, request.path, dict(request.params), reply)
        return reply

    def _authorize(self, headers: Mapping[str, str]) -> None:
        key = _api_key(headers.get("authorization", ""))
        if not key:
            raise StripeRefusal(401, _NO_KEY)
        if not hmac.compare_digest(key.encode(), self.secret_key.encode()):
            raise StripeRefusal(401, f"Invalid API Key provided: {_redact(key)}")

    def _replay(self, key: str, request: FakeRequest) -> Reply | None:
        if len(key) > 255:
            raise invalid("Idempotency-Key", "Idempotency keys are at most 255 characters long.")
        saved = self._saved.get(key)
        if saved is None:
            return None
        if (saved.method, saved.path, saved.form) != (request.method, request.path, request.params):
            raise StripeRefusal(
                400,
                "Keys for idempotent requests can only be used with the same parameters they"
                f" were first used with. Try using a key other than '{key}' if you meant to"
                " execute a different request.",
                kind="idempotency_error",
            )
        headers = (*saved.reply.headers, ("Idempotent-Replayed", "true"))
        return Reply(saved.reply.status, saved.reply.body, headers=headers)

    def _route(self, request: FakeRequest) -> dict[str, Any]:
        method, path = request.method, request.path
        if path == _SESSIONS and method == "POST":
            return self._create(checkout_request(request.params, self._clock()))
        if path.startswith(_SESSIONS + "/"):
            rest = path.removeprefix(_SESSIONS + "/")
            if method == "GET" and "/" not in rest:
                return copy.deepcopy(self._found(unquote(rest)))
            if method == "POST" and rest.endswith("/expire") and rest.count("/") == 1:
                return self._expire(unquote(rest.removesuffix("/expire")))
        message = f"Unrecognized request URL ({method}: {path})."
        raise StripeRefusal(404, message)

    # -- sessions --------------------------------------------------------------------------

    def _create(self, checkout: CheckoutRequest) -> dict[str, Any]:
        now = int(self._clock())
        session_id = _new_id("cs_test_")
        self._sessions[session_id] = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": checkout.amount_total,
            "amount_total": checkout.amount_total,
            "cancel_url": checkout.cancel_url,
            "client_reference_id": checkout.client_reference_id,
            "created": now,
            "currency": checkout.currency,
            "customer_email": checkout.customer_email,
            "expires_at": checkout.expires_at or now + _DAY,
            "livemode": False,
            "locale": checkout.locale,
            "metadata": checkout.metadata,
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": checkout.success_url,
            "url": f"{self._page_base}/pay/{session_id}",
        }
        self._lines[session_id] = [
            {"name": name, "unit_amount": amount, "quantity": qty, "currency": checkout.currency}
            for name, amount, qty in checkout.line_items
        ]
        return copy.deepcopy(self._sessions[session_id])

    def _found(self, session_id: str) -> dict[str, Any]:
        if session_id not in self._sessions:
            message = f"No such checkout.session: '{session_id}'"
            raise StripeRefusal(404, message, code="resource_missing", param="session")
        return self._current(session_id)

    def _expire(self, session_id: str) -> dict[str, Any]:
        session = self._found(session_id)
        if session["status"] != "open":
            raise StripeRefusal(
                400,
                'Only Checkout Sessions with a status in ["open"] can be expired. This'
                f' Checkout Session has a status of "{session["status"]}".',
            )
        session.update(status="expired", url=None)
        return copy.deepcopy(session)

    def _current(self, session_id: str) -> dict[str, Any]:
        """The stored session, expired first if its ``expires_at`` has passed."""
        session = self._sessions[session_id]
        if session["status"] == "open" and self._clock() >= session["expires_at"]:
            session.update(status="expired", url=None)
        return session

    def _in_state(self, session_id: str, status: str, payment_status: str | None) -> dict[str, Any]:
        session = self._current(session_id)
        if session["status"] != status or payment_status not in {None, session["payment_status"]}:
            state = f"{session['status']}/{session['payment_status']}"
            raise ValueError(f"session {session_id} is {state}; this step needs {status}")
        return session

    def _page(self, session_id: str) -> Reply:
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return Reply(404, raw=b"<h1>Not found</h1>", content_type="text/html")
            session = self._current(session_id)
            amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
            text = f"<h1>Pay {escape(amount)}</h1><p>{escape(session['status'])}</p>"
            return Reply(200, raw=text.encode(), content_type="text/html; charset=utf-8")

    # -- webhooks --------------------------------------------------------------------------

    def _event(self, kind: str, session: dict[str, Any], signed_at: int | None) -> Delivery:
        now = int(self._clock())
        event = {
            "id": _new_id("evt_"),
            "object": "event",
            "api_version": API_VERSION,
            "created": now,
            "data": {"object": copy.deepcopy(session)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": kind,
        }
        self._events.append(copy.deepcopy(event))
        body = json.dumps(event, indent=2).encode("utf-8")
        signature = sign(body, self.webhook_secret, now if signed_at is None else signed_at)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Stripe-Signature": signature,
            "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
        }
        return body, headers

    def _log(self, request: FakeRequest, status: int) -> None:
        try:
            params = nest(request.params)
        except StripeRefusal:
            params = dict(request.params)
        key = request.headers.get("idempotency-key")
        self._requests.append(StripeRequest(request.method, request.path, params, status, key))


def _check_body(request: FakeRequest) -> None:
    kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    has_body = int(request.headers.get("content-length") or 0) > 0
    if request.body_error is not None or (has_body and kind != "application/x-www-form-urlencoded"):
        message = "Invalid request: the body must be application/x-www-form-urlencoded."
        raise StripeRefusal(400, message)


def _api_key(authorization: str) -> str:
    scheme, _, credential = authorization.partition(" ")
    if scheme.lower() == "bearer":
        return credential.strip()
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credential.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[0]
    return ""


def _redact(key: str) -> str:
    return key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else "****"


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(24).replace("-", "a").replace("_", "b")


def _with_request_id(reply: Reply) -> Reply:
    headers = (*reply.headers, ("Request-Id", _new_id("req_")))
    return Reply(reply.status, reply.body, reply.raw, reply.content_type, headers)
