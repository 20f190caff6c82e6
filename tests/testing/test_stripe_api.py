"""The loopback Stripe API answers like Stripe, over real HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.commerce.payments.stripe_events import parse_event, verify_signature
from theke.testing._http_fake import FakeRequest, HttpFakeServer, Reply
from theke.testing._stripe_rules import StripeRefusal, checkout_request, nest
from theke.testing.stripe_api import StripeApi

KEY = "sk_test_theke"
SECRET = "whsec_theke"


class Clock:
    """A settable clock for the fake."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock: Clock) -> Iterator[StripeApi]:
    with StripeApi(KEY, SECRET, clock=clock) as server:
        yield server


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def form(**overrides: str | None) -> dict[str, str]:
    fields: dict[str, str | None] = {
        "mode": "payment",
        "success_url": "https://shop.example/thanks",
        "cancel_url": "https://shop.example/cart",
        "client_reference_id": "A-1001",
        "metadata[order]": "A-1001",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][product_data][name]": "Runner Pro 42",
        "line_items[0][price_data][unit_amount]": "8999",
        "line_items[0][quantity]": "2",
        "line_items[1][price_data][currency]": "eur",
        "line_items[1][price_data][product_data][name]": "Socks",
        "line_items[1][price_data][unit_amount]": "500",
        "line_items[1][quantity]": "1",
    }
    fields.update(overrides)
    return {name: value for name, value in fields.items() if value is not None}


def create(
    http: httpx.Client, api: StripeApi, fields: dict[str, str], *, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {KEY}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return http.post(f"{api.base_url}/v1/checkout/sessions", data=fields, headers=headers)


def refused(response: httpx.Response, status: int, code: str | None, param: str | None) -> str:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error.get("code") == code
    assert error.get("param") == param
    assert error["type"] == "invalid_request_error"
    return str(error["message"])


def test_create_opens_an_unpaid_session_with_a_payment_page(
    api: StripeApi, http: httpx.Client, clock: Clock
) -> None:
    session = create(http, api, form()).json()
    assert session["id"].startswith("cs_test_")
    assert (session["status"], session["payment_status"]) == ("open", "unpaid")
    assert session["amount_total"] == 2 * 8999 + 500
    assert session["currency"] == "eur"
    assert session["client_reference_id"] == "A-1001"
    assert session["metadata"] == {"order": "A-1001"}
    assert session["expires_at"] == int(clock.now) + 24 * 3600
    assert session["url"] == f"{api.base_url}/pay/{session['id']}"
    page = http.get(session["url"])
    assert page.status_code == 200
    assert "184.98 EUR" in page.text
    assert [line["name"] for line in api.line_items(session["id"])] == ["Runner Pro 42", "Socks"]
    assert api.sessions == [session]


def test_a_missing_key_and_a_wrong_key_get_401(api: StripeApi, http: httpx.Client) -> None:
    url = f"{api.base_url}/v1/checkout/sessions"
    bare = http.post(url, data=form())
    assert bare.status_code == 401
    assert "did not provide an API key" in bare.json()["error"]["message"]
    wrong = http.post(url, data=form(), headers={"Authorization": "Bearer sk_test_wrongkey1234"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"].endswith("sk_test_********1234")
    assert api.sessions == []


def test_basic_auth_with_the_key_as_user_name_is_accepted(
    api: StripeApi, http: httpx.Client
) -> None:
    response = http.post(f"{api.base_url}/v1/checkout/sessions", data=form(), auth=(KEY, ""))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"mode": None}, "mode"),
        ({"success_url": None}, "success_url"),
        ({"line_items[1][quantity]": None}, "line_items[1][quantity]"),
        (
            {"line_items[0][price_data][product_data][name]": None},
            "line_items[0][price_data][product_data][name]",
        ),
        ({"line_items[0][price_data][currency]": None}, "line_items[0][price_data][currency]"),
    ],
)
def test_missing_parameters_are_named(
    api: StripeApi, http: httpx.Client, overrides: dict[str, str | None], param: str
) -> None:
    response = create(http, api, form(**overrides))
    assert refused(response, 400, "parameter_missing", param) == f"Missing required param: {param}."


