"""Placing an order from the checkout's button, inside the turn's transaction.

The order, the pairs it holds, the confirmation to the customer, the
``order.created`` webhook and the jobs that follow (the payment link, the
e-mail, the end of the time to pay) commit together with the turn, or not at
all. The order is placed only at what the summary showed: prices are read from
the catalog snapshot the batch synced with the database when it started, the
stock from the database itself, and a pair another customer took in between
(reserved in one statement per size) refuses the order, not the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from theke.commerce.attribution import attributed
from theke.commerce.order_json import order_json
from theke.commerce.payments.provider import MANUAL_METHODS, ManualPayments
from theke.commerce.pricing import Quote, price_cart
from theke.commerce.receipt import order_receipt
from theke.commerce.search import CatalogIndex
from theke.commerce.shipping import NoShipping, ShopConfig
from theke.commerce.texts import shop_text
from theke.content import Content, Text
from theke.dialogue.turn import OrderRequest
from theke.store import catalog, conversations, jobs, log, orders, webhooks
from theke.store.catalog import Line, OutOfStock
from theke.store.conversations import Conversation
from theke.store.log import LogEntry
from theke.store.orders import NewOrder, Order, OrderLine

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["LAPSE_JOB", "MAIL_JOB", "PAYMENT_JOB", "Placed", "bought", "place_order"]

PAYMENT_JOB = "payment.start"
LAPSE_JOB = "payment.lapse"
MAIL_JOB = "mail.order"
_LAPSE_GRACE = timedelta(minutes=2)  # Stripe's own "expired" event usually comes first


@dataclass(frozen=True, slots=True)
class Placed:
    """What placing came to: the order (``created`` False: the first tap's), the replies, or
    ``refused`` ("out_of_stock", "changed", "closed") with the cart to give back."""

    order: Order | None
    created: bool
    replies: tuple[Content, ...]
    refused: str | None = None
    cart: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def log_entry(self, conversation: Conversation, inbound_id: int, now: datetime) -> LogEntry:
        """``order.placed`` (or ``.repeated``, ``.refused``) for the conversation's log."""
        data: dict[str, Any]
        if self.refused is not None or self.order is None:
            kind, data = "order.refused", {"reason": self.refused}
        else:
            kind = "order.placed" if self.created else "order.repeated"
            order = self.order
            data = {"order": order.number, "total_cents": order.total_cents}
            data["payment"] = order.payment_method
        entries = log.event_entries(
            conversation.id, conversation.customer_id, [(kind, data)], now, inbound_id=inbound_id
        )
        return entries[0]


def bought(profile: dict[str, Any], order: Order) -> dict[str, Any]:
    """The profile with what the customer bought, newest first (recommendations read it)."""
    before = profile.get("bought")
    skus = list(dict.fromkeys(line.sku for line in order.lines))
    earlier = [sku for sku in before if sku not in skus] if isinstance(before, list) else []
    return {**profile, "bought": [*skus, *earlier][:50]}


def place_order(
    conn: Connection,
    request: OrderRequest,
    conversation: Conversation,
    *,
    index: CatalogIndex,
    config: BotConfig,
    now: datetime,
    mail: bool = False,
) -> Placed:
    """Place the order ``request`` asks for, in the caller's transaction.

    The order carries the conversation's source (the link, ad or campaign that led
    here) when it lies within the attribution window.
    """
    shop = config.shop
    key = f"{conversation.id}:{request.key}"
    found = orders.by_checkout_key(conn, key)
    if found is not None:
        text = shop_text("order_already", request.language, config.address)
        return Placed(found, False, (Text(text=text),))
    if shop is None:
        return _refuse(request, config, "closed", "checkout_closed")
    quote = _quote(index, request, shop, config)
    if quote is None or quote.unavailable or quote.fingerprint != request.fingerprint:
        return _refuse(request, config, "changed", "checkout_changed")
    short = _short(conn, quote)
    if short is not None:
        values = {"product": short[0], "size": short[1]}
        return _refuse(request, config, "out_of_stock", "order_out_of_stock", **values)
    try:
        with conn.begin_nested():  # a pair another worker took a moment ago: undo the others
            catalog.reserve(conn, [Line(p.product.sku, p.size, p.quantity) for p in quote.lines])
    except OutOfStock as gone:
        name = next((p.product.name for p in quote.lines if p.product.sku == gone.sku), gone.sku)
        values = {"product": name, "size": gone.size}
        return _refuse(request, config, "out_of_stock", "order_out_of_stock", **values)
    source = attributed(conversations.source_of(conn, conversation.id), now)
    new = _new_order(key, request, conversation, quote, shop, now, source)
    order, created = orders.place(conn, new)
    webhooks.record(conn, "order.created", order_json(order), now)
    _schedule(conn, order, now, mail=mail)
    return Placed(order, created, _confirmation(order, config))


def _quote(
    index: CatalogIndex, request: OrderRequest, shop: ShopConfig, config: BotConfig
) -> Quote | None:
    country = None
    if request.fulfilment == "delivery" and request.address:
        country = str(request.address.get("country") or "")
    try:
        return price_cart(index, request.lines, shop, config.shipping, country=country)
    except NoShipping:
        return None


def _short(conn: Connection, quote: Quote) -> tuple[str, str] | None:
    """The first line the database has fewer pairs of than the order asks (name, size)."""
    records = catalog.records(conn, [line.product.sku for line in quote.lines])
    for line in quote.lines:
        record = records.get(line.product.sku)
        left = dict(record.sizes).get(line.size, 0) if record is not None else 0
        if left < line.quantity:
            return line.product.name, line.size
    return None


def _new_order(
    key: str,
    request: OrderRequest,
    conversation: Conversation,
    quote: Quote,
    shop: ShopConfig,
    now: datetime,
    source: dict[str, Any] | None,
) -> NewOrder:
    online = request.payment == "stripe"
    return NewOrder(
        checkout_key=key,
        customer_id=conversation.customer_id,
        conversation_id=conversation.id,
        channel=conversation.channel,
        language=request.language,
        payment_method=request.payment,
        currency=quote.currency,
        lines=tuple(
            OrderLine(
                sku=line.product.sku,
                size=line.size,
                name=line.product.name_in(request.language),
                quantity=line.quantity,
                unit_cents=line.product.price_cents,
            )
            for line in quote.lines
        ),
        subtotal_cents=quote.subtotal_cents,
        shipping_cents=quote.shipping_cents,
        vat_cents=quote.vat_cents,
        total_cents=quote.total_cents,
        fulfilment=request.fulfilment,
        prefix=shop.order_prefix,
        address=request.address,
        email=request.email,
        source=source,
        pay_until=now + timedelta(minutes=shop.payment_minutes) if online else None,
        data={"store": request.store} if request.store else {},
    )


def _schedule(conn: Connection, order: Order, now: datetime, *, mail: bool) -> None:
    if order.payment_method == "stripe":
        jobs.schedule(conn, PAYMENT_JOB, {"order_id": order.id}, now)
        if order.pay_until is not None:
            jobs.schedule(conn, LAPSE_JOB, {"order_id": order.id}, order.pay_until + _LAPSE_GRACE)
    if mail and order.email:
        jobs.schedule(conn, MAIL_JOB, {"order_id": order.id}, now)


def _confirmation(order: Order, config: BotConfig) -> tuple[Content, ...]:
    """Thanks, the receipt, and how to pay (the payment link follows from its job)."""
    language, form = order.language, config.address
    store = config.shipping.store(str(order.data.get("store") or ""))
    where = f"{store.name}, {store.address}" if store else None
    messages: list[Content] = [
        Text(text=shop_text("order_confirmed", language, form, number=order.number)),
        order_receipt(order, address_form=form, store=where),
    ]
    if order.payment_method in MANUAL_METHODS:
        how = ManualPayments(order.payment_method).instructions(order, config)
        messages.extend([Text(text=how)] if how else [])
    return tuple(messages)


def _refuse(
    request: OrderRequest, config: BotConfig, reason: str, key: str, **values: str
) -> Placed:
    text = shop_text(key, request.language, config.address, **values)
    cart = tuple({"sku": sku, "size": size, "quantity": qty} for sku, size, qty in request.lines)
    return Placed(None, False, (Text(text=text),), refused=reason, cart=cart)
