"""Hypothesis strategies that build valid receipts, and one hand-written example."""

from __future__ import annotations

from hypothesis import strategies as st

from tests.content.strategies import texts, titles, urls
from theke.content import CENTS_MAX, Receipt, ReceiptAddress, ReceiptItem

__all__ = ["NIMBUS_ORDER", "receipts"]

_lines = st.text(min_size=1, max_size=100)
_pictures = st.none() | urls | st.just("/catalog/img/nimbus25.jpg")
_cents = st.integers(min_value=0, max_value=CENTS_MAX)


def _item(quantity: int) -> st.SearchStrategy[ReceiptItem]:
    return st.builds(
        ReceiptItem,
        title=titles,
        subtitle=st.none() | st.text(min_size=1, max_size=80),
        quantity=st.just(quantity),
        price_cents=st.integers(min_value=0, max_value=CENTS_MAX // quantity),
        image_url=_pictures,
    )


items = st.integers(min_value=1, max_value=999).flatmap(_item)
addresses = st.builds(
    ReceiptAddress,
    street_1=_lines,
    street_2=st.none() | _lines,
    city=_lines,
    postal_code=st.text(min_size=1, max_size=20),
    state=st.none() | _lines,
    country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
)
receipts = st.builds(
    Receipt,
    recipient_name=_lines,
    order_number=st.text(min_size=1, max_size=40),
    currency=st.from_regex(r"[A-Z]{3}", fullmatch=True),
    payment_method=_lines,
    order_url=st.none() | urls,
    items=st.lists(items, min_size=1, max_size=100).map(tuple),
    address=st.none() | addresses,
    subtotal_cents=_cents,
    shipping_cents=_cents,
    tax_cents=_cents,
    total_cents=_cents,
    text=texts,
)
"""Any valid receipt: blank names and titles, huge amounts and server paths included."""

NIMBUS_ORDER = Receipt(
    recipient_name="Jana Beispiel",
    order_number="SN-10042",
    currency="EUR",
    payment_method="Kreditkarte (Stripe)",
    order_url="https://shop.example/bestellung/SN-10042",
    items=(
        ReceiptItem(
            title="Nimbus 25",
            subtitle="Größe 42, blau",
            quantity=2,
            price_cents=14999,
            image_url="/catalog/img/nimbus25.jpg",
        ),
        ReceiptItem(title="Laufsocken", quantity=1, price_cents=1299),
    ),
    address=ReceiptAddress(
        street_1="Lindenstraße 5", city="Berlin", postal_code="10969", country="DE"
    ),
    subtotal_cents=31297,
    shipping_cents=495,
    tax_cents=5076,
    total_cents=31792,
    text=(
        "Danke für deine Bestellung SN-10042!\n"
        "2 × Nimbus 25 (Größe 42, blau): 299,98 €\n"
        "1 × Laufsocken: 12,99 €\n"
        "Versand: 4,95 €\n"
        "Gesamt: 317,92 € (inkl. 50,76 € MwSt.)\n"
        "Zahlung: Kreditkarte (Stripe)"
    ),
)
"""A German order of two lines, shipped to an address without a state."""
