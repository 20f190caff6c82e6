"""An order confirmation as Messenger's receipt template."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from tests.content.receipt_strategies import NIMBUS_ORDER, receipts
from theke.channels.messenger import render
from theke.channels.messenger.render import TEXT_MAX, Body
from theke.content import (
    CENTS_MAX,
    Content,
    Receipt,
    ReceiptAddress,
    ReceiptItem,
    capabilities_for,
    degrade,
    receipt_fits,
)
from theke.errors import ConfigurationError

PSID = "7213841906215870"


def _render(content: Content, public_url: str = "https://shop.example") -> list[Body]:
    return render(content, PSID, payload_id=str, public_url=public_url)


def _payload(receipt: Receipt) -> dict[str, Any]:
    [body] = _render(receipt)
    attachment = body["message"]["attachment"]
    assert attachment["type"] == "template"
    payload: dict[str, Any] = attachment["payload"]
    return payload


def _with(**changes: Any) -> Receipt:
    return NIMBUS_ORDER.model_copy(update=changes)


def test_an_order_becomes_one_receipt_template() -> None:
    assert _payload(NIMBUS_ORDER) == {
        "template_type": "receipt",
        "recipient_name": "Jana Beispiel",
        "order_number": "SN-10042",
        "currency": "EUR",
        "payment_method": "Kreditkarte (Stripe)",
        "order_url": "https://shop.example/bestellung/SN-10042",
        "address": {
            "street_1": "Lindenstraße 5",
            "city": "Berlin",
            "postal_code": "10969",
            "state": "Berlin",
            "country": "DE",
        },
        "summary": {
            "subtotal": 312.97,
            "shipping_cost": 4.95,
            "total_tax": 50.76,
            "total_cost": 317.92,
        },
        "elements": [
            {
                "title": "Nimbus 25",
                "subtitle": "Größe 42, blau",
                "quantity": 2,
                "price": 299.98,
                "currency": "EUR",
                "image_url": "https://shop.example/catalog/img/nimbus25.jpg",
            },
            {"title": "Laufsocken", "quantity": 1, "price": 12.99, "currency": "EUR"},
        ],
    }


def test_amounts_are_written_as_decimal_numbers_of_the_currency() -> None:
    written = json.dumps(_payload(NIMBUS_ORDER)["summary"])
    assert written == (
        '{"subtotal": 312.97, "shipping_cost": 4.95, "total_tax": 50.76, "total_cost": 317.92}'
    )
    huge = _with(
        items=(ReceiptItem(title="Yacht", quantity=1, price_cents=CENTS_MAX),),
        total_cents=CENTS_MAX,
        shipping_cents=1,
    )
    payload = _payload(huge)
    assert json.dumps(payload["summary"]["total_cost"]) == "9999999999999.99"
    assert json.dumps(payload["elements"][0]["price"]) == "9999999999999.99"
    assert json.dumps(payload["summary"]["shipping_cost"]) == "0.01"


def test_an_items_price_is_for_its_whole_line() -> None:
    socks = ReceiptItem(title="Laufsocken", quantity=3, price_cents=1299)
    [element] = _payload(_with(items=(socks,)))["elements"]
    assert (element["quantity"], element["price"]) == (3, 38.97)


def test_the_order_carries_no_timestamp() -> None:
    assert "timestamp" not in _payload(NIMBUS_ORDER)


def test_an_address_keeps_its_state_and_second_line() -> None:
    address = ReceiptAddress(
        street_1="1 Hacker Way",
        street_2="Building 20",
        city="Menlo Park",
        postal_code="94025",
        state="CA",
        country="US",
    )
    shown = _payload(_with(address=address))["address"]
    assert (shown["state"], shown["street_2"]) == ("CA", "Building 20")


def test_blank_optional_texts_are_left_out() -> None:
    address = ReceiptAddress(
        street_1="Lindenstraße 5",
        street_2="  ",
        city="Berlin",
        postal_code="10969",
        state=" ",
        country="DE",
    )
    item = ReceiptItem(title="Nimbus 25", subtitle=" ", quantity=1, price_cents=14999)
    payload = _payload(_with(address=address, items=(item,)))
    assert "street_2" not in payload["address"] and payload["address"]["state"] == "Berlin"
    assert "subtitle" not in payload["elements"][0]


def test_an_order_without_address_or_link_leaves_them_out() -> None:
    payload = _payload(_with(address=None, order_url=None))
    assert not {"address", "order_url"} & payload.keys()


def test_a_receipt_meta_would_refuse_is_sent_as_its_text() -> None:
    blank_title = ReceiptItem(title=" ", quantity=1, price_cents=100)
    for receipt in (_with(order_number=" "), _with(items=(blank_title,))):
        assert [body["message"] for body in _render(receipt)] == [{"text": NIMBUS_ORDER.text}]


def test_a_long_text_of_a_refused_receipt_is_split() -> None:
    text = "\n".join(f"{n} × Laufsocken: 12,99 €" for n in range(1, 300))
    bodies = _render(_with(payment_method="\t", text=text))
    assert len(bodies) > 1
    assert all(len(body["message"]["text"]) <= TEXT_MAX for body in bodies)


def test_a_picture_on_this_server_needs_the_public_address() -> None:
    with pytest.raises(ConfigurationError, match="THEKE_PUBLIC_URL"):
        _render(NIMBUS_ORDER, public_url="")


@given(receipts)
def test_a_receipt_degraded_for_messenger_renders_as_it_would_directly(receipt: Receipt) -> None:
    direct = _render(receipt)
    degraded = [
        body for part in degrade(receipt, capabilities_for("messenger")) for body in _render(part)
    ]
    assert degraded == direct
    templates = [body for body in direct if "attachment" in body["message"]]
    assert len(templates) == (1 if receipt_fits(receipt) else 0)
