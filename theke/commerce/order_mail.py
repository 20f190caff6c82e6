"""The order confirmation by e-mail, for customers who gave their address in the checkout."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from theke.commerce.mail import Mail
from theke.commerce.payments.provider import MANUAL_METHODS, ManualPayments
from theke.commerce.receipt import order_receipt
from theke.commerce.texts import shop_text
from theke.store.orders import Order

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["order_mail"]


def order_mail(
    order: Order, config: BotConfig, legal: Mapping[str, str] | None = None
) -> Mail | None:
    """The confirmation mail of ``order``; ``None`` without an address or a shop.

    ``legal`` (the bot folder's ``legal/`` texts) goes into the mail in full: the terms,
    the withdrawal notice and the withdrawal form on a durable medium (§312f BGB).
    """
    shop = config.shop
    if not order.email or shop is None:
        return None
    language, form = order.language, config.address
    german = language.startswith("de")
    store = config.shipping.store(str(order.data.get("store") or ""))
    where = f"{store.name}, {store.address}" if store else None
    receipt = order_receipt(order, address_form=form, store=where)
    thanks = shop_text("order_confirmed", language, form, number=order.number)
    links = (
        f"AGB: {shop.terms_url}\nWiderrufsbelehrung: {shop.withdrawal_url}"
        if german
        else f"Terms and conditions: {shop.terms_url}\nCancellation policy: {shop.withdrawal_url}"
    )
    payment = _payment_text(order, config)
    closing = (
        "Fragen? Schreib uns einfach im Chat." if german and form == "du"
        else "Fragen? Schreiben Sie uns einfach im Chat." if german
        else "Questions? Just write to us in the chat."
    )  # fmt: skip
    parts = (thanks, receipt.text, payment, links, closing, *_legal_texts(legal or {}, german))
    body = "\n\n".join(part for part in parts if part)
    subject = (
        f"Bestellbestätigung {order.number} – {config.name}"
        if german
        else f"Order confirmation {order.number} – {config.name}"
    )
    return Mail(to=order.email, subject=subject, text=f"{body}\n\n{config.name}\n")


_HEADINGS = {
    "terms": ("Allgemeine Geschäftsbedingungen", "Terms and conditions"),
    "withdrawal": ("Widerrufsbelehrung", "Cancellation policy"),
    "withdrawal_form": ("Muster-Widerrufsformular", "Model withdrawal form"),
}


def _legal_texts(legal: Mapping[str, str], german: bool) -> list[str]:
    rule = "—" * 40
    return [
        f"{rule}\n{_HEADINGS[name][0 if german else 1]}\n{rule}\n\n{legal[name]}"
        for name in _HEADINGS
        if legal.get(name)
    ]


def _payment_text(order: Order, config: BotConfig) -> str:
    if order.payment_method not in MANUAL_METHODS:
        return ""
    return ManualPayments(order.payment_method).instructions(order, config) or ""
