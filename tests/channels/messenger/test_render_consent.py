"""A consent request on Messenger: its text, then the Marketing Messages opt-in request."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given

from tests.content.consent_strategies import SAMBA_OG, consents
from theke.channels.messenger import render
from theke.channels.messenger.render import TEXT_MAX, Body
from theke.content import Consent, Content, capabilities_for, degrade
from theke.errors import ConfigurationError

PSID = "7213841906215870"
LONG = "\n\n".join(f"Absatz {n}: Der Samba OG ist bald wieder da, versprochen." for n in range(99))


def _render(content: Content, public_url: str = "https://shop.example") -> list[Body]:
    return render(content, PSID, payload_id=str, public_url=public_url)


def _request(bodies: list[Body]) -> dict[str, Any]:
    attachment = bodies[-1]["message"]["attachment"]
    assert attachment["type"] == "template"
    payload: dict[str, Any] = attachment["payload"]
    return payload


def _with(**changes: Any) -> Consent:
    return SAMBA_OG.model_copy(update=changes)


def test_the_text_comes_first_then_the_opt_in_request() -> None:
    first, second = _render(SAMBA_OG)
    assert first == {"message": {"text": SAMBA_OG.text}}
    assert second == {
        "message": {
            "attachment": {
                "type": "template",
                "payload": {
                    "template_type": "notification_messages",
                    "title": "Bescheid, wenn der Samba OG wieder da ist",
                    "payload": "back_in_stock",
                    "notification_messages_cta_text": "GET_UPDATES",
                    "image_url": "https://shop.example/catalog/img/samba-og.jpg",
                },
            }
        }
    }


def test_the_request_asks_for_no_frequency_and_no_timezone() -> None:
    payload = _request(_render(SAMBA_OG))
    assert (
        not {
            "notification_messages_frequency",
            "notification_messages_timezone",
            "notification_messages_reoptin",
        }
        & payload.keys()
    )


def test_a_request_without_picture_has_none() -> None:
    assert "image_url" not in _request(_render(_with(image_url=None)))


def test_a_picture_on_another_server_is_kept_as_it_is() -> None:
    picture = "https://cdn.example/samba.jpg"
    assert _request(_render(_with(image_url=picture)))["image_url"] == picture


def test_a_picture_on_this_server_needs_the_public_address() -> None:
    with pytest.raises(ConfigurationError, match="THEKE_PUBLIC_URL"):
        _render(SAMBA_OG, public_url="")
    assert len(_render(_with(image_url=None), public_url="")) == 2


def test_a_long_text_becomes_several_messages_before_the_request() -> None:
    bodies = _render(_with(text=LONG))
    *texts, _ = bodies
    assert len(texts) > 1
    assert all(len(body["message"]["text"]) <= TEXT_MAX for body in texts)
    assert "\n\n".join(body["message"]["text"] for body in texts) == LONG
    assert _request(bodies)["payload"] == "back_in_stock"


def test_a_blank_text_gives_only_the_request() -> None:
    [body] = _render(_with(text="  \n "))
    assert body["message"]["attachment"]["payload"]["template_type"] == "notification_messages"


def test_a_blank_title_is_left_out_so_messenger_shows_its_own() -> None:
    payload = _request(_render(_with(title="   ")))
    assert "title" not in payload
    assert payload["payload"] == "back_in_stock"


def test_the_longest_title_is_sent_whole() -> None:
    title = "Sag mir Bescheid, sobald der Samba OG in Größe 42 wieder da ist!!"
    assert len(title) == 65
    assert _request(_render(_with(title=title)))["title"] == title


@given(consents)
def test_a_request_degraded_for_messenger_renders_as_it_would_directly(consent: Consent) -> None:
    direct = _render(consent)
    degraded = [
        body for part in degrade(consent, capabilities_for("messenger")) for body in _render(part)
    ]
    assert degraded == direct
    templates = [body for body in direct if "attachment" in body["message"]]
    assert templates == direct[-1:]
    assert _request(direct)["payload"] == consent.topic
