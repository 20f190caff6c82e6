"""The order confirmation: its limits, its JSON form, and what each channel shows of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from tests.content.receipt_strategies import NIMBUS_ORDER, receipts
from theke.channels import telegram, whatsapp
from theke.channels.messenger import render as messenger_render
from theke.content import (
    CAPABILITIES,
    CENTS_MAX,
    Receipt,
    Text,
    as_plain_text,
    capabilities_for,
    content_json_schema,
    degrade,
    dumps,
    from_json,
    loads,
    numbered_choices,
    receipt_fits,
    to_json,
)
from theke.errors import ContentError

PUBLIC = "https://shop.example"
TEXT_CHANNELS = ("webchat", "telegram", "whatsapp", "console", "text")


def _json(**changes: Any) -> dict[str, Any]:
    return to_json(NIMBUS_ORDER) | changes


def _item(**changes: Any) -> dict[str, Any]:
    return {"title": "Nimbus 25", "quantity": 1, "price_cents": 14999} | changes


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ContentError) as caught:
        from_json(data)
    return str(caught.value)


# -- the model --------------------------------------------------------------------------


def test_the_json_form_names_the_type_and_leaves_out_what_is_unset() -> None:
    data = to_json(NIMBUS_ORDER)
    assert data["type"] == "receipt"
    assert data["items"][1] == {"title": "Laufsocken", "quantity": 1, "price_cents": 1299}
    assert "state" not in data["address"] and "street_2" not in data["address"]
    assert from_json(data) == NIMBUS_ORDER


@given(receipts)
def test_every_receipt_survives_its_json_form(receipt: Receipt) -> None:
    assert loads(dumps(receipt)) == receipt
    assert from_json(json.loads(json.dumps(to_json(receipt)))) == receipt


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"currency": "eur"}, "receipt.currency"),
        ({"currency": "EURO"}, "receipt.currency"),
        ({"items": []}, "receipt.items"),
        ({"items": [_item()] * 101}, "receipt.items"),
        ({"items": [_item(quantity=0)]}, "receipt.items[0].quantity"),
        ({"items": [_item(quantity=1000)]}, "receipt.items[0].quantity"),
        ({"items": [_item(quantity=True)]}, "receipt.items[0].quantity"),
        ({"items": [_item(price_cents=-1)]}, "receipt.items[0].price_cents"),
        ({"items": [_item(price_cents=149.99)]}, "receipt.items[0].price_cents"),
        ({"items": [_item(title="t" * 81)]}, "at most 80 characters (got 81)"),
        ({"items": [_item(subtitle="s" * 81)]}, "receipt.items[0].subtitle"),
        ({"items": [_item(image_url="bild.jpg")]}, "receipt.items[0].image_url"),
        ({"order_number": "1" * 41}, "receipt.order_number"),
        ({"recipient_name": ""}, "receipt.recipient_name"),
        ({"payment_method": "p" * 101}, "receipt.payment_method"),
        ({"total_cents": -5}, "receipt.total_cents"),
        ({"tax_cents": CENTS_MAX + 1}, "receipt.tax_cents"),
        ({"text": ""}, "receipt.text"),
        (
            {"address": {"street_1": "A", "city": "B", "postal_code": "1", "country": "DEU"}},
            "country",
        ),
        ({"address": {"street_1": "A", "city": "B", "country": "DE"}}, "postal_code"),
        ({"adjustments": []}, "adjustments"),
    ],
)
def test_a_receipt_outside_its_limits_is_refused_naming_the_field(
    changes: dict[str, Any], problem: str
) -> None:
    assert problem in _error(_json(**changes))


def test_every_amount_is_required() -> None:
    data = _json()
    del data["shipping_cents"]
    assert "receipt.shipping_cents" in _error(data)


def test_a_line_whose_total_no_reader_can_hold_exactly_is_refused() -> None:
    line = _item(quantity=2, price_cents=CENTS_MAX // 2 + 1)
    assert "price times quantity" in _error(_json(items=[line]))
    assert from_json(_json(items=[_item(quantity=1, price_cents=CENTS_MAX)])).type == "receipt"


def test_the_schema_and_the_error_for_a_missing_type_know_receipts() -> None:
    schema = content_json_schema()
    assert schema["discriminator"]["mapping"]["receipt"] == "#/$defs/Receipt"
    assert schema["$defs"]["Receipt"]["required"][0] == "type"
    assert schema["$defs"]["ReceiptItem"]["properties"]["quantity"]["maximum"] == 999
    assert "receipt)" in _error({"recipient_name": "Jana"})


# -- what channels show -------------------------------------------------------------------


def test_only_messenger_shows_receipts() -> None:
    assert {name for name, caps in CAPABILITIES.items() if caps.receipts} == {"messenger"}
    assert not capabilities_for("carrier-pigeon").receipts


def test_messenger_keeps_the_receipt() -> None:
    assert degrade(NIMBUS_ORDER, capabilities_for("messenger")) == [NIMBUS_ORDER]


@pytest.mark.parametrize("channel", TEXT_CHANNELS)
def test_other_channels_get_the_receipts_text(channel: str) -> None:
    assert degrade(NIMBUS_ORDER, capabilities_for(channel)) == [Text(text=NIMBUS_ORDER.text)]


@pytest.mark.parametrize("channel", ["telegram", "whatsapp", "text"])
def test_a_long_receipt_text_is_split_like_any_text(channel: str) -> None:
    lines = [f"{n} × Laufsocken Größe {n}: 12,99 €" for n in range(1, 400)]
    receipt = NIMBUS_ORDER.model_copy(update={"text": "\n".join(lines)})
    caps = capabilities_for(channel)
    parts = degrade(receipt, caps)
    assert len(parts) > 1
    assert all(isinstance(part, Text) and len(part.text) <= caps.text_max for part in parts)
    assert "\n".join(part.text for part in parts if isinstance(part, Text)) == receipt.text


def test_a_receipt_with_a_blank_required_text_goes_to_messenger_as_its_text() -> None:
    nameless = NIMBUS_ORDER.model_copy(update={"recipient_name": "  "})
    assert not receipt_fits(nameless)
    assert degrade(nameless, capabilities_for("messenger")) == [Text(text=nameless.text)]
    address = NIMBUS_ORDER.address.model_copy(update={"street_1": "\n"})  # type: ignore[union-attr]
    assert not receipt_fits(NIMBUS_ORDER.model_copy(update={"address": address}))
    assert receipt_fits(NIMBUS_ORDER)


def test_plain_text_is_the_receipts_text_and_it_offers_no_choices() -> None:
    assert as_plain_text(NIMBUS_ORDER) == NIMBUS_ORDER.text
    assert as_plain_text(NIMBUS_ORDER, "en") == NIMBUS_ORDER.text
    assert numbered_choices(NIMBUS_ORDER) == {}


def test_telegram_and_whatsapp_send_the_text() -> None:
    calls = telegram.render(NIMBUS_ORDER, 42, payload_id=str, public_url=PUBLIC)
    assert [(call.method, call.params["text"]) for call in calls] == [
        ("sendMessage", NIMBUS_ORDER.text)
    ]
    messages = whatsapp.render(NIMBUS_ORDER, "4915112345678", payload_id=str, public_url=PUBLIC)
    assert [message["text"]["body"] for message in messages] == [NIMBUS_ORDER.text]


@given(receipts)
def test_any_receipt_renders_for_every_channel(receipt: Receipt) -> None:
    messenger = messenger_render(receipt, "7213841906215870", payload_id=str, public_url=PUBLIC)
    if receipt_fits(receipt):
        [body] = messenger
        assert body["message"]["attachment"]["payload"]["order_number"] == receipt.order_number
    calls = telegram.render(receipt, 42, payload_id=str, public_url=PUBLIC)
    messages = whatsapp.render(receipt, "4915112345678", payload_id=str, public_url=PUBLIC)
    shown = "".join(call.params["text"] for call in calls)
    assert shown == "".join(message["text"]["body"] for message in messages)
    assert set(shown) <= set(receipt.text)
    for channel in TEXT_CHANNELS:
        for part in degrade(receipt, capabilities_for(channel)):
            assert from_json(to_json(part)) == part