def test_a_session_needs_line_items(api: StripeApi, http: httpx.Client) -> None:
    fields = {k: v for k, v in form().items() if not k.startswith("line_items")}
    refused(create(http, api, fields), 400, "parameter_missing", "line_items")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("line_items[0][price_data][unit_amount]", "12.50"),
        ("line_items[0][price_data][unit_amount]", "-1"),
        ("line_items[0][price_data][unit_amount]", "100000000"),
        ("line_items[0][quantity]", "0"),
        ("line_items[0][quantity]", "two"),
    ],
)
def test_bad_integers_are_refused(
    api: StripeApi, http: httpx.Client, name: str, value: str
) -> None:
    refused(create(http, api, form(**{name: value})), 400, "parameter_invalid_integer", name)
    assert api.sessions == []


@pytest.mark.parametrize("currency", ["EUR", "euro", "€"])
def test_currency_is_three_lower_case_letters(
    api: StripeApi, http: httpx.Client, currency: str
) -> None:
    name = "line_items[0][price_data][currency]"
    refused(create(http, api, form(**{name: currency})), 400, None, name)


def test_all_line_items_share_one_currency(api: StripeApi, http: httpx.Client) -> None:
    fields = form(**{"line_items[1][price_data][currency]": "usd"})
    assert "same currency" in refused(create(http, api, fields), 400, None, "line_items")


def test_at_most_100_line_items(api: StripeApi, http: httpx.Client) -> None:
    fields = form()
    for index in range(2, 101):
        fields |= {
            f"line_items[{index}][price_data][currency]": "eur",
            f"line_items[{index}][price_data][product_data][name]": f"Item {index}",
            f"line_items[{index}][price_data][unit_amount]": "100",
            f"line_items[{index}][quantity]": "1",
        }
    refused(create(http, api, fields), 400, None, "line_items")
    del fields["line_items[100][quantity]"]
    fields = {k: v for k, v in fields.items() if not k.startswith("line_items[100]")}
    assert create(http, api, fields).json()["amount_total"] == 2 * 8999 + 500 + 98 * 100


def test_expires_at_must_be_30_minutes_to_24_hours_ahead(
    api: StripeApi, http: httpx.Client, clock: Clock
) -> None:
    now = int(clock.now)
    for ahead in (29 * 60, 24 * 3600 + 60):
        response = create(http, api, form(expires_at=str(now + ahead)))
        refused(response, 400, None, "expires_at")
    accepted = create(http, api, form(expires_at=str(now + 3600))).json()
    assert accepted["expires_at"] == now + 3600


def test_unknown_parameters_and_price_ids_are_refused(api: StripeApi, http: httpx.Client) -> None:
    refused(create(http, api, form(colour="red")), 400, "parameter_unknown", "colour")
    fields = form(**{"line_items[0][price]": "price_123"})
    refused(create(http, api, fields), 400, "resource_missing", "line_items[0][price]")


def test_urls_and_email_are_checked(api: StripeApi, http: httpx.Client) -> None:
    refused(create(http, api, form(success_url="thanks")), 400, "url_invalid", "success_url")
    response = create(http, api, form(customer_email="kim at example"))
    refused(response, 400, "email_invalid", "customer_email")
    assert create(http, api, form(customer_email="kim@example.com")).status_code == 200


def test_a_json_body_is_refused(api: StripeApi, http: httpx.Client) -> None:
    response = http.post(
        f"{api.base_url}/v1/checkout/sessions",
        json={"mode": "payment"},
        headers={"Authorization": f"Bearer {KEY}"},
    )
    assert response.status_code == 400
    assert "x-www-form-urlencoded" in response.json()["error"]["message"]


def test_same_idempotency_key_and_params_replay_the_first_answer(
    api: StripeApi, http: httpx.Client
) -> None:
    first = create(http, api, form(), key="order-A-1001")
    again = create(http, api, form(), key="order-A-1001")
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert len(api.sessions) == 1


def test_same_idempotency_key_with_other_params_is_an_idempotency_error(
    api: StripeApi, http: httpx.Client
) -> None:
    create(http, api, form(), key="order-A-1001")
    response = create(http, api, form(**{"line_items[0][quantity]": "3"}), key="order-A-1001")
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "idempotency_error"
    assert len(api.sessions) == 1


def test_a_refused_request_does_not_use_up_its_idempotency_key(
    api: StripeApi, http: httpx.Client
) -> None:
    assert create(http, api, form(mode=None), key="k1").status_code == 400
    assert create(http, api, form(), key="k1").status_code == 200


