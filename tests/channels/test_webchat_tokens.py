"""Visitor tokens and cursors: only what the server gave out is accepted."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.channels.webchat import BadRequest, TokenSigner
from theke.channels.webchat.service import decode_cursor, encode_cursor

SIGNER = TokenSigner("a test secret that is long enough")
customer_ids = st.binary(min_size=16, max_size=16).map(bytes.hex)


@given(customer_ids)
def test_a_token_names_its_customer(customer_id: str) -> None:
    assert SIGNER.check(SIGNER.make(customer_id)) == customer_id


@given(customer_ids)
def test_a_token_from_another_installation_is_refused(customer_id: str) -> None:
    other = TokenSigner("another installation's secret")
    assert SIGNER.check(other.make(customer_id)) is None


@given(st.text(max_size=300))
def test_arbitrary_text_is_never_a_token(text: str) -> None:
    assert SIGNER.check(text) is None


@given(customer_ids, st.data())
def test_changing_any_character_breaks_the_token(customer_id: str, data: st.DataObject) -> None:
    token = SIGNER.make(customer_id)
    index = data.draw(st.integers(min_value=0, max_value=len(token) - 1))
    replacement = data.draw(st.sampled_from("ABab019-_.").filter(lambda c: c != token[index]))
    assert SIGNER.check(token[:index] + replacement + token[index + 1 :]) is None


@given(st.integers(min_value=0, max_value=2**63 - 1))
def test_cursors_round_trip(message_id: int) -> None:
    assert decode_cursor(encode_cursor(message_id)) == message_id


@given(st.text(max_size=40))
def test_arbitrary_cursors_are_refused_cleanly(cursor: str) -> None:
    try:
        decoded = decode_cursor(cursor)
    except BadRequest:
        return
    assert decoded >= 0


def test_no_cursor_means_the_start() -> None:
    assert decode_cursor(None) == 0
    with pytest.raises(BadRequest):
        decode_cursor("bm90IGEgY3Vyc29y")


def test_digits_that_are_not_ascii_are_refused() -> None:
    import base64

    forged = base64.urlsafe_b64encode("m²".encode()).decode().rstrip("=")
    with pytest.raises(BadRequest):
        decode_cursor(forged)
