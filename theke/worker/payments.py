"""The payment jobs: start an online payment for a placed order, close and end it.

``payment.start`` opens the order's page at its online provider
(:mod:`theke.commerce.payments.provider`; Stripe uses the order id as its idempotency
key, so a retried job never makes a second one, and the page's expiry is fixed before
the first attempt, so a retry sends the very same request), stores it on the order and
sends the customer the link. When Stripe cannot be
reached the job is retried; when Stripe refuses, or is not set up, the order is
cancelled and the customer told.

``payment.lapse`` runs when the payment page has expired: a page paid meanwhile
(its webhook lost) counts as paid, an open one is closed, and the order is
cancelled so its pairs go back on sale. A page completed with a method that
settles later (SEPA Debit) keeps the order waiting for its webhook; the job looks
again once a day, and cancels after three weeks. ``payment.close`` expires the page
of an order the shop cancelled or reported paid another way. :meth:`PaymentJobs.sweep`
settles, once a minute, orders whose time ran out but whose job never finished.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection

from theke.bot.config import BotConfig
from theke.commerce import lifecycle
from theke.commerce.notices import tell
from theke.commerce.payments import PaymentError
from theke.commerce.payments.provider import OnlinePayments, PaymentPage, PaymentState
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
_PAGE_MIN = timedelta(minutes=50)  # Stripe wants 30 min ahead; retries take up to ~15 min
_PAGE_MAX = timedelta(hours=23, minutes=59)
_GRACE = timedelta(minutes=2)  # Stripe's own "expired" event usually comes first
_SETTLE_CHECK = timedelta(days=1)  # a delayed payment (SEPA Debit) is looked at once a day,
_SETTLE_CHECKS = 21  # for three weeks: Stripe says it settles within 14 business days
_ATTEMPTS = 5
_SWEEP_SECONDS = 60.0
_EXPIRES = "payment_expires_at"  # order.data: when the payment page expires (ISO)


class PaymentJobs:
    """The handlers of ``payment.start``, ``payment.lapse`` and ``payment.close``."""

    def __init__(
        self,
        db: Database,
        config: Callable[[], BotConfig],
        signals: LocalSignals,
        *,
        online: Mapping[str, OnlinePayments],
        public_url: str,
    ) -> None:
        self._db = db
        self._config = config
        self._signals = signals
        self._online = online
        self._public_url = public_url.rstrip("/")
        self._next_sweep = 0.0

    async def start(self, job: Job) -> None:
        order = await self._order(job)
        if order is None or order.payment_ref or not _waiting(order):
            return  # paid, cancelled or started already: nothing to do
        provider = self._online.get(order.payment_method)
        if provider is None:
            _log.error(
                "theke.worker.payments.provider_missing",
                order=order.number,
                method=order.payment_method,
                fix="set THEKE_STRIPE_SECRET_KEY, or offer only invoice/prepayment in theke.yml",
            )
            await self._cancel(order, "payment_unavailable")
            return
        expires = await self._page_expiry(order)
        if expires - utcnow() < timedelta(minutes=30):
            return  # too late to open a page (the job ran very late): the lapse job ends it
        try:
            back_to = f"{self._public_url}/shop/orders/{order.number}"
            page = await provider.open_page(order, expires_at=expires, back_to=back_to)
        except PaymentError as exc:
            if exc.retryable and job.attempts < _ATTEMPTS:
                raise  # the job runner tries again later
            _log.error("theke.worker.payments.refused", order=order.number, code=exc.code)
            await self._cancel(order, "payment_unavailable")
            return
        await self._db.write(lambda conn: self._link(conn, order, page))
        await self._signals.publish("outbox")

    async def lapse(self, job: Job) -> None:
        order = await self._order(job)
        if order is None or order.payment_status != "pending" or order.status == "cancelled":
            return
        await self._lapse(order, job)

    async def close(self, job: Job) -> None:
        """An order that no longer waits for its payment page: the page is expired at Stripe.
        Should the customer have paid a moment before, the order records it (and a cancelled
        one tells the customer the money goes back)."""
        order = await self._order(job)
        if order is None or not order.payment_ref:
            return
        state = await self._closed(order)
        if state is None or not state.paid:
            return
        config = self._config()

        def record(conn: Connection) -> None:
            current = orders.get(conn, order.id)
            if current is not None and current.payment_status != "paid":
                lifecycle.mark_paid(conn, current, config, utcnow())

        await self._db.write(record)
        await self._signals.publish("outbox")

    async def sweep(self) -> int:
        """Orders whose payment time ran out long ago and still hold stock (a lapse job that
        failed for good): settled now. Runs at most once a minute; returns how many."""
        if time.monotonic() < self._next_sweep:
            return 0
        self._next_sweep = time.monotonic() + _SWEEP_SECONDS
        now = utcnow()
        lapsed = await self._db.read(lambda conn: orders.lapsed(conn, now - 5 * _GRACE))
        stuck = [o for o in lapsed if (_page_expires(o) or now) + 5 * _GRACE <= now]
        for order in stuck:
            try:
                await self._lapse(order, None)
            except Exception:  # one order Stripe cannot answer must not stop the others
                _log.exception("theke.worker.payments.sweep_failed", order=order.number)
        return len(stuck)

    # -- ending a payment -------------------------------------------------------------------

    async def _lapse(self, order: Order, job: Job | None) -> None:
        expires = _page_expires(order)
        if expires is not None and expires + _GRACE > utcnow():
            await self._again(order, "payment.lapse", expires + _GRACE)  # the page still works
            return
        try:
            state = await self._closed(order)
        except PaymentError as exc:
            if exc.retryable and job is not None and job.attempts < _ATTEMPTS:
                raise  # Stripe is down: the job runner asks again later
            # The provider cannot tell (a revoked key, a page gone): the shoes must not stay
            # held for ever. Should the money have arrived, its webhook still records it.
            _log.error("theke.worker.payments.lapse_unknown", order=order.number, code=exc.code)
            state = None
        if state is not None and state.complete and not state.paid:
            await self._look_again(order, job)  # a delayed method (SEPA Debit) is under way
            return
        await self._settle(order, paid=state is not None and state.paid)

    async def _closed(self, order: Order) -> PaymentState | None:
        """The order's page as the provider has it now, closed first when it is still open."""
        provider = self._online.get(order.payment_method)
        if provider is None or not order.payment_ref:
            return None
        return await provider.close(order.payment_ref)

    async def _look_again(self, order: Order, job: Job | None) -> None:
        """A payment that settles days later: its webhook settles the order; should that be
        lost, look again tomorrow, for as long as such a payment can take."""
        checks = int((job.payload.get("checks") or 0) if job else 0) + 1
        if checks > _SETTLE_CHECKS:
            _log.error("theke.worker.payments.never_settled", order=order.number)
            await self._settle(order, paid=False)
            return
        await self._again(order, "payment.lapse", utcnow() + _SETTLE_CHECK, checks=checks)

    async def _settle(self, order: Order, *, paid: bool) -> None:
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

    async def _again(self, order: Order, kind: str, at: datetime, **more: int) -> None:
        payload = {"order_id": order.id, **more}
        await self._db.write(lambda conn: jobs.schedule(conn, kind, payload, at))

    # -- starting a payment -----------------------------------------------------------------

    async def _page_expiry(self, order: Order) -> datetime:
        """When the payment page expires: chosen once, before the first call to Stripe, so a
        retried call sends exactly the same request (Stripe refuses a changed one under the
        same idempotency key)."""
        stored = _page_expires(order)
        if stored is not None:
            return stored
        now = utcnow()
        wanted = order.pay_until or now + timedelta(hours=1)
        expires = min(max(wanted, now + _PAGE_MIN), now + _PAGE_MAX).replace(microsecond=0)
        data = {_EXPIRES: expires.isoformat()}
        await self._db.write(lambda conn: orders.update_order(conn, order.id, data=data))
        return expires

    def _link(self, conn: Connection, order: Order, page: PaymentPage) -> None:
        """Keep the page on the order and send its link, unless the order stopped waiting
        meanwhile (cancelled by the shop): then the page is closed instead."""
        current = orders.lock(conn, order.id)
        if current is None or current.payment_ref:
            return
        orders.update_order(conn, order.id, payment_ref=page.ref, payment_url=page.url)
        if not _waiting(current):
            jobs.schedule(conn, lifecycle.CLOSE_JOB, {"order_id": order.id}, utcnow())
            return
        if page.url is None:  # pragma: no cover - an open page always has its address
            return
        config = self._config()
        language = order.language
        until = _clock(page.expires_at or order.pay_until, language)
        text = shop_text("order_pay_online", language, config.address, until=until)
        button = UrlButton(title=shop_label("pay_now", language, config.address), url=page.url)
        data = {"order_number": order.number, "status": "", "topic": "order_update"}
        content = Buttons(text=text, buttons=(button,))
        now = utcnow()
        tell(conn, order.conversation_id, [content], purpose="order_update", now=now, data=data)

    async def _cancel(self, order: Order, reason: str) -> None:
        config = self._config()

        def cancel(conn: Connection) -> None:
            current = orders.get(conn, order.id)
            if current is not None:
                lifecycle.cancel(conn, current, config, utcnow(), reason=reason)

        await self._db.write(cancel)
        await self._signals.publish("outbox")

    async def _order(self, job: Job) -> Order | None:
        order_id = str(job.payload.get("order_id") or "")
        return await self._db.read(lambda conn: orders.get(conn, order_id))


def _waiting(order: Order) -> bool:
    """Whether the order still waits for its online payment."""
    return order.status == "placed" and order.payment_status == "pending"


def _page_expires(order: Order) -> datetime | None:
    stored = order.data.get(_EXPIRES)
    try:
        return datetime.fromisoformat(str(stored)) if stored else None
    except ValueError:
        return None


def _clock(moment: datetime | None, language: str) -> str:
    """A time for the customer, in German time (the shop's; Theke has no customer time zone)."""
    from zoneinfo import ZoneInfo

    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo("Europe/Berlin"))
    return local.strftime("%H:%M") if language.startswith("de") else local.strftime("%H:%M (%Z)")