def test_retrieve_and_expire(api: StripeApi, http: httpx.Client) -> None:
    session_id = create(http, api, form()).json()["id"]
    auth = {"Authorization": f"Bearer {KEY}"}
    url = f"{api.base_url}/v1/checkout/sessions/{session_id}"
    assert http.get(url, headers=auth).json()["status"] == "open"
    expired = http.post(f"{url}/expire", headers=auth).json()
    assert (expired["status"], expired["url"]) == ("expired", None)
    again = http.post(f"{url}/expire", headers=auth)
    assert 'status of "expired"' in refused(again, 400, None, None)
    assert http.get(url, headers=auth).json()["status"] == "expired"


def test_unknown_sessions_and_urls_get_404(api: StripeApi, http: httpx.Client) -> None:
    auth = {"Authorization": f"Bearer {KEY}"}
    missing = http.get(f"{api.base_url}/v1/checkout/sessions/cs_test_nope", headers=auth)
    refused(missing, 404, "resource_missing", "session")
    expire = http.post(f"{api.base_url}/v1/checkout/sessions/cs_test_nope/expire", headers=auth)
    refused(expire, 404, "resource_missing", "session")
    other = http.get(f"{api.base_url}/v1/customers", headers=auth)
    assert "Unrecognized request URL" in refused(other, 404, None, None)


def test_a_session_past_expires_at_reads_as_expired(
    api: StripeApi, http: httpx.Client, clock: Clock
) -> None:
    session_id = create(http, api, form(expires_at=str(int(clock.now) + 1800))).json()["id"]
    clock.now += 1801
    assert api.session(session_id)["status"] == "expired"
    with pytest.raises(ValueError, match="expired"):
        api.pay(session_id)


def test_pay_completes_the_session_and_signs_the_event(
    api: StripeApi, http: httpx.Client, clock: Clock
) -> None:
    session_id = create(http, api, form()).json()["id"]
    body, headers = api.pay(session_id)
    verify_signature(body, headers["Stripe-Signature"], SECRET, now=clock.now)
    event = parse_event(body)
    assert event.type == "checkout.session.completed"
    assert event.session is not None
    assert (event.session.status, event.session.payment_status) == ("complete", "paid")
    assert event.session.client_reference_id == "A-1001"
    assert api.session(session_id)["payment_status"] == "paid"
    assert api.session(session_id)["url"] is None
    with pytest.raises(ValueError, match="complete"):
        api.pay(session_id)


def test_expire_now_sends_the_expired_event(api: StripeApi, http: httpx.Client) -> None:
    session_id = create(http, api, form()).json()["id"]
    body, _headers = api.expire_now(session_id)
    event = json.loads(body)
    assert event["type"] == "checkout.session.expired"
    assert event["data"]["object"]["status"] == "expired"
    assert api.session(session_id)["status"] == "expired"


def test_a_delayed_payment_settles_or_fails_after_completion(
    api: StripeApi, http: httpx.Client
) -> None:
    first = create(http, api, form()).json()["id"]
    second = create(http, api, form()).json()["id"]
    with pytest.raises(ValueError, match="open"):
        api.fail_async(first)
    completed = json.loads(api.pay(first, delayed=True)[0])
    assert completed["data"]["object"]["payment_status"] == "unpaid"
    failed = json.loads(api.fail_async(first)[0])
    assert failed["type"] == "checkout.session.async_payment_failed"
    assert api.session(first)["payment_status"] == "unpaid"
    api.pay(second, delayed=True)
    settled = json.loads(api.settle_async(second)[0])
    assert settled["type"] == "checkout.session.async_payment_succeeded"
    assert api.session(second)["payment_status"] == "paid"
    ids = [event["id"] for event in api.events]
    assert len(ids) == len(set(ids)) == 4


def test_signed_at_sets_the_signature_timestamp(api: StripeApi, http: httpx.Client) -> None:
    session_id = create(http, api, form()).json()["id"]
    _body, headers = api.pay(session_id, signed_at=1_000)
    assert headers["Stripe-Signature"].startswith("t=1000,v1=")


@contextmanager
def receiving(on_request: Callable[[FakeRequest], Reply]) -> Iterator[str]:
    """A webhook receiver on loopback: our server's stand-in."""
    server = HttpFakeServer(on_request=on_request)
    server.start()
    try:
        yield server.base_url
    finally:
        server.close()


