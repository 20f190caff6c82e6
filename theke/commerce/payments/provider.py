"""The payment provider interface, and the providers Theke has.

Two kinds, by how the customer pays:

- :class:`OnlinePayments`: on the provider's page. Theke opens a page for the order
  (:meth:`~OnlinePayments.open_page`), sends its link, learns the outcome from the
  provider's webhook or by asking (:meth:`~OnlinePayments.state`), and closes a page
  nobody should pay on any more (:meth:`~OnlinePayments.close`). :class:`StripePayments`
  is one: Stripe Checkout Sessions.
- :class:`ManualPayments`: by bank transfer, later. Theke tells the customer how
  (:meth:`~ManualPayments.instructions`); the shop system reports the payment
  (``POST /api/v1/orders/{number}/status``). ``invoice`` and ``prepayment`` are two.

:func:`payment_providers` builds the ones the settings allow; a method ``theke.yml``
offers without its provider is not offered to customers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from theke.commerce.payments.errors import PaymentError
from theke.commerce.payments.stripe import CheckoutSession, LineItem, StripeClient
from theke.commerce.products import format_cents
from theke.commerce.texts import shop_text
from theke.store.orders import Order

if TYPE_CHECKING:
    from theke.bot.config import BotConfig
    from theke.settings import Settings

__all__ = [
    "MANUAL_METHODS",
    "ManualPayments",
    "OnlinePayments",
    "PaymentPage",
    "PaymentProviders",
    "PaymentState",
    "StripePayments",
    "payment_providers",
]


MANUAL_METHODS = ("invoice", "prepayment")
"""Paid by bank transfer: the shop system reports the money."""


@dataclass(frozen=True, slots=True)
class PaymentPage:
    """A page the customer pays an order on: its reference at the provider, its address."""

    ref: str
    url: str | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class PaymentState:
    """What the provider says of a page: still ``open``; ``paid``; or ``complete`` but not
    paid yet (a method that settles days later, like SEPA Debit)."""

    ref: str
    open: bool
    paid: bool
    complete: bool


class OnlinePayments(Protocol):
    """A provider whose customers pay on its page."""

    method: str

    async def open_page(self, order: Order, *, expires_at: datetime, back_to: str) -> PaymentPage:
        """A new page for ``order`` (the same one again for a retried call), valid until
        ``expires_at``; the customer returns to ``back_to`` + ``/paid`` or ``/cancelled``."""
        ...

    async def state(self, ref: str) -> PaymentState: ...

    async def close(self, ref: str) -> PaymentState:
        """Close the page if it is still open; what it is afterwards."""
        ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class ManualPayments:
    """Paid by bank transfer: on invoice after delivery, or in advance."""

    method: str  # "invoice" or "prepayment"

    def instructions(self, order: Order, config: BotConfig) -> str | None:
        """How the customer pays, for the confirmation in the chat and by e-mail."""
        shop = config.shop
        if shop is None:
            return None
        if self.method == "invoice":
            days = str(shop.invoice_days)
            return shop_text("order_pay_invoice", order.language, config.address, days=days)
        bank = shop.bank
        if bank is None:
            return None
        return shop_text(
            "order_pay_prepayment",
            order.language,
            config.address,
            total=format_cents(order.total_cents, order.currency, order.language),
            holder=bank.holder,
            iban=bank.iban_display(),
            bic=f"\nBIC: {bank.bic}" if bank.bic else "",
            number=order.number,
        )


class StripePayments:
    """Stripe Checkout Sessions: the order id is the idempotency key."""

    method = "stripe"

    def __init__(self, client: StripeClient) -> None:
        self._client = client

    async def open_page(self, order: Order, *, expires_at: datetime, back_to: str) -> PaymentPage:
        items = [LineItem(line.name, line.unit_cents, line.quantity) for line in order.lines]
        if order.shipping_cents:
            shipping = "Versand" if order.language.startswith("de") else "Shipping"
            items.append(LineItem(shipping, order.shipping_cents, 1))
        session = await self._client.create_checkout_session(
            reference=order.number,
            items=items,
            currency=order.currency,
            success_url=f"{back_to}/paid",
            cancel_url=f"{back_to}/cancelled",
            customer_email=order.email,
            expires_at=expires_at,
            metadata={"order_id": order.id},
            idempotency_key=f"theke-order-{order.id}",
            locale="de" if order.language.startswith("de") else "en",
        )
        return PaymentPage(session.id, session.url, session.expires_at)

    async def state(self, ref: str) -> PaymentState:
        return _state(await self._client.retrieve_checkout_session(ref))

    async def close(self, ref: str) -> PaymentState:
        now = await self.state(ref)
        if now.paid or not now.open:
            return now
        try:
            return _state(await self._client.expire_checkout_session(ref))
        except PaymentError as exc:
            if exc.retryable:
                raise
            return await self.state(ref)  # completed in the moment between the two calls

    async def aclose(self) -> None:
        await self._client.close()


def _state(session: CheckoutSession) -> PaymentState:
    return PaymentState(
        ref=session.id,
        open=session.status == "open",
        paid=session.payment_status == "paid",
        complete=session.status == "complete",
    )


@dataclass(frozen=True, slots=True)
class PaymentProviders:
    """The providers this installation has, by payment method."""

    online: Mapping[str, OnlinePayments] = field(default_factory=dict)
    manual: Mapping[str, ManualPayments] = field(default_factory=dict)

    def missing(self, offered: tuple[str, ...]) -> frozenset[str]:
        """The methods ``theke.yml`` offers that no provider here can take."""
        return frozenset(m for m in offered if m not in self.online and m not in self.manual)

    def instructions(self, order: Order, config: BotConfig) -> str | None:
        provider = self.manual.get(order.payment_method)
        return provider.instructions(order, config) if provider is not None else None

    async def aclose(self) -> None:
        for provider in self.online.values():
            await provider.aclose()


def payment_providers(settings: Settings) -> PaymentProviders:
    """Invoice and prepayment always; Stripe with ``THEKE_STRIPE_SECRET_KEY``."""
    manual = {method: ManualPayments(method) for method in MANUAL_METHODS}
    online: dict[str, OnlinePayments] = {}
    if settings.stripe_secret_key is not None:
        client = StripeClient(
            settings.stripe_api_base, settings.stripe_secret_key.get_secret_value()
        )
        online["stripe"] = StripePayments(client)
    return PaymentProviders(online=online, manual=manual)
