"""What happens to an order after it is placed: paid, shipped, ready, delivered, cancelled.

Each change is one call inside the caller's transaction: the order row, the
stock (a payment turns held pairs into a sale; a cancellation gives them
back), the message to the customer, and the webhook to the shop system all
commit together. Every change is idempotent — a payment webhook delivered
twice, or the shop sending "shipped" again, changes nothing the second time.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import structlog
from sqlalchemy import Connection

from theke.commerce.notices import tell
from theke.commerce.order_json import order_json
from theke.commerce.restock import notify_restocked
from theke.commerce.texts import shop_label, shop_text
from theke.content import Buttons, Content, Text, UrlButton
from theke.errors import ThekeError
from theke.store import catalog, jobs, orders, webhooks
from theke.store.catalog import Line
from theke.store.orders import Order

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["CLOSE_JOB", "STATUSES", "StatusError", "cancel", "mark_paid", "set_status"]

CLOSE_JOB = "payment.close"
"""Expire the Stripe Checkout Session of an order that was cancelled or paid otherwise."""

STATUSES = ("placed", "paid", "shipped", "ready", "delivered", "cancelled")
"""An order's statuses; ``ready`` is ready for pickup in the store."""

_log = structlog.get_logger("theke.commerce.lifecycle")

_NEXT = {
    "placed": {"paid", "shipped", "ready", "delivered", "cancelled"},  # invoice: shipped unpaid
    "paid": {"shipped", "ready", "delivered", "cancelled"},
    "shipped": {"delivered", "cancelled"},
    "ready": {"delivered", "cancelled"},
    "delivered": set(),
    "cancelled": set(),
}


class StatusError(ThekeError):
    """A status change that cannot happen (e.g. a cancelled order marked shipped)."""


def mark_paid(conn: Connection, order: Order, config: BotConfig, now: datetime) -> Order:
    """The money arrived: the held pairs are sold, the customer and the shop are told."""
    order = _locked(conn, order)
    if order.payment_status == "paid":
        return order
    if order.status == "cancelled":  # paid after it was cancelled: the money goes back
        _log.warning("theke.commerce.paid_after_cancel", order=order.number)
        data = {"refund_due": True}
        updated = orders.update_order(conn, order.id, payment_status="paid", data=data)
        _tell(conn, updated, config, now, "order_paid_after_cancel")
        webhooks.record(conn, "order.paid", order_json(updated), now)
        return updated
    if order.reserved:
        catalog.sell(conn, _lines(order))
    status = "paid" if order.status == "placed" else order.status
    updated = orders.update_order(
        conn, order.id, payment_status="paid", status=status, reserved=False, pay_until=None
    )
    _tell(conn, updated, config, now, "order_paid")
    webhooks.record(conn, "order.paid", order_json(updated), now)
    return updated


def cancel(
    conn: Connection, order: Order, config: BotConfig, now: datetime, *, reason: str
) -> Order:
    """Cancel the order (``reason``: unpaid, payment_failed, payment_unavailable, shop) and give
    back the pairs it held; customers waiting for them are told they are back.

    An online payment that lapses or fails after the shop sent the order off (or made it
    ready) does not cancel it: the goods are with the customer, so the shop settles the
    payment itself; the order only records it."""
    order = _locked(conn, order)
    if order.status == "cancelled":
        return order
    if reason == "shop":
        _close_payment(conn, order, now)  # an open payment page must not take money now
    payment = order.payment_status
    if reason in ("unpaid", "payment_failed") and payment == "pending":
        payment = "expired" if reason == "unpaid" else "failed"
    if reason != "shop" and order.status != "placed":
        _log.warning("theke.commerce.lifecycle.unpaid_after_dispatch", order=order.number)
        return orders.update_order(conn, order.id, payment_status=payment, pay_until=None)
    updated = orders.update_order(
        conn,
        order.id,
        status="cancelled",
        payment_status=payment,
        reserved=False,
        pay_until=None,
        data={"cancel_reason": reason},
    )
    if order.reserved:
        seq = catalog.release(conn, _lines(order))
        notify_restocked(conn, seq, config, now)
    key = {
        "unpaid": "order_unpaid_cancelled",
        "payment_failed": "order_unpaid_cancelled",
        "payment_unavailable": "order_payment_unavailable",
    }.get(reason, "order_cancelled")
    _tell(conn, updated, config, now, key, reason="")
    webhooks.record(conn, "order.cancelled", {**order_json(updated), "reason": reason}, now)
    return updated