def test_deliver_posts_the_same_event_as_often_as_asked(api: StripeApi, http: httpx.Client) -> None:
    received: list[FakeRequest] = []

    def receive(request: FakeRequest) -> Reply:
        received.append(request)
        return Reply(200)

    session_id = create(http, api, form()).json()["id"]
    body, headers = api.pay(session_id)
    with receiving(receive) as base_url:
        url = f"{base_url}/webhooks/stripe"
        assert api.deliver(url, body, headers) == 200
        assert api.deliver(url, body, headers) == 200
    assert [request.params["id"] for request in received] == [json.loads(body)["id"]] * 2
    assert received[0].headers["stripe-signature"] == headers["Stripe-Signature"]


def test_deliver_reports_the_receivers_status(api: StripeApi, http: httpx.Client) -> None:
    session_id = create(http, api, form()).json()["id"]
    body, headers = api.pay(session_id)
    with receiving(lambda _request: Reply(400)) as base_url:
        assert api.deliver(f"{base_url}/webhooks/stripe", body, headers) == 400


def test_deliver_refuses_addresses_off_this_machine(api: StripeApi) -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        api.deliver("https://example.com/webhooks/stripe", b"{}", {})


def test_fail_next_injects_failures_then_recovers(api: StripeApi, http: httpx.Client) -> None:
    api.fail_next(500, times=2)
    api.fail_next(429, retry_after=3)
    statuses = [create(http, api, form(), key="k").status_code for _ in range(3)]
    assert statuses == [500, 500, 429]
    assert [request.status for request in api.requests] == [500, 500, 429]
    assert api.sessions == []
    assert create(http, api, form(), key="k").status_code == 200
    assert len(api.sessions) == 1


def test_injected_failures_carry_stripes_shape(api: StripeApi, http: httpx.Client) -> None:
    api.fail_next(429, retry_after=3)
    api.fail_next(500)
    limited = create(http, api, form())
    assert limited.headers["Retry-After"] == "3"
    assert limited.json()["error"]["code"] == "rate_limit"
    assert create(http, api, form()).json()["error"]["type"] == "api_error"


def test_requests_are_logged_with_nested_params(api: StripeApi, http: httpx.Client) -> None:
    create(http, api, form(), key="k")
    create(http, api, form(mode=None))
    first, second = api.requests
    assert (first.method, first.path, first.status) == ("POST", "/v1/checkout/sessions", 200)
    assert first.idempotency_key == "k"
    assert first.params["line_items"][0]["price_data"]["product_data"]["name"] == "Runner Pro 42"
    assert second.status == 400


def test_stall_next_delays_one_answer(api: StripeApi, http: httpx.Client) -> None:
    api.stall_next(0.3)
    with pytest.raises(httpx.ReadTimeout):
        http.post(f"{api.base_url}/v1/checkout/sessions", data=form(), timeout=0.05)
    assert create(http, api, form()).status_code == 200


# -- the rules as functions --------------------------------------------------------------

_names = st.text(alphabet="abcdefghij_", min_size=1, max_size=5)
_values = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="[]"), max_size=8)
_trees = st.recursive(
    _values,
    lambda children: (
        st.dictionaries(_names, children, min_size=1, max_size=3)
        | st.lists(children, min_size=1, max_size=3)
    ),
    max_leaves=8,
)


def _encode(name: str, value: Any, out: dict[str, str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _encode(f"{name}[{key}]", inner, out)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _encode(f"{name}[{index}]", inner, out)
    else:
        out[name] = value


@given(st.dictionaries(_names, _trees, max_size=4))
def test_nest_reads_back_what_stripe_encoding_wrote(tree: dict[str, Any]) -> None:
    flat: dict[str, str] = {}
    for name, value in tree.items():
        _encode(name, value, flat)
    assert nest(flat) == tree


@given(
    st.dictionaries(
        st.sampled_from([*form(), "expires_at", "metadata[x]", "line_items", "locale"])
        | st.text(max_size=12),
        st.text(max_size=10) | st.sampled_from(["0", "1", "-5", "eur", "payment", ""]),
        max_size=12,
    )
)
def test_any_form_is_either_accepted_or_refused_like_stripe(fields: dict[str, str]) -> None:
    merged = form() | fields
    try:
        checkout = checkout_request(merged, 1_750_000_000.0)
    except StripeRefusal as refusal:
        assert refusal.status == 400
        assert refusal.body()["error"]["message"]
    else:
        assert checkout.amount_total >= 0
        assert checkout.success_url
