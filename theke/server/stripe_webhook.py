"""``POST /webhooks/stripe``: Stripe's word that a checkout was paid, failed or expired.

The ``Stripe-Signature`` header is checked against ``THEKE_STRIPE_WEBHOOK_SECRET``
(missing: 401, wrong or too old: 403). The order is found by the Checkout
Session's id (or its ``client_reference_id``, the order number) and changed in one
transaction; a repeated delivery changes nothing. An event about a session no
order here knows (another integration on the same Stripe account) is answered
200 and logged, so Stripe does not retry it for days.
"""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import APIRouter, Request
from sqlalchemy import Connection

from theke.commerce import lifecycle
from theke.commerce.payments import PaymentError, SignatureError, parse_event, verify_signature
from theke.commerce.payments.stripe import CheckoutSession
from theke.server.deps import runtime_of
from theke.server.errors import ApiError
from theke.store import orders
from theke.store.orders import Order
from theke.store.schema import utcnow

__all__ = ["router"]

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_log = structlog.get_logger("theke.commerce.stripe")
_PAID = frozenset({"checkout.session.completed", "checkout.session.async_payment_succeeded"})
_FAILED = {
    "checkout.session.async_payment_failed": "payment_failed",
    "checkout.session.expired": "unpaid",
}


@router.post("/stripe", status_code=200)
async def stripe(request: Request) -> dict[str, Any]:
    runtime = runtime_of(request)
    secret = runtime.settings.stripe_webhook_secret
    if secret is None:
        raise ApiError(404, "not_configured", "Stripe payments are not set up here")
    body = await request.body()
    try:
        verify_signature(body, request.headers.get("Stripe-Signature"), secret.get_secret_value())
    except SignatureError as exc:
        _log.warning("theke.commerce.stripe.signature_rejected", reason=exc.reason)
        status = 401 if exc.reason == "missing" else 403
        raise ApiError(status, "signature_rejected", str(exc)) from exc
    try:
        event = parse_event(body)
    except PaymentError as exc:
        raise ApiError(400, "malformed_event", str(exc)) from exc
    session = event.session
    if session is None or (event.type not in _PAID and event.type not in _FAILED):
        return {"received": True, "ignored": f"Theke does not act on {event.type}"}
    config = runtime.bot.config

    def apply(conn: Connection) -> Order | None:
        order = _order_of(conn, session)
        if order is None:
            return None
        now = utcnow()
        if event.type in _PAID:
            if session.payment_status == "paid":
                return lifecycle.mark_paid(conn, order, config, now)
            return order  # a delayed method (SEPA): paid later, or failed
        if order.payment_status == "pending":
            return lifecycle.cancel(conn, order, config, now, reason=_FAILED[event.type])
        return order

    order = await runtime.db.write(apply)
    if order is None:
        _log.warning("theke.commerce.stripe.unknown_session", event_id=event.id, type=event.type)
        return {"received": True, "ignored": "no order here has this checkout session"}
    await runtime.signals.publish("outbox")
    _log.info("theke.commerce.stripe.event", event_id=event.id, type=event.type, order=order.number)
    return {"received": True, "order": order.number, "status": order.status}


def _order_of(conn: Connection, session: CheckoutSession) -> Order | None:
    order = orders.by_payment_ref(conn, session.id)
    if order is None and session.client_reference_id:
        order = orders.by_number(conn, session.client_reference_id)
        if order is not None and order.payment_ref not in (None, session.id):
            return None  # the number matches, the session does not: not ours to change
    return order
