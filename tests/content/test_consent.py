"""The consent request: its limits, its JSON form, and what each channel shows of it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given

from tests.content.consent_strategies import SAMBA_OG, consents
from theke.channels import telegram, whatsapp
from theke.channels.messenger import render as messenger_render
from theke.content import (
    CAPABILITIES,
    Consent,
    Text,
    as_plain_text,
    capabilities_for,
    content_json_schema,
    degrade,
    dumps,
    from_json,
    loads,
    numbered_choices,
    to_json,
)
from theke.errors import ContentError

PUBLIC = "https://shop.example"
TEXT_CHANNELS = ("webchat", "telegram", "whatsapp", "console", "text")
LONG = "\n\n".join(f"Absatz {n}: Der Samba OG ist bald wieder da, versprochen." for n in range(99))


def _json(**changes: Any) -> dict[str, Any]:
    return to_json(SAMBA_OG) | changes


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ContentError) as caught:
        from_json(data)
    return str(caught.value)


# -- the model --------------------------------------------------------------------------


def test_the_json_form_names_the_type_and_leaves_out_what_is_unset() -> None:
    assert to_json(SAMBA_OG) == {
        "type": "consent",
        "text": SAMBA_OG.text,
        "title": "Bescheid, wenn der Samba OG wieder da ist",
        "topic": "back_in_stock",
        "image_url": "/catalog/img/samba-og.jpg",
    }
    plain = SAMBA_OG.model_copy(update={"image_url": None})
    assert "image_url" not in to_json(plain)
    assert from_json(to_json(plain)) == plain


@given(consents)
def test_every_consent_request_survives_its_json_form(consent: Consent) -> None:
    assert loads(dumps(consent)) == consent
    assert from_json(json.loads(json.dumps(to_json(consent)))) == consent


def test_the_longest_title_and_topic_are_taken() -> None:
    consent = from_json(_json(title="t" * 65, topic="a.b:c-d_" * 25))
    assert isinstance(consent, Consent)
    assert (len(consent.title), len(consent.topic)) == (65, 200)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"title": "t" * 66}, "at most 65 characters (got 66)"),
        ({"title": ""}, "consent.title"),
        ({"topic": ""}, "consent.topic"),
        ({"topic": "t" * 201}, "consent.topic"),
        ({"topic": "back in stock"}, "consent.topic"),
        ({"topic": "back_in_stock\n"}, "consent.topic"),
        ({"topic": "größe_42"}, "consent.topic"),
        ({"topic": "a/b"}, "consent.topic"),
        ({"topic": 42}, "consent.topic"),
        ({"text": ""}, "consent.text"),
        ({"text": "t" * 20_001}, "consent.text"),
        ({"image_url": "bild.jpg"}, "consent.image_url"),
        ({"image_url": "ftp://shop.example/a.jpg"}, "consent.image_url"),
        ({"frequency": "DAILY"}, "consent.frequency"),
    ],
)
def test_a_consent_request_outside_its_limits_is_refused_naming_the_field(
    changes: dict[str, Any], problem: str
) -> None:
    assert problem in _error(_json(**changes))


@pytest.mark.parametrize("field", ["text", "title", "topic"])
def test_text_title_and_topic_are_required(field: str) -> None:
    data = _json()
    del data[field]
    assert f"consent.{field}" in _error(data)


def test_the_schema_and_the_error_for_a_missing_type_know_consent_requests() -> None:
    schema = content_json_schema()
    assert schema["discriminator"]["mapping"]["consent"] == "#/$defs/Consent"
    definition = schema["$defs"]["Consent"]
    assert definition["required"] == ["type", "text", "title", "topic"]
    assert definition["properties"]["title"]["maxLength"] == 65
    assert definition["properties"]["topic"]["pattern"] == "^[A-Za-z0-9_.:-]+$"
    missing_type = _error({"text": "Bescheid sagen?", "title": "t", "topic": "x"})
    assert "missing 'type'" in missing_type and " consent," in missing_type


# -- what channels show -------------------------------------------------------------------


def test_only_messenger_asks_for_permission_with_a_button() -> None:
    asking = {name for name, caps in CAPABILITIES.items() if caps.consent_requests}
    assert asking == {"messenger"}
    assert not capabilities_for("carrier-pigeon").consent_requests


def test_messenger_keeps_the_request() -> None:
    assert degrade(SAMBA_OG, capabilities_for("messenger")) == [SAMBA_OG]


def test_a_long_text_goes_to_messenger_first_and_the_request_carries_its_end() -> None:
    consent = SAMBA_OG.model_copy(update={"text": LONG})
    caps = capabilities_for("messenger")
    *texts, request = degrade(consent, caps)
    assert texts and all(isinstance(part, Text) for part in texts)
    assert isinstance(request, Consent)
    assert (request.title, request.topic, request.image_url) == (
        SAMBA_OG.title,
        SAMBA_OG.topic,
        SAMBA_OG.image_url,
    )
    parts = [*(part.text for part in texts if isinstance(part, Text)), request.text]
    assert all(len(part) <= caps.text_max for part in parts)
    assert "\n\n".join(parts) == LONG


@pytest.mark.parametrize("channel", TEXT_CHANNELS)
def test_other_channels_get_the_text(channel: str) -> None:
    assert degrade(SAMBA_OG, capabilities_for(channel)) == [Text(text=SAMBA_OG.text)]


@pytest.mark.parametrize("channel", ["telegram", "whatsapp", "text"])
def test_a_long_text_is_split_like_any_text(channel: str) -> None:
    consent = SAMBA_OG.model_copy(update={"text": LONG})
    caps = capabilities_for(channel)
    parts = degrade(consent, caps)
    assert len(parts) > 1
    assert all(isinstance(part, Text) and len(part.text) <= caps.text_max for part in parts)
    assert "\n\n".join(part.text for part in parts if isinstance(part, Text)) == LONG


def test_plain_text_is_the_requests_text_and_it_offers_no_numbered_choices() -> None:
    assert as_plain_text(SAMBA_OG) == SAMBA_OG.text
    assert as_plain_text(SAMBA_OG, "en") == SAMBA_OG.text
    assert numbered_choices(SAMBA_OG) == {}


def test_telegram_and_whatsapp_send_only_the_text() -> None:
    calls = telegram.render(SAMBA_OG, 42, payload_id=str, public_url=PUBLIC)
    assert [(call.method, call.params) for call in calls] == [
        ("sendMessage", {"chat_id": 42, "text": SAMBA_OG.text})
    ]
    messages = whatsapp.render(SAMBA_OG, "4915112345678", payload_id=str, public_url=PUBLIC)
    assert messages == whatsapp.render(Text(text=SAMBA_OG.text), "4915112345678", payload_id=str)
    assert [message["text"]["body"] for message in messages] == [SAMBA_OG.text]


def _words(parts: list[str]) -> list[str]:
    return " ".join(parts).split()


@given(consents)
def test_any_consent_request_renders_for_every_channel(consent: Consent) -> None:
    psid = "7213841906215870"
    *texts, request = messenger_render(consent, psid, payload_id=str, public_url=PUBLIC)
    assert request["message"]["attachment"]["payload"]["payload"] == consent.topic
    assert _words([body["message"]["text"] for body in texts]) == consent.text.split()
    calls = telegram.render(consent, 42, payload_id=str, public_url=PUBLIC)
    assert _words([call.params["text"] for call in calls]) == consent.text.split()
    messages = whatsapp.render(consent, "4915112345678", payload_id=str, public_url=PUBLIC)
    assert _words([message["text"]["body"] for message in messages]) == consent.text.split()
    for channel in (*TEXT_CHANNELS, "messenger"):
        parts = degrade(consent, capabilities_for(channel))
        assert all(from_json(to_json(part)) == part for part in parts)
        shown = [part.text for part in parts if isinstance(part, Text | Consent)]
        assert len(shown) == len(parts)
        assert _words(shown) == consent.text.split()
