"""Content survives its JSON form unchanged, and bad JSON gets a readable error."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given

from theke.content import (
    Card,
    Content,
    Text,
    Typing,
    dumps,
    from_json,
    loads,
    to_json,
)
from theke.errors import ContentError

from .strategies import contents


@given(contents)
def test_every_content_round_trips_through_its_json_form(content: Content) -> None:
    assert from_json(to_json(content)) == content
    assert loads(dumps(content)) == content
    assert json.loads(dumps(content)) == to_json(content)


@given(contents)
def test_json_form_always_names_its_type_and_leaves_out_none(content: Content) -> None:
    data = to_json(content)
    assert data["type"] == content.type
    assert None not in data.values()


def test_json_form_of_a_card() -> None:
    assert to_json(Card(title="Nimbus 25", price="149,99 €")) == {
        "type": "card",
        "title": "Nimbus 25",
        "price": "149,99 €",
        "buttons": [],
    }


def test_dumps_is_compact_and_keeps_unicode_readable() -> None:
    assert dumps(Text(text="Grüße 👋")) == '{"type":"text","text":"Grüße 👋"}'
    assert dumps(Typing()) == '{"type":"typing","seconds":1.0}'


def test_loads_accepts_bytes() -> None:
    assert loads(b'{"type":"text","text":"Hallo"}') == Text(text="Hallo")


def _error(data: object) -> str:
    with pytest.raises(ContentError) as caught:
        from_json(data)
    return str(caught.value)


def test_error_names_the_field_the_limit_and_the_length() -> None:
    message = _error(
        {
            "type": "buttons",
            "text": "Wähle",
            "buttons": [{"type": "postback", "title": "x" * 81, "payload": "P"}],
        }
    )
    assert "buttons.buttons[0].postback.title" in message
    assert "at most 80 characters (got 81)" in message


def test_error_does_not_repeat_the_message_text() -> None:
    secret = "Meine IBAN ist DE02120300000000202051 " * 600
    message = _error({"type": "text", "text": secret})
    assert "DE02120300000000202051" not in message
    assert "at most 20000 characters (got 22800)" in message


def test_error_explains_a_missing_or_unknown_type() -> None:
    assert "missing 'type' (one of text, quick_replies" in _error({"text": "Hallo"})
    assert "'sticker'" in _error({"type": "sticker"})
    assert "'quick_replies'" in _error({"type": "sticker"})


def test_error_for_a_bad_address_says_what_is_expected() -> None:
    message = _error({"type": "media", "kind": "image", "url": "bild.jpg"})
    assert message == (
        "Invalid content. media.url: must be an http:// or https:// URL with a host, "
        "or a path on this server (/static/...)"
    )


def test_error_lists_several_problems_and_counts_the_rest() -> None:
    cards = [{"type": "card", "title": ""} for _ in range(7)]
    message = _error({"type": "carousel", "cards": cards})
    assert message.count("carousel.cards[") == 5
    assert re.search(r"; \.\.\. and [0-9]+ more$", message)


@pytest.mark.parametrize("data", [None, "text", 42, ["text"]])
def test_something_that_is_not_an_object_is_refused(data: object) -> None:
    assert "content:" in _error(data)


def test_loads_refuses_broken_json_with_a_content_error() -> None:
    with pytest.raises(ContentError, match="Invalid JSON"):
        loads('{"type": "text", "text": ')
    with pytest.raises(ValueError, match="at least 1 character"):
        loads('{"type": "text", "text": ""}')