def set_status(
    conn: Connection,
    order: Order,
    status: str,
    config: BotConfig,
    now: datetime,
    *,
    carrier: str | None = None,
    tracking_number: str | None = None,
    tracking_url: str | None = None,
) -> Order:
    """The shop system's news about an order; the customer hears about it on the order's channel."""
    if status not in STATUSES:
        raise StatusError(f"unknown status {status!r}; use one of: {', '.join(STATUSES)}")
    order = _locked(conn, order)
    if status == order.status:
        return order  # sent twice: nothing new to tell
    if status not in _NEXT[order.status]:
        raise StatusError(f"an order that is {order.status} cannot become {status}")
    if status == "paid":
        _close_payment(conn, order, now)  # paid another way: the link must not charge again
        return mark_paid(conn, order, config, now)
    if status == "cancelled":
        return cancel(conn, order, config, now, reason="shop")
    if order.reserved:  # shipped on invoice: the pairs leave the shelf now
        catalog.sell(conn, _lines(order))
    shipment = {
        "carrier": carrier,
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
    }
    updated = orders.update_order(
        conn,
        order.id,
        status=status,
        reserved=False,
        data={key: value for key, value in shipment.items() if value},
    )
    _tell_status(conn, updated, config, now)
    webhooks.record(conn, f"order.{status}", order_json(updated), now)
    return updated


def _tell_status(conn: Connection, order: Order, config: BotConfig, now: datetime) -> None:
    if order.status == "shipped":
        _tell(conn, order, config, now, "order_shipped", tracking=_tracking(order))
    elif order.status == "ready":
        store = config.shipping.store(str(order.data.get("store") or ""))
        where = f"{store.name}, {store.address}" if store else ""
        _tell(conn, order, config, now, "order_ready", store=where)
    elif order.status == "delivered":
        _tell(conn, order, config, now, "order_delivered")


def _tell(
    conn: Connection, order: Order, config: BotConfig, now: datetime, key: str, **values: str
) -> None:
    text = shop_text(key, order.language, config.address, number=order.number, **values)
    url = order.data.get("tracking_url") if key == "order_shipped" else None
    content: Content
    if isinstance(url, str) and url.startswith("https://"):
        label = shop_label("track", order.language, config.address)
        content = Buttons(text=text, buttons=(UrlButton(title=label, url=url),))
    else:
        content = Text(text=text)
    data = {"order_number": order.number, "status": _status_word(order), "topic": "order_update"}
    name = str((order.address or {}).get("name") or "").split(" ")[0]
    if name:
        data["customer_name"] = name  # a WhatsApp template's greeting: "Hallo Anna"
    tell(conn, order.conversation_id, [content], purpose="order_update", now=now, data=data)


def _tracking(order: Order) -> str:
    carrier, number = order.data.get("carrier"), order.data.get("tracking_number")
    if not number:
        return ""
    german = order.language.startswith("de")
    label = "Sendungsnummer" if german else "Tracking number"
    return f" {carrier + ' ' if carrier else ''}{label}: {number}"


def _status_word(order: Order) -> str:
    """The status as the WhatsApp template's parameter reads it ("unterwegs")."""
    words = {
        "paid": ("bezahlt", "paid"),
        "shipped": ("unterwegs", "on its way"),
        "ready": ("abholbereit", "ready for pickup"),
        "delivered": ("zugestellt", "delivered"),
        "cancelled": ("storniert", "cancelled"),
        "placed": ("eingegangen", "received"),
    }[order.status]
    return words[0] if order.language.startswith("de") else words[1]


def _locked(conn: Connection, order: Order) -> Order:
    """The order re-read under its row lock: decide on what it is now, not what it was."""
    return orders.lock(conn, order.id) or order


def _close_payment(conn: Connection, order: Order, now: datetime) -> None:
    """An open Stripe payment page for an order that no longer waits for it: closed by a job."""
    if order.payment_method == "stripe" and order.payment_status == "pending":
        jobs.schedule(conn, CLOSE_JOB, {"order_id": order.id}, now)


def _lines(order: Order) -> list[Line]:
    return [Line(line.sku, line.size, line.quantity) for line in order.lines]
