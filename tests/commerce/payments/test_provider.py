"""The payment providers behind one interface: Stripe's pages, and payment by bank transfer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import DEMO_BOT, make_settings
from theke.bot import load_bot
from theke.commerce.payments.provider import (
    ManualPayments,
    StripePayments,
    payment_providers,
)
from theke.commerce.payments.stripe import StripeClient
from theke.store.orders import Order, OrderLine
from theke.store.schema import utcnow
from theke.testing.stripe_api import StripeApi


def _order(method: str = "stripe", shipping: int = 495) -> Order:
    now = utcnow()
    return Order(
        id="4f1c" * 8, number="SC-518645", checkout_key="k", customer_id="c", conversation_id="v",
        channel="webchat", language="de", status="placed", payment_method=method,
        payment_status="pending", payment_ref=None, payment_url=None, currency="EUR",
        subtotal_cents=6499, shipping_cents=shipping, vat_cents=1117, total_cents=6499 + shipping,
        fulfilment="delivery", address=None, email="anna@example.com", source=None,
        reserved=True, pay_until=now + timedelta(hours=1), data={}, created_at=now,
        updated_at=now, lines=(OrderLine("SC-RUN-002", "43", "Revolution 7", 1, 6499),),
    )  # fmt: skip


@pytest.fixture
def stripe() -> Iterator[StripeApi]:
    with StripeApi() as server:
        yield server


async def test_a_stripe_page_lists_the_order_and_a_retry_opens_the_same_page(
    stripe: StripeApi,
) -> None:
    payments = StripePayments(StripeClient(stripe.base_url, stripe.secret_key))
    expires = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    try:
        page = await payments.open_page(_order(), expires_at=expires, back_to="https://s/x")
        again = await payments.open_page(_order(), expires_at=expires, back_to="https://s/x")
        assert again.ref == page.ref and len(stripe.sessions) == 1
        lines = stripe.line_items(page.ref)
        assert [(line["name"], line["unit_amount"]) for line in lines] == [
            ("Revolution 7", 6499),
            ("Versand", 495),
        ]
        state = await payments.state(page.ref)
        assert (state.open, state.paid, state.complete) == (True, False, False)
        closed = await payments.close(page.ref)
        assert (closed.open, closed.paid) == (False, False)
        assert stripe.session(page.ref)["status"] == "expired"
    finally:
        await payments.aclose()


async def test_closing_a_page_the_customer_just_paid_reports_it_paid(stripe: StripeApi) -> None:
    payments = StripePayments(StripeClient(stripe.base_url, stripe.secret_key))
    expires = (utcnow() + timedelta(hours=1)).replace(microsecond=0)
    try:
        page = await payments.open_page(_order(), expires_at=expires, back_to="https://s/x")
        stripe.pay(page.ref)
        closed = await payments.close(page.ref)
        assert (closed.paid, closed.complete) == (True, True)
    finally:
        await payments.aclose()


def test_bank_transfers_tell_the_customer_how_to_pay(tmp_path: Path) -> None:
    config = load_bot(DEMO_BOT).config
    invoice = ManualPayments("invoice").instructions(_order("invoice"), config)
    assert invoice is not None and "innerhalb von 14 Tagen" in invoice
    prepay = ManualPayments("prepayment").instructions(_order("prepayment"), config)
    assert prepay is not None
    assert "69,94 €" in prepay and "DE89 3704 0044 0532 0130 00" in prepay
    assert "Verwendungszweck: SC-518645" in prepay


def test_stripe_is_a_provider_only_with_its_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    without = payment_providers(make_settings(url))
    assert without.missing(("stripe", "invoice")) == frozenset({"stripe"})
    keyed = payment_providers(make_settings(url, stripe_secret_key="sk_test_x"))
    assert keyed.missing(("stripe", "invoice", "prepayment")) == frozenset()
