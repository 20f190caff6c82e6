"""Parsing Telegram webhook updates into inbound events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.channels.base import InboundEvent
from theke.channels.telegram import TelegramUpdateError, parse_update

_UPDATES = Path(__file__).parent / "updates"
_NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
BOT_ID = 5555


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((_UPDATES / f"{name}.json").read_text())
    return data


def _parse(update: dict[str, Any] | str) -> list[InboundEvent]:
    body = update if isinstance(update, str) else json.dumps(update)
    return parse_update(body.encode(), bot_id=BOT_ID, received_at=_NOW)


def _message(**fields: Any) -> dict[str, Any]:
    message = {
        "message_id": 7,
        "date": 1441645532,
        "chat": {"id": 1111111, "type": "private"},
        "from": {"id": 1111111, "is_bot": False, "first_name": "Anna"},
    }
    return {"update_id": 20000, "message": message | fields}


def test_a_text_message_becomes_a_message_event() -> None:
    [event] = _parse(_example("message"))
    assert event == InboundEvent(
        channel="telegram",
        event_id="update:10000",
        sender="1111111",
        kind="message",
        received_at=_NOW,
        text="/start",
        extra={"language_code": "de"},
    )


def test_a_button_tap_carries_the_payload_and_the_buttons_label() -> None:
    [event] = _parse(_example("callback_query"))
    assert (event.kind, event.sender) == ("postback", "1111111")
    assert (event.postback, event.title) == ("SIZE:42", "42")
    query_id = _example("callback_query")["callback_query"]["id"]
    assert event.extra == {"language_code": "en", "callback_query_id": query_id}  # answered later


def test_a_shared_own_number_is_e164_and_verified() -> None:
    [event] = _parse(_example("contact"))
    assert event.extra == {"contact_phone": "+4917612345678", "contact_verified": True}


def test_someone_elses_number_is_not_verified() -> None:
    contact = {"phone_number": "+49 30 1234567", "first_name": "Bob", "user_id": 99}
    [event] = _parse(_message(contact=contact))
    assert event.extra == {"contact_phone": "+49301234567", "contact_verified": False}


def test_an_unreadable_number_is_kept_raw() -> None:
    [event] = _parse(_message(contact={"phone_number": "12", "first_name": "Bob"}))
    assert event.extra == {"contact_phone_raw": "12", "contact_verified": False}


def test_a_photo_brings_its_largest_size_and_caption_from_the_group_chat() -> None:
    [event] = _parse(_example("photo"))
    assert event.sender == "-100123"
    assert event.text == "Habt ihr den in Blau?"
    assert event.extra["attachments"] == [{"type": "image", "file_id": "AgAD-large"}]


@pytest.mark.parametrize(
    ("field", "value", "attachment"),
    [
        (
            "document",
            {"file_id": "D1", "file_name": "rechnung.pdf", "mime_type": "application/pdf"},
            {"type": "file", "file_id": "D1", "name": "rechnung.pdf", "mime": "application/pdf"},
        ),
        ("voice", {"file_id": "V1", "duration": 3}, {"type": "audio", "file_id": "V1"}),
        ("video", {"file_id": "M1", "duration": 9}, {"type": "video", "file_id": "M1"}),
        (
            "location",
            {"latitude": 52.52, "longitude": 13.405},
            {"type": "location", "latitude": 52.52, "longitude": 13.405},
        ),
    ],
)
def test_attachments_are_listed(field: str, value: Any, attachment: dict[str, Any]) -> None:
    [event] = _parse(_message(**{field: value}))
    assert event.kind == "message"
    assert event.text is None
    assert event.extra["attachments"] == [attachment]


def test_blocking_the_bot_is_recorded() -> None:
    [event] = _parse(_example("my_chat_member_kicked"))
    assert (event.sender, event.extra) == ("1111111", {"status": "blocked"})


def test_restarting_the_bot_is_recorded() -> None:
    update = _example("my_chat_member_kicked")
    update["my_chat_member"]["new_chat_member"]["status"] = "member"
    [event] = _parse(update)
    assert event.extra == {"status": "unblocked"}


@pytest.mark.parametrize(
    "update",
    [
        _example("edited_message"),
        {"update_id": 3, "poll": {"id": "1", "question": "?"}},
        _message(sticker={"file_id": "S1"}),
        _message(text="via", via_bot={"id": 77, "is_bot": True, "first_name": "gif"}),
        _message(text="echo", **{"from": {"id": BOT_ID, "is_bot": True, "first_name": "Me"}}),
    ],
    ids=["edited", "poll", "sticker", "via_bot", "own"],
)
def test_updates_theke_does_not_act_on_give_no_event(update: dict[str, Any]) -> None:
    assert _parse(update) == []


def test_a_callback_from_a_channel_is_ignored() -> None:
    update = _example("callback_query")
    update["callback_query"]["message"]["chat"] = {"id": -1001, "type": "channel"}
    assert _parse(update) == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"message": {"text": "hi"}}', "update_id"),
        ('{"update_id": 1, "message": {"message_id": 1}}', "chat"),
    ],
)
def test_a_body_that_is_no_update_is_refused_clearly(body: str, problem: str) -> None:
    with pytest.raises(TelegramUpdateError, match=problem):
        _parse(body)


def test_deeply_nested_json_is_refused_not_crashing() -> None:
    with pytest.raises(TelegramUpdateError):
        parse_update(b"[" * 100_000 + b"]" * 100_000)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(body: bytes) -> None:
    try:
        parse_update(body)
    except TelegramUpdateError:
        pass


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_keys = st.sampled_from(["update_id", "message", "callback_query", "my_chat_member", "chat"])
_updates = st.dictionaries(_keys, _json, max_size=4) | st.builds(
    lambda extra, msg: _message(**msg) | extra,
    st.dictionaries(_keys, _json, max_size=2),
    st.dictionaries(
        st.sampled_from(["text", "contact", "photo", "from", "chat", "location", "via_bot"]),
        _json,
        max_size=3,
    ),
)


@given(_updates)
def test_arbitrary_json_never_raises_anything_else(update: dict[str, Any]) -> None:
    try:
        events = parse_update(json.dumps(update).encode())
    except TelegramUpdateError:
        return
    assert all(event.event_id.startswith("update:") for event in events)
