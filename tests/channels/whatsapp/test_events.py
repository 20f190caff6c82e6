"""Parsing WhatsApp Cloud API webhook deliveries into inbound events.

The bodies follow Meta's "messages" webhook reference: one delivery, entries per
business account, changes per phone number, several messages and statuses each.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.channels.base import InboundEvent
from theke.channels.whatsapp import WhatsAppWebhookError, parse_delivery

_NOW = datetime(2025, 2, 12, 9, 30, tzinfo=UTC)
PHONE_ID = "106540352242922"
OTHER_PHONE_ID = "106540352249999"
ANNA = "4917612345678"
BEN = "436641234567"
OUR_MESSAGE = "wamid.HBgNNDkxNzYxMjM0NTY3OBUCABEYEjA0QjA0RTE4RjM0QjFCMEE1QQA="
_ANNA_EXTRA = {"profile_name": "Anna", "contact_phone": "+4917612345678", "contact_verified": True}


def _delivery(*changes: dict[str, Any]) -> dict[str, Any]:
    entry = {"id": "102290129340398", "changes": list(changes)}
    return {"object": "whatsapp_business_account", "entry": [entry]}


def _change(
    *,
    messages: list[Any] | None = None,
    statuses: list[Any] | None = None,
    contacts: list[Any] | None = None,
    phone_number_id: str = PHONE_ID,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": phone_number_id},
    }
    if messages is not None:
        value["contacts"] = contacts or [{"profile": {"name": "Anna"}, "wa_id": ANNA}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {"value": value, "field": "messages"}


def _message(kind: str, wamid: str = "wamid.A1", sender: str = ANNA, **fields: Any) -> Any:
    return {"from": sender, "id": wamid, "timestamp": "1739321024", "type": kind, **fields}


def _status(status: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": OUR_MESSAGE,
        "status": status,
        "timestamp": "1739321100",
        "recipient_id": ANNA,
        **fields,
    }


def _parse(delivery: dict[str, Any] | str, **options: Any) -> list[InboundEvent]:
    body = delivery if isinstance(delivery, str) else json.dumps(delivery)
    options.setdefault("phone_number_id", PHONE_ID)
    return parse_delivery(body.encode(), received_at=_NOW, **options)


def _one(message: dict[str, Any]) -> InboundEvent:
    [event] = _parse(_delivery(_change(messages=[message])))
    return event


def test_a_text_message_carries_the_customers_name_and_confirmed_number() -> None:
    event = _one(_message("text", text={"body": "Habt ihr den Aero in 42?"}))
    assert event == InboundEvent(
        channel="whatsapp",
        event_id="wamid.A1",
        sender=ANNA,
        kind="message",
        received_at=_NOW,
        text="Habt ihr den Aero in 42?",
        extra=_ANNA_EXTRA,
    )


def test_the_receipt_time_is_ours_and_defaults_to_now() -> None:
    body = json.dumps(_delivery(_change(messages=[_message("text", text={"body": "Hi"})])))
    before = datetime.now(UTC)
    [event] = parse_delivery(body.encode())
    assert before <= event.received_at <= datetime.now(UTC)


def test_a_batched_delivery_gives_every_message_and_status_in_order() -> None:
    anna_first = _message("text", "wamid.A1", text={"body": "Hallo"})
    ben = _message("text", "wamid.B1", BEN, text={"body": "Servus"})
    anna_second = _message("text", "wamid.A2", text={"body": "Noch da?"})
    contacts = [
        {"profile": {"name": "Anna"}, "wa_id": ANNA},
        {"profile": {"name": "Ben"}, "wa_id": BEN},
    ]
    first = _change(messages=[anna_first, ben], contacts=contacts)
    second = _change(messages=[anna_second], statuses=[_status("delivered"), _status("read")])
    delivery = _delivery(first)
    delivery["entry"].append({"id": "102290129340398", "changes": [second]})
    events = _parse(delivery)
    assert [(e.event_id, e.sender, e.kind) for e in events] == [
        ("wamid.A1", ANNA, "message"),
        ("wamid.B1", BEN, "message"),
        ("wamid.A2", ANNA, "message"),
        (f"status:{OUR_MESSAGE}:delivered", ANNA, "status"),
        (f"status:{OUR_MESSAGE}:read", ANNA, "status"),
    ]
    assert events[1].extra["profile_name"] == "Ben"
    assert events[1].extra["contact_phone"] == "+436641234567"


@pytest.mark.parametrize(
    ("message", "postback", "title"),
    [
        (
            _message(
                "interactive",
                interactive={
                    "type": "button_reply",
                    "button_reply": {"id": "SIZE:42", "title": "42"},
                },
            ),
            "SIZE:42",
            "42",
        ),
        (
            _message(
                "interactive",
                interactive={
                    "type": "list_reply",
                    "list_reply": {
                        "id": "SHIP:express",
                        "title": "Expressversand",
                        "description": "Morgen da",
                    },
                },
            ),
            "SHIP:express",
            "Expressversand",
        ),
        (
            _message("button", button={"payload": "STOP_PROMOS", "text": "Keine Angebote"}),
            "STOP_PROMOS",
            "Keine Angebote",
        ),
    ],
    ids=["reply_button", "list_row", "template_button"],
)
def test_a_tapped_button_is_a_postback(message: dict[str, Any], postback: str, title: str) -> None:
    message["context"] = {"from": "15550783881", "id": OUR_MESSAGE}
    event = _one(message)
    assert (event.kind, event.postback, event.title, event.text) == (
        "postback",
        postback,
        title,
        None,
    )
    assert event.extra == _ANNA_EXTRA | {"reply_to": OUR_MESSAGE}


_IMAGE = {"id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "HgarS9u0Gx"}


@pytest.mark.parametrize(
    ("kind", "media", "text", "attachment"),
    [
        (
            "image",
            _IMAGE | {"caption": "Den in Blau?"},
            "Den in Blau?",
            {"type": "image", "media_id": "1479537139650973", "mime_type": "image/jpeg"}
            | {"sha256": "HgarS9u0Gx"},
        ),
        (
            "audio",
            {"id": "A7", "mime_type": "audio/ogg; codecs=opus", "sha256": "s", "voice": True},
            None,
            {"type": "audio", "media_id": "A7", "mime_type": "audio/ogg; codecs=opus"}
            | {"sha256": "s", "voice": True},
        ),
        (
            "video",
            {"id": "V9", "mime_type": "video/mp4"},
            None,
            {"type": "video", "media_id": "V9", "mime_type": "video/mp4"},
        ),
        (
            "document",
            {"id": "D3", "mime_type": "application/pdf", "filename": "Rechnung-1042.pdf"},
            None,
            {"type": "file", "media_id": "D3", "mime_type": "application/pdf"}
            | {"filename": "Rechnung-1042.pdf"},
        ),
        (
            "sticker",
            {"id": "S5", "mime_type": "image/webp", "animated": False},
            None,
            {"type": "image", "media_id": "S5", "mime_type": "image/webp", "sticker": True},
        ),
    ],
)
def test_media_is_an_attachment_fetched_later_by_id(
    kind: str, media: dict[str, Any], text: str | None, attachment: dict[str, Any]
) -> None:
    event = _one(_message(kind) | {kind: media})
    assert (event.kind, event.text) == ("message", text)
    assert event.extra == _ANNA_EXTRA | {"attachments": [attachment]}


def test_a_shared_location_is_a_location_attachment() -> None:
    place = {"latitude": 52.52, "longitude": 13.405, "name": "Filiale Mitte", "address": "Berlin"}
    event = _one(_message("location", location=place))
    assert event.extra["attachments"] == [{"type": "location", **place}]


def test_a_shared_contact_card_is_never_taken_as_the_customers_own_number() -> None:
    card = {
        "name": {"formatted_name": "Oma Erna", "first_name": "Erna"},
        "phones": [
            {"phone": "+49 30 1234567", "type": "HOME"},
            {"phone": "+49 170 7654321", "wa_id": "491707654321", "type": "CELL"},
        ],
    }
    event = _one(_message("contacts", contacts=[card]))
    assert event.kind == "message"
    assert event.extra["shared_contacts"] == [
        {"name": "Oma Erna", "phones": ["+49301234567", "+491707654321"]}
    ]
    assert event.extra["contact_phone"] == "+4917612345678"  # still the sender's own


def test_a_reaction_gives_no_event() -> None:
    reaction = _message("reaction", reaction={"message_id": OUR_MESSAGE, "emoji": "👍"})
    assert _parse(_delivery(_change(messages=[reaction]))) == []


def test_the_first_message_after_an_ad_names_the_ad() -> None:
    referral = {
        "source_url": "https://fb.me/3cr4Wqqkv",
        "source_id": "120226305854810726",
        "source_type": "ad",
        "body": "Leicht und schnell",
        "headline": "Laufschuh Aero",
        "media_type": "image",
        "image_url": "https://scontent.xx.fbcdn.net/aero.jpg",
        "ctwa_clid": "Aff-n8ZTODiE79d22KtAwQKj9e",
    }
    event = _one(_message("text", text={"body": "Ist der noch da?"}, referral=referral))
    assert event.extra["referral"] == {
        "source": "ADS",
        "type": "ad",
        "ad_id": "120226305854810726",
        "source_url": "https://fb.me/3cr4Wqqkv",
        "ctwa_clid": "Aff-n8ZTODiE79d22KtAwQKj9e",
        "headline": "Laufschuh Aero",
    }


def test_a_question_about_a_catalog_product_names_it() -> None:
    context = {
        "from": "15550783881",
        "id": OUR_MESSAGE,
        "referred_product": {"catalog_id": "2542", "product_retailer_id": "aero-42"},
    }
    event = _one(_message("text", text={"body": "Gibt es den in 43?"}, context=context))
    assert event.extra["referred_product"] == {
        "catalog_id": "2542",
        "product_retailer_id": "aero-42",
    }
    assert event.extra["reply_to"] == OUR_MESSAGE


def test_a_forwarded_message_has_no_reply_to() -> None:
    context = {"forwarded": True}
    event = _one(_message("text", text={"body": "Schau mal"}, context=context))
    assert "reply_to" not in event.extra


@pytest.mark.parametrize(
    "message",
    [
        _message(
            "unsupported",
            errors=[
                {
                    "code": 131051,
                    "title": "Message type unknown",
                    "message": "Message type unknown",
                    "error_data": {"details": "Message type is currently not supported."},
                }
            ],
            unsupported={"type": "poll_creation"},
        ),
        _message("unknown"),
        _message("interactive", interactive={"type": "nfm_reply", "nfm_reply": {}}),
    ],
    ids=["unsupported", "unknown", "flow_reply"],
)
def test_what_whatsapp_cannot_show_is_marked_unsupported(message: dict[str, Any]) -> None:
    event = _one(message)
    assert (event.kind, event.text, event.extra["unsupported"]) == ("message", None, True)
    assert event.extra["contact_verified"] is True
    if message["type"] == "unsupported":
        assert event.extra["errors"] == [{"code": 131051, "title": "Message type unknown"}]


def test_a_changed_number_is_a_status_with_the_new_id() -> None:
    system = {
        "body": "User Anna changed from 4917612345678 to 4917699999999",
        "wa_id": "4917699999999",
        "type": "user_changed_number",
    }
    delivery = _delivery(_change(messages=[_message("system", "wamid.S1", system=system)]))
    del delivery["entry"][0]["changes"][0]["value"]["contacts"]  # system messages have none
    [event] = _parse(delivery)
    assert (event.kind, event.sender, event.event_id) == ("status", ANNA, "wamid.S1")
    assert event.extra == {"status": "number_changed", "new_wa_id": "4917699999999"}


def test_a_cart_from_the_catalog_keeps_its_items() -> None:
    order = {
        "catalog_id": "2542",
        "text": "Bitte bis Freitag",
        "product_items": [
            {
                "product_retailer_id": "aero-42",
                "quantity": 1,
                "item_price": 89.99,
                "currency": "EUR",
            },
            {"product_retailer_id": "socks-3", "quantity": 2, "item_price": 9.5, "currency": "EUR"},
        ],
    }
    event = _one(_message("order", order=order))
    assert (event.kind, event.text) == ("message", "Bitte bis Freitag")
    assert event.extra["order"] == {
        "catalog_id": "2542",
        "product_items": order["product_items"],
    }


def test_our_messages_fate_is_a_status_per_step() -> None:
    sent = _status(
        "sent",
        conversation={"id": "a75d17ad06104c51", "origin": {"type": "service"}},
        pricing={"billable": True, "pricing_model": "PMP", "category": "service"},
    )
    [event] = _parse(_delivery(_change(statuses=[sent])))
    assert event == InboundEvent(
        channel="whatsapp",
        event_id=f"status:{OUR_MESSAGE}:sent",
        sender=ANNA,
        kind="status",
        received_at=_NOW,
        extra={"status": "sent", "message_id": OUR_MESSAGE, "errors": []},
    )


def test_a_failed_message_names_the_platforms_error_codes() -> None:
    error = {
        "code": "131047",
        "title": "Re-engagement message",
        "message": "Re-engagement message",
        "error_data": {"details": "Message failed to send because more than 24 hours..."},
        "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }
    [event] = _parse(_delivery(_change(statuses=[_status("failed", errors=[error])])))
    assert event.extra["errors"] == [{"code": 131047, "title": "Re-engagement message"}]


def test_statuses_theke_does_not_know_are_left_out() -> None:
    assert _parse(_delivery(_change(statuses=[_status("deleted"), _status("warning")]))) == []


def test_changes_for_another_of_the_business_numbers_are_skipped() -> None:
    ours = _change(messages=[_message("text", "wamid.OURS", text={"body": "Hallo"})])
    theirs = _change(
        messages=[_message("text", "wamid.THEIRS", text={"body": "Hallo"})],
        phone_number_id=OTHER_PHONE_ID,
    )
    delivery = _delivery(theirs, ours)
    assert [e.event_id for e in _parse(delivery)] == ["wamid.OURS"]
    everyone = _parse(delivery, phone_number_id=None)
    assert [e.event_id for e in everyone] == ["wamid.THEIRS", "wamid.OURS"]


def test_other_fields_and_webhook_level_errors_give_no_event() -> None:
    account = {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}
    errors = _change()
    errors["value"]["errors"] = [{"code": 131000, "title": "Something went wrong"}]
    assert _parse(_delivery(account, errors)) == []


def test_broken_items_are_skipped_and_the_good_ones_kept() -> None:
    messages = [
        _message("text", "wamid.GOOD1", text={"body": "eins"}),
        {"id": "wamid.NOFROM", "type": "text", "text": {"body": "?"}},
        _message("text", "wamid.NUMBER", text={"body": "?"}) | {"from": 4917612345678},
        _message("image", "wamid.NOIMAGE"),
        _message("location", "wamid.NAN", location={"latitude": "NaN", "longitude": 1}),
        "not a message",
        _message("text", "wamid.GOOD2", text={"body": "zwei"}, referral="broken"),
    ]
    statuses = [{"status": "read"}, _status("read")]
    contacts = [{"profile": "broken", "wa_id": ANNA}]
    change = _change(messages=messages, statuses=statuses, contacts=contacts)
    delivery = _delivery({"field": "messages", "value": "broken"}, change)
    delivery["entry"].insert(0, {"changes": "broken"})
    events = _parse(delivery)
    assert [(e.event_id, e.kind) for e in events] == [
        ("wamid.GOOD1", "message"),
        ("wamid.NOIMAGE", "message"),
        ("wamid.GOOD2", "message"),
        (f"status:{OUR_MESSAGE}:read", "status"),
    ]
    assert events[1].extra["unsupported"] is True
    assert "profile_name" not in events[0].extra
    assert "referral" not in events[2].extra


def test_an_id_that_is_no_phone_number_gives_no_contact_phone() -> None:
    event = _one(_message("text", sender="12", text={"body": "Hallo"}))
    assert "contact_phone" not in event.extra
    assert event.sender == "12"


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"object": "page", "entry": []}', "'page'"),
        ('{"entry": []}', "None"),
    ],
)
def test_a_body_that_is_no_whatsapp_delivery_is_refused_clearly(body: str, problem: str) -> None:
    with pytest.raises(WhatsAppWebhookError, match=problem):
        _parse(body)


def test_a_delivery_without_entries_gives_no_event() -> None:
    assert _parse('{"object": "whatsapp_business_account"}') == []


def test_deeply_nested_json_is_refused_not_crashing() -> None:
    with pytest.raises(WhatsAppWebhookError):
        parse_delivery(b"[" * 100_000 + b"]" * 100_000)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(body: bytes) -> None:
    try:
        parse_delivery(body)
    except WhatsAppWebhookError:
        pass


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(["", "NaN", "4917612345678", "wamid.X", "text", "image", "read"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)

_EVERY_KIND = _delivery(
    _change(
        messages=[
            _message("text", "wamid.T", text={"body": "Hallo"}, context={"id": OUR_MESSAGE}),
            _message("interactive", "wamid.I", interactive={"type": "button_reply"}),
            _message("button", "wamid.B", button={"payload": "P", "text": "T"}),
            _message("image", "wamid.M", image=_IMAGE, referral={"source_id": "1"}),
            _message("location", "wamid.L", location={"latitude": 1.5, "longitude": 2}),
            _message("contacts", "wamid.C", contacts=[{"phones": [{"phone": "+4930123"}]}]),
            _message("order", "wamid.O", order={"product_items": [{"product_retailer_id": "x"}]}),
            _message("system", "wamid.S", system={"type": "user_changed_number", "wa_id": "1"}),
            _message("unsupported", "wamid.U", errors=[{"code": 131051}]),
        ],
        statuses=[_status("failed", errors=[{"code": 131026, "title": "Undeliverable"}])],
    )
)


def _mutate(node: Any, data: st.DataObject, depth: int = 0) -> Any:
    """``node`` with parts replaced by arbitrary JSON or removed, drawn by hypothesis."""
    if depth > 0 and data.draw(st.integers(0, 9), label="replace") == 0:
        return data.draw(_json, label="replacement")
    if isinstance(node, dict):
        keys = [k for k in node if data.draw(st.integers(0, 19), label="drop") > 0]
        return {k: _mutate(node[k], data, depth + 1) for k in keys}
    if isinstance(node, list):
        return [_mutate(item, data, depth + 1) for item in node]
    return node


@given(st.data())
def test_mutated_deliveries_never_raise_anything_else(data: st.DataObject) -> None:
    delivery = _mutate(_EVERY_KIND, data)
    try:
        events = parse_delivery(json.dumps(delivery).encode(), phone_number_id=PHONE_ID)
    except WhatsAppWebhookError:
        return
    for event in events:
        assert event.channel == "whatsapp"
        assert event.sender
        json.dumps(event.to_payload(), allow_nan=False)  # storable as JSON


@given(st.dictionaries(st.sampled_from(["object", "entry", "changes", "value"]), _json))
def test_arbitrary_json_never_raises_anything_else(delivery: dict[str, Any]) -> None:
    delivery.setdefault("object", "whatsapp_business_account")
    try:
        parse_delivery(json.dumps(delivery).encode())
    except WhatsAppWebhookError:
        pass


def test_every_kind_in_one_delivery_is_read() -> None:
    events = _parse(_EVERY_KIND)
    assert [(e.event_id, e.kind) for e in events] == [
        ("wamid.T", "message"),
        ("wamid.I", "message"),  # a button reply without its button: unsupported
        ("wamid.B", "postback"),
        ("wamid.M", "message"),
        ("wamid.L", "message"),
        ("wamid.C", "message"),
        ("wamid.O", "message"),
        ("wamid.S", "status"),
        ("wamid.U", "message"),
        (f"status:{OUR_MESSAGE}:failed", "status"),
    ]
