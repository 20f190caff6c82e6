"""The order confirmation by e-mail, for customers who gave their address in the checkout."""

from __future__ import annotations

from typing import TYPE_CHECKING

from theke.commerce.mail import Mail
from theke.commerce.receipt import order_receipt
from theke.commerce.texts import shop_text
from theke.store.orders import Order

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["order_mail"]


def order_mail(order: Order, config: BotConfig) -> Mail | None:
    """The confirmation mail of ``order``; ``None`` without an address or a shop."""
    shop = config.shop
    if not order.email or shop is None:
        return None
    language, form = order.language, config.address
    german = language.startswith("de")
    store = config.shipping.store(str(order.data.get("store") or ""))
    where = f"{store.name}, {store.address}" if store else None
    receipt = order_receipt(order, address_form=form, store=where)
    thanks = shop_text("order_confirmed", language, form, number=order.number)
    legal = (
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
    body = "\n\n".join(part for part in (thanks, receipt.text, payment, legal, closing) if part)
    subject = (
        f"Bestellbestätigung {order.number} – {config.name}"
        if german
        else f"Order confirmation {order.number} – {config.name}"
    )
    return Mail(to=order.email, subject=subject, text=f"{body}\n\n{config.name}\n")


def _payment_text(order: Order, config: BotConfig) -> str:
    shop = config.shop
    if shop is None:  # pragma: no cover - checked by the caller
        return ""
    if order.payment_method == "invoice":
        return shop_text(
            "order_pay_invoice", order.language, config.address, days=str(shop.invoice_days)
        )
    if order.payment_method == "prepayment" and shop.bank is not None:
        from theke.commerce.products import format_cents

        bank = shop.bank
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
    return ""
