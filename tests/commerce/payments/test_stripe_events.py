"""Stripe webhook signatures and events: what is accepted, what is refused and why."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.commerce.payments.errors import PaymentError
from theke.commerce.payments.stripe_events import (
    SignatureError,
    parse_event,
    sign,
    verify_signature,
)

SECRET = "whsec_theke"
NOW = 1_750_000_000
BODY = b'{\n  "id": "evt_1",\n  "type": "checkout.session.completed"\n}'


def reason(payload: bytes, header: str | None, *, now: float = NOW, secret: str = SECRET) -> str:
    with pytest.raises(SignatureError) as caught:
        verify_signature(payload, header, secret, now=now)
    assert caught.value.code == "invalid_signature"
    assert caught.value.retryable is False
    return caught.value.reason


def session(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": "cs_test_a1",
        "object": "checkout.session",
        "amount_total": 18498,
        "currency": "eur",
        "client_reference_id": "A-1001",
        "metadata": {"order": "A-1001"},
        "payment_status": "paid",
        "status": "complete",
        "url": None,
        "expires_at": NOW + 3600,
        "customer_email": "kim@example.com",
    }
    fields.update(overrides)
    return fields


def event(kind: str = "checkout.session.completed", obj: Any = None, **overrides: Any) -> bytes:
    body = {
        "id": "evt_1PqR",
        "object": "event",
        "created": NOW,
        "type": kind,
        "data": {"object": session() if obj is None else obj},
    }
    body.update(overrides)
    return json.dumps(body).encode()


# -- signatures --------------------------------------------------------------------------


def test_a_signature_made_with_the_secret_is_accepted() -> None:
    verify_signature(BODY, sign(BODY, SECRET, NOW), SECRET, now=NOW)


def test_the_header_has_stripes_shape() -> None:
    header = sign(BODY, SECRET, NOW)
    timestamp, signature = header.split(",")
    assert timestamp == f"t={NOW}"
    assert signature.startswith("v1=")
    assert len(signature.removeprefix("v1=")) == 64


def test_a_signature_made_with_another_secret_is_a_mismatch() -> None:
    assert reason(BODY, sign(BODY, "whsec_other", NOW)) == "mismatch"


def test_a_changed_body_is_a_mismatch() -> None:
    header = sign(BODY, SECRET, NOW)
    assert reason(BODY.replace(b"evt_1", b"evt_2"), header) == "mismatch"
    assert reason(json.dumps(json.loads(BODY)).encode(), header) == "mismatch"


def test_a_changed_timestamp_is_a_mismatch() -> None:
    header = sign(BODY, SECRET, NOW).replace(f"t={NOW}", f"t={NOW + 1}")
    assert reason(BODY, header) == "mismatch"


def test_an_old_signature_is_stale_within_tolerance_it_is_not() -> None:
    header = sign(BODY, SECRET, NOW - 301)
    assert reason(BODY, header) == "stale"
    verify_signature(BODY, sign(BODY, SECRET, NOW - 299), SECRET, now=NOW)
    verify_signature(BODY, header, SECRET, now=NOW, tolerance=600)


def test_any_of_several_v1_signatures_may_match() -> None:
    good = sign(BODY, SECRET, NOW).split(",")[1]
    other = sign(BODY, "whsec_old", NOW).split(",")[1]
    header = f"t={NOW},{other},{good},v0=deadbeef"
    verify_signature(BODY, header, SECRET, now=NOW)
    assert reason(BODY, f"t={NOW},{other}") == "mismatch"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_header_is_missing(header: str | None) -> None:
    assert reason(BODY, header) == "missing"


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        f"v1={'0' * 64}",
        f"t=abc,v1={'0' * 64}",
        f"t=-5,v1={'0' * 64}",
        f"t=١٢٣,v1={'0' * 64}",
        f"t={NOW}",
        f"t={NOW},v0={'0' * 64}",
    ],
)
def test_a_header_without_timestamp_or_v1_is_malformed(header: str) -> None:
    assert reason(BODY, header) == "malformed"


@given(st.text(max_size=200))
def test_any_header_text_is_refused_only_with_a_signature_error(header: str) -> None:
    with pytest.raises(SignatureError) as caught:
        verify_signature(BODY, header, SECRET, now=NOW)
    assert caught.value.reason in {"missing", "malformed", "stale", "mismatch"}


@given(
    payload=st.binary(max_size=500),
    secret=st.text(min_size=1, max_size=40),
    timestamp=st.integers(min_value=0, max_value=10**11),
)
def test_sign_then_verify_round_trips(payload: bytes, secret: str, timestamp: int) -> None:
    verify_signature(payload, sign(payload, secret, timestamp), secret, now=timestamp)


# -- events ------------------------------------------------------------------------------


def test_a_completed_event_carries_the_session() -> None:
    parsed = parse_event(event())
    assert parsed.id == "evt_1PqR"
    assert parsed.type == "checkout.session.completed"
    assert parsed.created == datetime.fromtimestamp(NOW, UTC)
    assert parsed.session is not None
    assert parsed.session.id == "cs_test_a1"
    assert (parsed.session.status, parsed.session.payment_status) == ("complete", "paid")
    assert parsed.session.client_reference_id == "A-1001"
    assert dict(parsed.session.metadata) == {"order": "A-1001"}
    assert (parsed.session.amount_total, parsed.session.currency) == (18498, "eur")
    assert parsed.session.expires_at == datetime.fromtimestamp(NOW + 3600, UTC)


@pytest.mark.parametrize(
    "kind",
    [
        "checkout.session.async_payment_succeeded",
        "checkout.session.async_payment_failed",
        "checkout.session.expired",
    ],
)
def test_every_checkout_event_carries_the_session(kind: str) -> None:
    parsed = parse_event(event(kind, session(status="expired", payment_status="unpaid")))
    assert parsed.session is not None
    assert parsed.session.status == "expired"


def test_other_event_types_parse_without_a_session() -> None:
    parsed = parse_event(event("charge.refunded", {"id": "ch_1", "object": "charge"}))
    assert (parsed.type, parsed.session) == ("charge.refunded", None)


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not json",
        b"[]",
        b'\xff{"id": "evt_1"}',
        event(created=-1),
        event(created=10**20),
        event(id=""),
        event(obj={"id": "cs_test_a1"}),
        event(obj=session(object="charge")),
        event(obj=session(metadata={"order": 5})),
        event(obj=session(expires_at=10**20)),
        json.dumps({"id": "evt_1", "type": "x", "created": NOW}).encode(),
    ],
)
def test_a_body_that_is_not_a_stripe_event_is_malformed(payload: bytes) -> None:
    with pytest.raises(PaymentError) as caught:
        parse_event(payload)
    assert caught.value.code == "malformed_event"
    assert not isinstance(caught.value, SignatureError)


@given(st.binary(max_size=300))
def test_any_bytes_raise_nothing_but_payment_error(payload: bytes) -> None:
    try:
        parse_event(payload)
    except PaymentError as error:
        assert error.code == "malformed_event"


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    kind=st.sampled_from(["checkout.session.completed", "checkout.session.expired", "ping"]),
    created=st.integers() | st.text(max_size=5) | st.none(),
    obj=st.dictionaries(st.sampled_from(list(session())) | st.text(max_size=8), _json, max_size=12),
)
def test_any_event_shaped_json_raises_nothing_but_payment_error(
    kind: str, created: Any, obj: dict[str, Any]
) -> None:
    payload = json.dumps(
        {"id": "evt_1", "type": kind, "created": created, "data": {"object": obj}}
    ).encode()
    try:
        parsed = parse_event(payload)
    except PaymentError as error:
        assert error.code == "malformed_event"
    else:
        assert parsed.id == "evt_1"
        assert (parsed.session is None) == (kind == "ping")
