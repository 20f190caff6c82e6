"""StripeClient against the loopback Stripe API: sessions, idempotency, every error mapping."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import free_port
from theke.commerce.payments.errors import PaymentError
from theke.commerce.payments.stripe import CheckoutSession, LineItem, StripeClient
from theke.testing.stripe_api import StripeApi

KEY = "sk_test_theke"
ITEMS = [LineItem("Runner Pro 42", 8999, 2), LineItem("Socks", 500, 1)]


@pytest.fixture
def api() -> Iterator[StripeApi]:
    with StripeApi(KEY, "whsec_theke") as server:
        yield server


@pytest.fixture
async def stripe(api: StripeApi) -> AsyncIterator[StripeClient]:
    async with StripeClient(api.base_url, KEY, timeout=5) as client:
        yield client


async def checkout(
    stripe: StripeClient, *, key: str = "order-A-1001", items: list[LineItem] = ITEMS
) -> CheckoutSession:
    return await stripe.create_checkout_session(
        reference="A-1001",
        items=items,
        currency="EUR",
        success_url="https://shop.example/thanks",
        cancel_url="https://shop.example/cart",
        customer_email="kim@example.com",
        metadata={"channel": "telegram"},
        idempotency_key=key,
        locale="de",
    )


async def failure(
    stripe: StripeClient, *, key: str = "order-A-1001", items: list[LineItem] = ITEMS
) -> PaymentError:
    with pytest.raises(PaymentError) as caught:
        await checkout(stripe, key=key, items=items)
    return caught.value


async def test_create_returns_an_open_session_for_the_order(
    api: StripeApi, stripe: StripeClient
) -> None:
    expires = datetime.now(UTC) + timedelta(hours=2)
    session = await stripe.create_checkout_session(
        reference="A-1001",
        items=ITEMS,
        currency="EUR",
        success_url="https://shop.example/thanks",
        cancel_url="https://shop.example/cart",
        expires_at=expires,
        metadata={"channel": "telegram", "order": "spoofed"},
        idempotency_key="order-A-1001",
    )
    assert session.id.startswith("cs_test_")
    assert session.url == f"{api.base_url}/pay/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert session.amount_total == 2 * 8999 + 500
    assert session.currency == "eur"
    assert session.client_reference_id == "A-1001"
    assert dict(session.metadata) == {"channel": "telegram", "order": "A-1001"}
    assert session.expires_at == expires.replace(microsecond=0)


async def test_create_encodes_nested_parameters_the_stripe_way(
    api: StripeApi, stripe: StripeClient
) -> None:
    await checkout(stripe)
    (request,) = api.requests
    params = request.params
    assert request.idempotency_key == "order-A-1001"
    assert params["mode"] == "payment"
    assert params["line_items"][1] == {
        "price_data": {"currency": "eur", "product_data": {"name": "Socks"}, "unit_amount": "500"},
        "quantity": "1",
    }
    assert params["payment_intent_data"]["metadata"] == {"channel": "telegram", "order": "A-1001"}
    assert (params["customer_email"], params["locale"]) == ("kim@example.com", "de")
    assert api.line_items(api.sessions[0]["id"])[0]["name"] == "Runner Pro 42"


async def test_retrieve_sees_the_payment(api: StripeApi, stripe: StripeClient) -> None:
    created = await checkout(stripe)
    api.pay(created.id)
    session = await stripe.retrieve_checkout_session(created.id)
    assert (session.status, session.payment_status, session.url) == ("complete", "paid", None)


async def test_expire_closes_an_open_session_and_only_once(stripe: StripeClient) -> None:
    created = await checkout(stripe)
    expired = await stripe.expire_checkout_session(created.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(PaymentError) as caught:
        await stripe.expire_checkout_session(created.id)
    assert (caught.value.code, caught.value.status, caught.value.retryable) == (
        "http_400",
        400,
        False,
    )


async def test_a_retry_with_the_same_key_gives_the_same_session(
    api: StripeApi, stripe: StripeClient
) -> None:
    first = await checkout(stripe)
    again = await checkout(stripe)
    assert again == first
    assert len(api.sessions) == 1


async def test_the_same_key_for_another_order_is_refused(stripe: StripeClient) -> None:
    await checkout(stripe)
    error = await failure(stripe, items=[LineItem("Socks", 500, 3)])
    assert (error.error_type, error.status, error.retryable) == ("idempotency_error", 400, False)


async def test_an_invalid_parameter_names_stripes_code_and_param(stripe: StripeClient) -> None:
    error = await failure(stripe, items=[LineItem("Socks", 500, 0)])
    assert error.code == "parameter_invalid_integer"
    assert error.param == "line_items[0][quantity]"
    assert error.retryable is False


async def test_a_wrong_key_is_not_retryable(api: StripeApi) -> None:
    async with StripeClient(api.base_url, "sk_test_wrong") as stripe:
        error = await failure(stripe)
    assert (error.code, error.status, error.retryable) == ("http_401", 401, False)
    assert "sk_test_wrong" not in str(error)


async def test_an_unknown_session_is_resource_missing(stripe: StripeClient) -> None:
    with pytest.raises(PaymentError) as caught:
        await stripe.retrieve_checkout_session("cs_test_unknown")
    assert (caught.value.code, caught.value.status) == ("resource_missing", 404)
    assert caught.value.retryable is False


async def test_a_session_id_cannot_reach_another_endpoint(
    api: StripeApi, stripe: StripeClient
) -> None:
    created = await checkout(stripe)
    with pytest.raises(PaymentError) as caught:
        await stripe.retrieve_checkout_session(f"{created.id}/expire")
    assert caught.value.code == "resource_missing"
    assert api.sessions[0]["status"] == "open"


async def test_a_declined_request_is_not_retryable(api: StripeApi, stripe: StripeClient) -> None:
    api.fail_next(402, "card_declined")
    error = await failure(stripe)
    assert (error.code, error.status, error.retryable) == ("card_declined", 402, False)


async def test_server_errors_are_retryable_and_the_retry_creates_one_session(
    api: StripeApi, stripe: StripeClient
) -> None:
    api.fail_next(503)
    error = await failure(stripe)
    assert (error.code, error.status, error.retryable) == ("http_503", 503, True)
    assert error.error_type == "api_error"
    await checkout(stripe)
    assert len(api.sessions) == 1


async def test_rate_limits_are_retryable_after_the_asked_wait(
    api: StripeApi, stripe: StripeClient
) -> None:
    api.fail_next(429, retry_after=3)
    error = await failure(stripe)
    assert (error.code, error.retryable, error.retry_after) == ("rate_limit", True, 3.0)


async def test_a_concurrent_use_of_the_key_is_retryable(
    api: StripeApi, stripe: StripeClient
) -> None:
    api.fail_next(409, "idempotency_key_in_use")
    error = await failure(stripe)
    assert (error.code, error.retryable) == ("idempotency_key_in_use", True)


async def test_an_unreachable_stripe_is_a_retryable_connection_error() -> None:
    async with StripeClient(f"http://127.0.0.1:{free_port()}", KEY) as stripe:
        error = await failure(stripe)
    assert (error.code, error.retryable, error.status) == ("connection_error", True, None)


async def test_no_answer_in_time_is_a_retryable_timeout(api: StripeApi) -> None:
    api.stall_next(1.0)
    async with StripeClient(api.base_url, KEY, timeout=0.1) as stripe:
        error = await failure(stripe)
    assert (error.code, error.retryable) == ("timeout", True)


async def test_a_naive_expiry_is_refused_before_sending(
    api: StripeApi, stripe: StripeClient
) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        await stripe.create_checkout_session(
            reference="A-1001",
            items=ITEMS,
            currency="eur",
            success_url="https://shop.example/thanks",
            cancel_url="https://shop.example/cart",
            expires_at=datetime(2030, 1, 1),  # noqa: DTZ001 - the mistake under test
            idempotency_key="k",
        )
    assert api.requests == []


async def test_the_client_can_be_used_again_after_close(
    api: StripeApi, stripe: StripeClient
) -> None:
    await checkout(stripe)
    await stripe.close()
    assert (await checkout(stripe, key="other")).status == "open"
