"""Each channel's limits are the ones its platform enforces."""

from __future__ import annotations

import dataclasses

import pytest

from theke.content import CAPABILITIES, TEXT_MAX, capabilities_for
from theke.errors import ContentError


def test_known_channels() -> None:
    assert set(CAPABILITIES) == {"webchat", "console", "text", "messenger", "whatsapp", "telegram"}
    assert all(name == caps.name for name, caps in CAPABILITIES.items())


def test_an_unknown_channel_gets_plain_text_only() -> None:
    caps = capabilities_for("carrier-pigeon")
    assert caps is CAPABILITIES["text"]
    assert caps.text_max == 1600
    assert not (caps.quick_replies or caps.buttons or caps.cards or caps.media or caps.typing)


def test_webchat_shows_everything() -> None:
    caps = capabilities_for("webchat")
    assert caps.text_max == TEXT_MAX
    assert caps.quick_replies and caps.buttons and caps.cards and caps.typing
    assert caps.media == {"image", "audio", "video", "file"}
    assert not caps.html_safe


def test_console_is_text_only_with_long_messages() -> None:
    caps = capabilities_for("console")
    assert caps.text_max == TEXT_MAX
    assert not (caps.quick_replies or caps.buttons or caps.cards or caps.media)


def test_messenger_limits() -> None:
    caps = capabilities_for("messenger")
    assert (caps.text_max, caps.quick_replies_max, caps.quick_reply_title_max) == (2000, 13, 20)
    assert (caps.buttons_max, caps.button_title_max, caps.widget_text_max) == (3, 20, 640)
    assert (caps.carousel_max, caps.card_title_max, caps.card_subtitle_max) == (10, 80, 80)
    assert caps.caption_max == 0


def test_whatsapp_has_reply_buttons_but_no_link_buttons_or_cards() -> None:
    caps = capabilities_for("whatsapp")
    assert (caps.text_max, caps.buttons_max, caps.button_title_max) == (4096, 3, 20)
    assert caps.button_kinds == {"postback"}
    assert not caps.cards
    assert caps.media == {"image", "audio", "video", "file"}


def test_telegram_has_link_buttons_but_no_call_buttons() -> None:
    caps = capabilities_for("telegram")
    assert (caps.text_max, caps.caption_max) == (4096, 1024)
    assert caps.button_kinds == {"postback", "url"}


def test_capabilities_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        CAPABILITIES["text"] = CAPABILITIES["webchat"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAPABILITIES["text"].text_max = 5  # type: ignore[misc]


def test_a_feature_without_room_is_refused() -> None:
    with pytest.raises(ContentError, match="'mini': buttons_max must be at least 1"):
        dataclasses.replace(CAPABILITIES["messenger"], name="mini", buttons_max=0)
