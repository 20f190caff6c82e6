"""The order confirmation as a receipt: Messenger shows its receipt template, others the text."""

from __future__ import annotations

from theke.commerce.products import format_cents
from theke.commerce.texts import shop_label
from theke.content import Receipt, ReceiptAddress, ReceiptItem
from theke.content.text import shorten
from theke.store.orders import Order

__all__ = ["order_receipt"]


def order_receipt(order: Order, *, address_form: str, store: str | None = None) -> Receipt:
    """``order`` as a receipt in its language; ``store`` names the pickup store."""
    language = order.language
    german = language.startswith("de")
    payment = shop_label(f"payment_{order.payment_method}", language, address_form)
    shipped_to = dict(order.address or {})
    name = str(shipped_to.get("name") or ("Kundin/Kunde" if german else "Customer"))
    receipt_address = None
    if shipped_to.get("street") and shipped_to.get("postcode") and shipped_to.get("city"):
        receipt_address = ReceiptAddress(
            street_1=shorten(str(shipped_to["street"]), 100),
            city=shorten(str(shipped_to["city"]), 100),
            postal_code=str(shipped_to["postcode"])[:20],
            country=str(shipped_to.get("country") or "DE"),
        )
    size = "Größe" if german else "Size"
    return Receipt(
        recipient_name=shorten(name, 100),
        order_number=order.number,
        currency=order.currency,
        payment_method=payment,
        items=tuple(
            ReceiptItem(
                title=shorten(line.name, 80),
                subtitle=f"{size} {line.size}",
                quantity=line.quantity,
                price_cents=line.unit_cents,
            )
            for line in order.lines
        ),
        address=receipt_address,
        subtotal_cents=order.subtotal_cents,
        shipping_cents=order.shipping_cents,
        tax_cents=order.vat_cents,
        total_cents=order.total_cents,
        text=_text(order, payment, name, store),
    )


def _text(order: Order, payment: str, name: str, store: str | None) -> str:
    german = order.language.startswith("de")

    def money(cents: int) -> str:
        return format_cents(cents, order.currency, order.language)

    size = "Gr." if german else "size"
    lines = [f"{'Bestellung' if german else 'Order'} {order.number}"]
    lines += [
        f"{line.quantity}× {line.name}, {size} {line.size} – {money(line.total_cents)}"
        for line in order.lines
    ]
    shipping = (
        money(order.shipping_cents) if order.shipping_cents else ("kostenlos" if german else "free")
    )
    lines.append(f"{'Versand' if german else 'Shipping'}: {shipping}")
    vat = (
        f"inkl. {money(order.vat_cents)} MwSt." if german else f"incl. {money(order.vat_cents)} VAT"
    )
    lines.append(f"{'Gesamt' if german else 'Total'}: {money(order.total_cents)} ({vat})")
    lines.append(f"{'Zahlung' if german else 'Payment'}: {payment}")
    if store:
        lines.append(f"{'Abholung' if german else 'Pickup'}: {store}")
    elif order.address:
        address = order.address
        where = f"{name}, {address.get('street')}, {address.get('postcode')} {address.get('city')}"
        lines.append(f"{'Lieferung an' if german else 'Deliver to'}: {where}")
    return "\n".join(lines)
