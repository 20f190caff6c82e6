"""The ``mail.order`` job: the order confirmation by e-mail (``THEKE_SMTP_URL``).

A mail server that is down or says "try later" (4xx) gets the job retried; one that
refuses the address for good (5xx) is logged and not tried again — the customer has
the confirmation in the chat already.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from theke.bot import Bot
from theke.commerce.mail import Mailer, MailError
from theke.commerce.order_mail import order_mail
from theke.store import orders
from theke.store.database import Database
from theke.store.jobs import Job

__all__ = ["OrderMailJob"]

_log = structlog.get_logger("theke.worker.order_mail")


class OrderMailJob:
    def __init__(self, db: Database, bot: Callable[[], Bot], mailer: Mailer) -> None:
        self._db = db
        self._bot = bot
        self._mailer = mailer

    async def __call__(self, job: Job) -> None:
        order_id = str(job.payload.get("order_id") or "")
        order = await self._db.read(lambda conn: orders.get(conn, order_id))
        bot = self._bot()
        mail = order_mail(order, bot.config, bot.legal) if order is not None else None
        if mail is None:
            return
        try:
            await self._mailer.send(mail)
        except MailError as exc:
            if exc.retryable:
                raise
            _log.warning("theke.worker.order_mail.refused", order=order_id, error=str(exc))
            return
        _log.info("theke.worker.order_mail.sent", order=order_id)
