"""Rendering content into Telegram Bot API calls."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.content.strategies import contents, texts
from theke.channels.telegram import ApiCall, render
from theke.channels.telegram.render import CAPTION_MAX, TEXT_MAX
from theke.content import (
    Buttons,
    CallButton,
    Card,
    Carousel,
    Content,
    Media,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Text,
    Typing,
    UrlButton,
)
from theke.errors import ConfigurationError

CHAT = 4242
_SPACE = re.compile(r"\s+")


def _stored(payload: str) -> str:
    return "p:" + format(abs(hash(payload)) % 10**12, "012d")


def _render(content: Content, **options: Any) -> list[ApiCall]:
    return render(content, CHAT, payload_id=_stored, public_url="https://shop.example", **options)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shown_text(calls: list[ApiCall]) -> str:
    pieces = [call.params.get("text") or call.params.get("caption") or "" for call in calls]
    return "".join(pieces)


def _keyboard(call: ApiCall) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = call.params["reply_markup"]["inline_keyboard"]
    return rows


def test_a_short_text_is_one_plain_message() -> None:
    calls = _render(Text(text="Hallo <b>Anna</b> *willkommen*"))
    assert calls == [
        ApiCall("sendMessage", {"chat_id": CHAT, "text": "Hallo <b>Anna</b> *willkommen*"})
    ]


def test_a_long_text_splits_at_paragraphs_and_keeps_every_word() -> None:
    paragraph = "Unsere Laufschuhe sind leicht. " * 60
    text = "\n\n".join([paragraph.strip()] * 4)
    calls = _render(Text(text=text))
    assert len(calls) > 1
    assert all(_units(call.params["text"]) <= TEXT_MAX for call in calls)
    assert all(call.params["text"].endswith("leicht.") for call in calls)
    assert _SPACE.sub("", _shown_text(calls)) == _SPACE.sub("", text)


def test_emoji_count_twice_towards_the_limit() -> None:
    text = "🏃" * 3000  # 3,000 characters, 6,000 UTF-16 units
    calls = _render(Text(text=text))
    assert [len(call.params["text"]) for call in calls] == [2048, 952]


def test_a_blank_text_sends_nothing() -> None:
    assert _render(Text(text=" \n ")) == []


def test_quick_replies_become_an_inline_keyboard_of_short_rows() -> None:
    replies = tuple(QuickReply(title=t, payload=t.upper()) for t in ["Ja", "Nein", "Vielleicht"])
    [call] = _render(QuickReplies(text="Passt die Größe?", replies=replies))
    assert call.params["text"] == "Passt die Größe?"
    assert _keyboard(call) == [
        [
            {"text": "Ja", "callback_data": "JA"},
            {"text": "Nein", "callback_data": "NEIN"},
            {"text": "Vielleicht", "callback_data": "VIELLEICHT"},
        ]
    ]


def test_long_titles_get_a_row_each() -> None:
    titles = ["Ich möchte mit einem Menschen sprechen", "Zurück zum Anfang des Gesprächs"]
    replies = tuple(QuickReply(title=t, payload=str(n)) for n, t in enumerate(titles))
    [call] = _render(QuickReplies(text="Wie weiter?", replies=replies))
    assert [len(row) for row in _keyboard(call)] == [1, 1]


def test_a_payload_over_64_bytes_is_sent_as_its_stored_id() -> None:
    long_payload = "ORDER_SIZE{'sku': 'LAUF-42', 'größe': 42, 'farbe': 'blau'}" + "x" * 10
    replies = (QuickReply(title="42", payload=long_payload), QuickReply(title="43", payload="43"))
    [call] = _render(QuickReplies(text="Größe?", replies=replies))
    data = [button["callback_data"] for row in _keyboard(call) for button in row]
    assert data == [_stored(long_payload), "43"]
    assert all(len(d.encode()) <= 64 for d in data)


def test_the_keyboard_goes_under_the_last_part_of_a_long_question() -> None:
    question = ("Wir haben viele Modelle. " * 400).strip()
    calls = _render(QuickReplies(text=question, replies=(QuickReply(title="OK", payload="ok"),)))
    assert len(calls) > 1
    assert "reply_markup" in calls[-1].params
    assert not any("reply_markup" in call.params for call in calls[:-1])


def test_buttons_link_relative_pages_and_turn_calls_into_a_line() -> None:
    content = Buttons(
        text="Wie können wir helfen?",
        buttons=(
            UrlButton(title="Größentabelle", url="/catalog/sizes"),
            CallButton(title="Anrufen", phone="+49 30 1234567"),
            PostbackButton(title="Beraten", payload="ADVICE"),
        ),
    )
    [call] = _render(content)
    assert call.params["text"] == "Wie können wir helfen?\n\n📞 Anrufen: +49301234567"
    assert _keyboard(call) == [
        [
            {"text": "Größentabelle", "url": "https://shop.example/catalog/sizes"},
            {"text": "Beraten", "callback_data": "ADVICE"},
        ]
    ]


def test_only_call_buttons_give_a_text_without_keyboard() -> None:
    content = Buttons(
        text="Ruf uns an", buttons=(CallButton(title="Hotline", phone="+4930123456"),)
    )
    [call] = _render(content)
    assert "reply_markup" not in call.params
    assert "+4930123456" in call.params["text"]


def test_a_card_with_a_picture_is_a_photo_with_caption_and_buttons() -> None:
    card = Card(
        title="Laufschuh Aero",
        subtitle="Leicht und schnell",
        price="89,99 €",
        image_url="/catalog/images/aero.png",
        buttons=(PostbackButton(title="In den Warenkorb", payload="CART:aero"),),
    )
    [call] = _render(card)
    assert call.method == "sendPhoto"
    assert call.params["photo"] == "https://shop.example/catalog/images/aero.png"
    assert call.params["caption"] == "Laufschuh Aero\nLeicht und schnell\n89,99 €"
    assert _keyboard(call) == [[{"text": "In den Warenkorb", "callback_data": "CART:aero"}]]


def test_a_long_caption_overflows_into_a_message() -> None:
    page = "https://shop.example/laufschuhe/aero-" + "x" * 80
    card = Card(title="🏃" * 80, subtitle="😀" * 400, price="89,99 €", url=page, image_url="/a.png")
    calls = _render(card)
    assert [call.method for call in calls] == ["sendPhoto", "sendMessage"]
    assert calls[0].params["caption"] == "\n".join(["🏃" * 80, "😀" * 400, "89,99 €"])
    assert calls[1].params["text"] == page


def test_a_card_without_picture_is_a_text_message() -> None:
    [call] = _render(Card(title="Gutschein", url="https://shop.example/gift"))
    assert call == ApiCall(
        "sendMessage", {"chat_id": CHAT, "text": "Gutschein\nhttps://shop.example/gift"}
    )


def test_a_carousel_with_buttons_sends_each_card_with_its_own() -> None:
    cards = tuple(
        Card(
            title=f"Schuh {n}",
            image_url=f"https://x.de/{n}.png",
            buttons=(PostbackButton(title="Nehmen", payload=f"TAKE:{n}"),),
        )
        for n in range(3)
    )
    calls = _render(Carousel(cards=cards))
    assert [call.method for call in calls] == ["sendPhoto"] * 3
    assert [_keyboard(c)[0][0]["callback_data"] for c in calls] == ["TAKE:0", "TAKE:1", "TAKE:2"]


def test_a_carousel_without_buttons_is_one_album() -> None:
    cards = tuple(Card(title=f"Schuh {n}", image_url=f"/img/{n}.png") for n in range(4))
    [call] = _render(Carousel(cards=cards))
    assert call.method == "sendMediaGroup"
    assert call.params["media"][1] == {
        "type": "photo",
        "media": "https://shop.example/img/1.png",
        "caption": "Schuh 1",
    }


@pytest.mark.parametrize(
    ("kind", "method", "field"),
    [
        ("image", "sendPhoto", "photo"),
        ("file", "sendDocument", "document"),
        ("audio", "sendVoice", "voice"),
        ("video", "sendVideo", "video"),
    ],
)
def test_media_uses_the_method_of_its_kind(kind: str, method: str, field: str) -> None:
    media = Media.model_validate({"kind": kind, "url": "/files/x", "caption": "Hier"})
    [call] = _render(media)
    assert call.method == method
    assert call.params == {
        "chat_id": CHAT,
        field: "https://shop.example/files/x",
        "caption": "Hier",
    }


def test_typing_is_a_chat_action() -> None:
    assert _render(Typing()) == [ApiCall("sendChatAction", {"chat_id": CHAT, "action": "typing"})]


def test_a_server_path_without_public_url_names_the_setting() -> None:
    media = Media(kind="image", url="/catalog/images/x.png")
    with pytest.raises(ConfigurationError, match="THEKE_PUBLIC_URL"):
        render(media, CHAT, payload_id=_stored)


@given(texts | st.text(alphabet="ab 😀\n.", min_size=1, max_size=12000))
def test_texts_never_exceed_the_limit_nor_lose_characters(text: str) -> None:
    calls = _render(Text(text=text))
    assert all(_units(call.params["text"]) <= TEXT_MAX for call in calls)
    assert all(call.params["text"].strip() for call in calls)
    assert _SPACE.sub("", _shown_text(calls)) == _SPACE.sub("", text)


@given(contents)
def test_every_content_stays_within_telegrams_limits(content: Content) -> None:
    for call in _render(content):
        params = call.params
        assert _units(params.get("text", "")) <= TEXT_MAX
        assert params.get("text", "x").strip()
        assert _units(params.get("caption", "")) <= CAPTION_MAX
        markup = params.get("reply_markup", {"inline_keyboard": []})
        for button in (b for row in markup["inline_keyboard"] for b in row):
            assert len(button.get("callback_data", "").encode()) <= 64
            assert button.get("url", "https://").lower().startswith(("http://", "https://"))
        for entry in params.get("media", []):
            assert _units(entry["caption"]) <= CAPTION_MAX
