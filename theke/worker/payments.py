"""The payment jobs: start an online payment for a placed order, and end one that lapsed.

``payment.start`` creates the Stripe Checkout Session (with the order id as its
idempotency key, so a retried job never makes a second one), stores it on the
order and sends the customer the link. When Stripe cannot be reached the job is
retried; when Stripe refuses, or is not set up, the order is cancelled and the
customer told. ``payment.lapse`` runs when the time to pay is over: a session
paid meanwhile (its webhook lost) counts as paid, an open one is expired, and the
order is cancelled so its pairs go back on sale. A session the customer completed
with a method that settles later (SEPA Debit) keeps the order waiting for its
webhook; the job looks again once a day in case that webhook is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection

from theke.bot.config import BotConfig
from theke.commerce import lifecycle
from theke.commerce.notices import tell
from theke.commerce.payments import CheckoutSession, LineItem, PaymentError, StripeClient
from theke.commerce.texts import shop_label, shop_text
from theke.content import Buttons, UrlButton
from theke.store import jobs, orders
from theke.store.database import Database
from theke.store.jobs import Job
from theke.store.orders import Order
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals

__all__ = ["PaymentJobs"]

_log = structlog.get_logger("theke.worker.payments")
_STRIPE_MIN = timedelta(minutes=31)  # Stripe accepts expiries 30 minutes to 24 hours ahead
_STRIPE_MAX = timedelta(hours=23, minutes=59)
_SETTLE_CHECK = timedelta(days=1)  # a delayed payment (SEPA Debit) is looked at once a day,
_SETTLE_CHECKS = 21  # for three weeks: Stripe says it settles within 14 business days


class PaymentJobs:
    """The handlers of ``payment.start`` and ``payment.lapse``."""

    def __init__(
        self,
        db: Database,
        config: Callable[[], BotConfig],
        signals: LocalSignals,
        *,
        stripe: StripeClient | None,
        public_url: str,
    ) -> None:
        self._db = db
        self._config = config
        self._signals = signals
        self._stripe = stripe
        self._public_url = public_url.rstrip("/")

    async def start(self, job: Job) -> None:
        order = await self._order(job)
        if order is None or order.payment_ref or order.payment_status != "pending":
            return  # paid, cancelled or started already: nothing to do
        if order.status != "placed":
            return
        if self._stripe is None:
            _log.error(
                "theke.worker.payments.stripe_not_configured",
                order=order.number,
                fix="set THEKE_STRIPE_SECRET_KEY, or offer only invoice/prepayment in theke.yml",
            )
            await self._cancel(order, "payment_unavailable")
            return
        try:
            session = await self._create(self._stripe, order)
        except PaymentError as exc:
            if exc.retryable and job.attempts < 5:
                raise  # the job runner tries again later
            _log.error("theke.worker.payments.refused", order=order.number, code=exc.code)
            await self._cancel(order, "payment_unavailable")
            return
        await self._db.write(lambda conn: self._link(conn, order, session))
        await self._signals.publish("outbox")

    async def lapse(self, job: Job) -> None:
        order = await self._order(job)
        if order is None or order.payment_status != "pending" or order.status == "cancelled":
            return
        try:
            session = await self._close(order)
        except PaymentError as exc:
            if exc.retryable and job.attempts < 5:
                raise  # Stripe is down: the job runner asks again later
            # Stripe cannot tell (a revoked key, a session gone): the shoes must not stay
            # held for ever. Should the money have arrived, its webhook still records it.
            _log.error("theke.worker.payments.lapse_unknown", order=order.number, code=exc.code)
            session = None
        if (
            session is not None
            and session.status == "complete"
            and session.payment_status != "paid"
        ):
            await self._look_again(order, job)  # a delayed method (SEPA Debit) is under way
            return
        paid = session is not None and session.payment_status == "paid"
        config = self._config()

        def settle(conn: Connection) -> None:
            current = orders.get(conn, order.id)
            if current is None or current.payment_status != "pending":
                return
            if paid:
                lifecycle.mark_paid(conn, current, config, utcnow())
            else:
                lifecycle.cancel(conn, current, config, utcnow(), reason="unpaid")

        await self._db.write(settle)
        await self._signals.publish("outbox")

    async def _close(self, order: Order) -> CheckoutSession | None:
        """The order's session as Stripe has it, expired first when it is still open."""
        if self._stripe is None or not order.payment_ref:
            return None
        session = await self._stripe.retrieve_checkout_session(order.payment_ref)
        if session.payment_status != "paid" and session.status == "open":
            session = await self._stripe.expire_checkout_session(order.payment_ref)
        return session

    async def _look_again(self, order: Order, job: Job) -> None:
        """The customer paid with a method that settles days later: its webhook settles the
        order; should that be lost, look at the session again tomorrow, for as long as such a
        payment can take."""
        checks = int(job.payload.get("checks") or 0) + 1
        if checks > _SETTLE_CHECKS:
            _log.error("theke.worker.payments.never_settled", order=order.number)
            return
        payload = {"order_id": order.id, "checks": checks}
        at = utcnow() + _SETTLE_CHECK
        await self._db.write(lambda conn: jobs.schedule(conn, job.kind, payload, at))

    async def _order(self, job: Job) -> Order | None:
        order_id = str(job.payload.get("order_id") or "")
        return await self._db.read(lambda conn: orders.get(conn, order_id))

    async def _create(self, stripe: StripeClient, order: Order) -> CheckoutSession:
        items = [LineItem(line.name, line.unit_cents, line.quantity) for line in order.lines]
        if order.shipping_cents:
            shipping = "Versand" if order.language.startswith("de") else "Shipping"
            items.append(LineItem(shipping, order.shipping_cents, 1))
        page = f"{self._public_url}/shop/orders/{order.number}"
        return await stripe.create_checkout_session(
            reference=order.number,
            items=items,
            currency=order.currency,
            success_url=f"{page}/paid",
            cancel_url=f"{page}/cancelled",
            customer_email=order.email,
            expires_at=_expiry(order.pay_until, utcnow()),
            metadata={"order_id": order.id},
            idempotency_key=f"theke-order-{order.id}",
            locale="de" if order.language.startswith("de") else "en",
        )

    def _link(self, conn: Connection, order: Order, session: CheckoutSession) -> None:
        current = orders.get(conn, order.id)
        if current is None or current.payment_ref:
            return
        orders.update_order(conn, order.id, payment_ref=session.id, payment_url=session.url)
        if session.url is None:  # pragma: no cover - an open session always has its page
            return
        config = self._config()
        language = order.language
        until = _clock(session.expires_at or order.pay_until, language)
        text = shop_text("order_pay_online", language, config.address, until=until)
        button = UrlButton(title=shop_label("pay_now", language, config.address), url=session.url)
        data = {"order_number": order.number, "status": "", "topic": "order_update"}
        content = Buttons(text=text, buttons=(button,))
        tell(
            conn, order.conversation_id, [content], purpose="order_update", now=utcnow(), data=data
        )

    async def _cancel(self, order: Order, reason: str) -> None:
        config = self._config()

        def cancel(conn: Connection) -> None:
            current = orders.get(conn, order.id)
            if current is not None:
                lifecycle.cancel(conn, current, config, utcnow(), reason=reason)

        await self._db.write(cancel)
        await self._signals.publish("outbox")


def _expiry(pay_until: datetime | None, now: datetime) -> datetime:
    wanted = pay_until or now + timedelta(hours=1)
    return min(max(wanted, now + _STRIPE_MIN), now + _STRIPE_MAX)


def _clock(moment: datetime | None, language: str) -> str:
    """A time for the customer, in German time (the shop's; Theke has no customer time zone)."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%H:%M") if language.startswith("de") else local.strftime("%H:%M (%Z)")
