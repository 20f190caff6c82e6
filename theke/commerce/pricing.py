"""What a cart costs: its lines at today's prices, shipping by the shop's rules, VAT included.

The checkout's summary and the order placed from it are priced by the same
:func:`price_cart`, so the total the customer confirmed is the total charged; a
change in between (a price, the stock) shows up as a different :class:`Quote`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import structlog

from theke.commerce.products import Product, format_cents
from theke.commerce.search import CatalogIndex
from theke.commerce.shipping import ShippingRules, ShopConfig

__all__ = ["QUANTITY_MAX", "Priced", "Quote", "Unavailable", "price_cart"]

_log = structlog.get_logger("theke.commerce.pricing")

QUANTITY_MAX = 10
"""Pairs of one size in one order: more is a wholesale question for a person."""


@dataclass(frozen=True, slots=True)
class Priced:
    """One cart line with its product as the catalog has it now."""

    product: Product
    size: str
    quantity: int

    @property
    def total_cents(self) -> int:
        return self.product.price_cents * self.quantity


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A cart line that cannot be ordered: the product is gone, or the size sold out."""

    sku: str
    size: str
    name: str | None  # None: the product is no longer in the catalog
    left: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A cart priced: lines, subtotal, shipping (zone), VAT contained, total, in ``currency``."""

    lines: tuple[Priced, ...]
    unavailable: tuple[Unavailable, ...]
    currency: str
    subtotal_cents: int
    shipping_cents: int
    vat_cents: int
    total_cents: int
    zone: str | None  # the shipping zone; None for pickup or before the address is known
    free_shipping: bool = False

    def money(self, cents: int, language: str) -> str:
        return format_cents(cents, self.currency, language)

    @property
    def fingerprint(self) -> str:
        """What the customer agreed to: every line, price and the total."""
        parts = [
            f"{p.product.sku}:{p.size}:{p.quantity}:{p.product.price_cents}" for p in self.lines
        ]
        return "|".join([*parts, str(self.shipping_cents), str(self.total_cents)])


def price_cart(
    index: CatalogIndex,
    cart: Sequence[tuple[str, str, int]],
    shop: ShopConfig,
    shipping: ShippingRules,
    *,
    country: str | None = None,
) -> Quote:
    """Price ``cart`` ((sku, size, quantity) lines) for delivery to ``country`` (None: pickup,
    or not known yet: no shipping costs). Raises :class:`NoShipping` for a country the shop
    does not ship to. Everything is in ``shipping.currency``; a product priced in another
    currency is unavailable (and logged): an order never adds up two currencies."""
    lines: list[Priced] = []
    unavailable: list[Unavailable] = []
    for sku, size, quantity in cart:
        product = index.product(sku)
        left = product.stock(size) if product is not None else 0
        if product is not None and product.currency != shipping.currency:
            # One order, one currency: a product priced in another cannot be added up.
            _log.warning("theke.commerce.currency_mismatch", sku=sku, currency=product.currency)
            left = 0
        if product is None or left < quantity:
            name = product.name if product is not None else None
            unavailable.append(Unavailable(sku, size, name, left))
            continue
        lines.append(Priced(product, size, min(quantity, QUANTITY_MAX)))
    currency = shipping.currency
    subtotal = sum(line.total_cents for line in lines)
    quote = shipping.quote(country, subtotal) if country is not None and lines else None
    shipping_cents = quote.cents if quote is not None else 0
    total = subtotal + shipping_cents
    return Quote(
        lines=tuple(lines),
        unavailable=tuple(unavailable),
        currency=currency,
        subtotal_cents=subtotal,
        shipping_cents=shipping_cents,
        vat_cents=shop.vat_cents(total),
        total_cents=total,
        zone=quote.zone if quote is not None else None,
        free_shipping=quote.free if quote is not None else False,
    )
