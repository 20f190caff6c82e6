"""Rendering content into Messenger Send API bodies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.content.strategies import contents, texts
from theke.channels.messenger import render
from theke.channels.messenger.render import (
    BUTTONS_TEXT_MAX,
    ELEMENTS_MAX,
    QUICK_REPLIES_MAX,
    TEXT_MAX,
    Body,
)
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
    capabilities_for,
    degrade,
)
from theke.errors import ConfigurationError

PSID = "7213841906215870"
TITLE_MAX = 20
ELEMENT_TEXT_MAX = 80
PAYLOAD_MAX = 1000
_SPACE = re.compile(r"\s+")


def _stored(payload: str) -> str:
    return "p:" + format(abs(hash(payload)) % 10**12, "012d")


def _render(content: Content, **options: Any) -> list[Body]:
    settings: dict[str, Any] = {"payload_id": _stored, "public_url": "https://shop.example"}
    settings |= options
    return render(content, PSID, **settings)


def _template(body: Body) -> dict[str, Any]:
    attachment = body["message"]["attachment"]
    assert attachment["type"] == "template"
    payload: dict[str, Any] = attachment["payload"]
    return payload


def _shown_text(bodies: list[Body]) -> str:
    pieces = []
    for body in bodies:
        message = body.get("message", {})
        template = message.get("attachment", {}).get("payload", {})
        pieces.append(message.get("text") or template.get("text") or "")
    return "".join(pieces)


def test_the_limits_are_those_of_messengers_capabilities() -> None:
    caps = capabilities_for("messenger")
    assert (caps.text_max, caps.buttons_text_max) == (TEXT_MAX, BUTTONS_TEXT_MAX)
    assert (caps.quick_replies_max, caps.carousel_max) == (QUICK_REPLIES_MAX, ELEMENTS_MAX)
    assert (caps.quick_reply_title_max, caps.button_title_max) == (TITLE_MAX, TITLE_MAX)
    assert (caps.card_title_max, caps.card_subtitle_max) == (ELEMENT_TEXT_MAX, ELEMENT_TEXT_MAX)


def test_a_short_text_is_one_plain_message() -> None:
    assert _render(Text(text="Hallo <b>Anna</b> *willkommen*")) == [
        {"message": {"text": "Hallo <b>Anna</b> *willkommen*"}}
    ]


def test_a_long_text_splits_at_sentences_and_keeps_every_word() -> None:
    text = ("Unsere Laufschuhe sind leicht. " * 200).strip()
    bodies = _render(Text(text=text))
    assert len(bodies) == 4
    assert all(len(body["message"]["text"]) <= TEXT_MAX for body in bodies)
    assert all(body["message"]["text"].endswith("leicht.") for body in bodies)
    assert _SPACE.sub("", _shown_text(bodies)) == _SPACE.sub("", text)


def test_a_blank_text_sends_nothing() -> None:
    assert _render(Text(text=" \n ")) == []


def test_quick_replies_go_under_the_question() -> None:
    replies = (
        QuickReply(title="Ja", payload="YES"),
        QuickReply(title="Ich möchte lieber mit einem Menschen sprechen", payload="HUMAN"),
    )
    assert _render(QuickReplies(text="Passt die Größe?", replies=replies)) == [
        {
            "message": {
                "text": "Passt die Größe?",
                "quick_replies": [
                    {"content_type": "text", "title": "Ja", "payload": "YES"},
                    {"content_type": "text", "title": "Ich möchte lieber m…", "payload": "HUMAN"},
                ],
            }
        }
    ]


def test_quick_replies_go_under_the_last_part_of_a_long_question() -> None:
    question = ("Wir haben viele Modelle.\n\n" * 120).strip()
    bodies = _render(QuickReplies(text=question, replies=(QuickReply(title="OK", payload="ok"),)))
    assert len(bodies) == 2
    assert "quick_replies" in bodies[-1]["message"]
    assert "quick_replies" not in bodies[0]["message"]


def test_a_blank_question_still_carries_its_quick_replies() -> None:
    [body] = _render(QuickReplies(text="  ", replies=(QuickReply(title="OK", payload="ok"),)))
    assert body["message"]["text"] == "…"


def test_buttons_become_a_button_template() -> None:
    content = Buttons(
        text="Wie können wir helfen?",
        buttons=(
            UrlButton(title="Größentabelle ansehen und vergleichen", url="/catalog/sizes"),
            CallButton(title="Anrufen", phone="+49 30 1234567"),
            PostbackButton(title="Beraten", payload="ADVICE"),
        ),
    )
    [body] = _render(content)
    assert _template(body) == {
        "template_type": "button",
        "text": "Wie können wir helfen?",
        "buttons": [
            {
                "type": "web_url",
                "title": "Größentabelle anseh…",
                "url": "https://shop.example/catalog/sizes",
            },
            {"type": "phone_number", "title": "Anrufen", "payload": "+49301234567"},
            {"type": "postback", "title": "Beraten", "payload": "ADVICE"},
        ],
    }


def test_a_long_text_above_buttons_sends_its_start_first() -> None:
    intro = "Der Aero ist unser leichtester Laufschuh. " * 30
    question = "Möchtest du ihn in den Warenkorb legen?"
    content = Buttons(
        text=f"{intro.strip()}\n\n{question}",
        buttons=(PostbackButton(title="Ja", payload="CART:aero"),),
    )
    *texts, template = _render(content)
    assert [len(body["message"]["text"]) <= TEXT_MAX for body in texts] == [True]
    assert _template(template)["text"].endswith(question)
    assert len(_template(template)["text"]) <= BUTTONS_TEXT_MAX
    assert _SPACE.sub("", _shown_text([*texts, template])) == _SPACE.sub("", content.text)


def test_a_card_is_a_generic_template_with_its_price_in_the_subtitle() -> None:
    card = Card(
        title="Laufschuh Aero",
        subtitle="Leicht und schnell, für lange Strecken auf Asphalt und Waldwegen gemacht.",
        price="89,95 €",
        image_url="/catalog/images/aero.png",
        url="https://shop.example/aero",
        buttons=(PostbackButton(title="In den Warenkorb", payload="CART:aero"),),
    )
    [body] = _render(card)
    assert _template(body) == {
        "template_type": "generic",
        "elements": [
            {
                "title": "Laufschuh Aero",
                "subtitle": "89,95 € · Leicht und schnell, für lange Strecken auf Asphalt und "
                "Waldwegen gema…",
                "image_url": "https://shop.example/catalog/images/aero.png",
                "default_action": {"type": "web_url", "url": "https://shop.example/aero"},
                "buttons": [
                    {"type": "postback", "title": "In den Warenkorb", "payload": "CART:aero"}
                ],
            }
        ],
    }


def test_a_card_with_only_a_title_and_link_is_a_text_message() -> None:
    assert _render(Card(title="Gutschein", url="/gift")) == [
        {"message": {"text": "Gutschein\nhttps://shop.example/gift"}}
    ]


def test_a_carousel_shows_its_cards_side_by_side() -> None:
    cards = tuple(
        Card(
            title=f"Schuh {n}",
            image_url=f"https://cdn.shop.example/{n}.png",
            buttons=(PostbackButton(title="Nehmen", payload=f"TAKE:{n}"),),
        )
        for n in range(3)
    )
    [body] = _render(Carousel(cards=(*cards, Card(title="Alle Schuhe", url="/schuhe"))))
    elements = _template(body)["elements"]
    assert [element["title"] for element in elements] == [
        "Schuh 0",
        "Schuh 1",
        "Schuh 2",
        "Alle Schuhe",
    ]
    assert [e["buttons"][0]["payload"] for e in elements[:3]] == ["TAKE:0", "TAKE:1", "TAKE:2"]
    assert elements[3]["subtitle"] == "https://shop.example/schuhe"  # Meta needs one more field


@pytest.mark.parametrize("kind", ["image", "audio", "video", "file"])
def test_media_is_an_attachment_and_its_caption_follows(kind: str) -> None:
    media = Media.model_validate({"kind": kind, "url": "/files/x", "caption": "Hier"})
    assert _render(media) == [
        {
            "message": {
                "attachment": {
                    "type": kind,
                    "payload": {"url": "https://shop.example/files/x", "is_reusable": True},
                }
            }
        },
        {"message": {"text": "Hier"}},
    ]


def test_typing_is_a_sender_action() -> None:
    assert _render(Typing(seconds=3)) == [{"sender_action": "typing_on"}]


def test_a_server_path_without_public_url_names_the_setting() -> None:
    with pytest.raises(ConfigurationError, match="THEKE_PUBLIC_URL"):
        _render(Media(kind="image", url="/catalog/images/x.png"), public_url="")


def test_a_payload_over_the_limit_is_sent_as_its_stored_id() -> None:
    long_payload = "ORDER:" + "x" * 1200
    reply = QuickReply.model_construct(title="Bestellen", payload=long_payload)
    content = QuickReplies.model_construct(type="quick_replies", text="Los?", replies=(reply,))
    [body] = _render(content)
    assert body["message"]["quick_replies"][0]["payload"] == _stored(long_payload)


@given(texts | st.text(alphabet="ab 😀\n.", min_size=1, max_size=9000))
def test_texts_never_exceed_the_limit_nor_lose_characters(text: str) -> None:
    bodies = _render(Text(text=text))
    assert all(len(body["message"]["text"]) <= TEXT_MAX for body in bodies)
    assert all(body["message"]["text"].strip() for body in bodies)
    assert _SPACE.sub("", _shown_text(bodies)) == _SPACE.sub("", text)


@given(st.text(alphabet="ab 😀\n.", min_size=1, max_size=3000))
def test_text_above_buttons_is_never_lost(text: str) -> None:
    content = Buttons(text=text, buttons=(PostbackButton(title="OK", payload="ok"),))
    bodies = _render(content)
    assert _template(bodies[-1])["text"].strip()
    shown = _SPACE.sub("", _shown_text(bodies))
    assert shown in {_SPACE.sub("", text), "…"}


def _assert_button(button: dict[str, str]) -> None:
    assert 0 < len(button["title"]) <= TITLE_MAX and button["title"].strip()
    if button["type"] == "web_url":
        assert button["url"].lower().startswith(("http://", "https://"))
    else:
        assert 0 < len(button["payload"]) <= PAYLOAD_MAX


def _assert_within_limits(body: Body) -> None:
    if "sender_action" in body:
        assert body == {"sender_action": "typing_on"}
        return
    message = body["message"]
    if "text" in message:
        assert 0 < len(message["text"]) <= TEXT_MAX and message["text"].strip()
    replies = message.get("quick_replies", [])
    assert len(replies) <= QUICK_REPLIES_MAX
    for reply in replies:
        assert 0 < len(reply["title"]) <= TITLE_MAX and reply["title"].strip()
        assert 0 < len(reply["payload"]) <= PAYLOAD_MAX
    payload = message.get("attachment", {}).get("payload", {})
    if payload.get("template_type") == "button":
        assert 0 < len(payload["text"]) <= BUTTONS_TEXT_MAX and payload["text"].strip()
        assert 1 <= len(payload["buttons"]) <= 3
    for element in payload.get("elements", []):
        assert 0 < len(element["title"]) <= ELEMENT_TEXT_MAX
        assert len(element.get("subtitle", "")) <= ELEMENT_TEXT_MAX
        assert {"subtitle", "image_url", "buttons"} & element.keys()  # else Meta's error 100
        assert len(element.get("buttons", [])) <= 3
    assert len(payload.get("elements", [])) <= ELEMENTS_MAX
    for button in [*payload.get("buttons", [])] + [
        b for element in payload.get("elements", []) for b in element.get("buttons", [])
    ]:
        _assert_button(button)
    if "url" in payload:
        assert payload["url"].startswith("https://shop.example") or "://" in payload["url"]


@given(contents)
def test_every_content_stays_within_messengers_limits(content: Content) -> None:
    for body in _render(content):
        _assert_within_limits(body)


@given(contents)
def test_content_degraded_for_messenger_renders_within_limits(content: Content) -> None:
    for part in degrade(content, capabilities_for("messenger")):
        for body in _render(part):
            _assert_within_limits(body)


def test_a_question_for_the_number_offers_metas_own_button_first() -> None:
    from theke.content import QuickReplies, QuickReply

    asked = QuickReplies(text="Deine Nummer?", share="phone")
    (body,) = _render(asked)
    assert body["message"]["quick_replies"] == [{"content_type": "user_phone_number"}]
    email = QuickReplies(
        text="Deine E-Mail?", replies=(QuickReply(title="Später", payload="L"),), share="email"
    )
    (body,) = _render(email)
    assert body["message"]["quick_replies"][0] == {"content_type": "user_email"}
    full = tuple(QuickReply(title=f"Option {n}", payload=f"O{n}") for n in range(1, 14))
    (body,) = _render(QuickReplies(text="Welche?", replies=full, share="phone"))
    titles = [reply.get("title") for reply in body["message"]["quick_replies"]]
    assert titles == [f"Option {n}" for n in range(1, 14)]  # no answer is pushed out
