"""The content model accepts what channels can carry and names each broken limit."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from theke.content import (
    TEXT_MAX,
    Buttons,
    CallButton,
    Card,
    Carousel,
    Media,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Text,
    Typing,
    UrlButton,
)

SHOP = "https://shop.example/laufschuhe"


def _postback(n: int = 1) -> PostbackButton:
    return PostbackButton(title=f"Option {n}", payload=f"OPTION_{n}")


def test_text_needs_no_type_and_keeps_every_character() -> None:
    tricky = "Hallo 👋🏽 <b>&amp;</b> مرحبا \x00 שלום\r\n\t"
    text = Text(text=tricky)
    assert text.type == "text"
    assert text.text == tricky


@pytest.mark.parametrize("length", [0, TEXT_MAX + 1])
def test_text_length_outside_limits_is_refused(length: int) -> None:
    with pytest.raises(ValidationError, match="text"):
        Text(text="x" * length)


def test_text_of_exactly_the_limit_is_accepted() -> None:
    assert len(Text(text="x" * TEXT_MAX).text) == TEXT_MAX


def test_text_refuses_non_strings() -> None:
    with pytest.raises(ValidationError):
        Text(text=42)
    with pytest.raises(ValidationError):
        Text(text=b"bytes")


def test_content_is_frozen_and_refuses_unknown_fields() -> None:
    text = Text(text="Hi")
    with pytest.raises(ValidationError, match="frozen"):
        text.text = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="bold"):
        Text(text="Hi", bold=True)  # type: ignore[call-arg]


def test_quick_replies_take_one_to_thirteen() -> None:
    reply = QuickReply(title="Ja", payload="YES")
    assert len(QuickReplies(text="Weiter?", replies=(reply,) * 13).replies) == 13
    with pytest.raises(ValidationError, match="at least one reply"):
        QuickReplies(text="Weiter?", replies=())
    share = QuickReplies(text="Deine Nummer?", share="phone")  # the platform's own button
    assert share.replies == ()
    with pytest.raises(ValidationError, match="at most 13"):
        QuickReplies(text="Weiter?", replies=(reply,) * 14)


@pytest.mark.parametrize(
    ("title", "payload", "problem"),
    [("", "P", "at least 1"), ("x" * 81, "P", "at most 80"), ("Ja", "p" * 1001, "at most 1000")],
)
def test_quick_reply_limits(title: str, payload: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        QuickReply(title=title, payload=payload)


def test_buttons_take_one_to_three() -> None:
    assert len(Buttons(text="Wähle", buttons=(_postback(1), _postback(2), _postback(3))).buttons)
    with pytest.raises(ValidationError, match="at least 1"):
        Buttons(text="Wähle", buttons=())
    with pytest.raises(ValidationError, match="at most 3"):
        Buttons(text="Wähle", buttons=tuple(_postback(n) for n in range(4)))


def test_buttons_are_told_apart_by_type_from_plain_data() -> None:
    buttons = Buttons.model_validate(
        {
            "text": "Wie können wir helfen?",
            "buttons": [
                {"type": "postback", "title": "Bestellung", "payload": "ORDER"},
                {"type": "url", "title": "Shop", "url": SHOP},
                {"type": "call", "title": "Hotline", "phone": "+49301234567"},
            ],
        }
    )
    postback, url, call = buttons.buttons
    assert isinstance(postback, PostbackButton)
    assert isinstance(url, UrlButton)
    assert isinstance(call, CallButton)


@pytest.mark.parametrize(
    "url", [SHOP, "http://shop.example", "HTTPS://SHOP.EXAMPLE/A?b=1&c=%20", "https://[::1]:8080/"]
)
def test_web_addresses_are_accepted_unchanged(url: str) -> None:
    assert UrlButton(title="Shop", url=url).url == url


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("shop.example/schuhe", "http:// or https://"),
        ("ftp://shop.example/katalog.pdf", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("https://", "with a host"),
        ("https://shop.example/lauf schuhe", "spaces"),
        ("https://shop.example/\x00", "control characters"),
        ("https://[::1/", "not a valid URL"),
        ("https://shop.example/" + "x" * 2048, "at most 2048"),
    ],
)
def test_unusable_web_addresses_are_refused(url: str, problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        UrlButton(title="Shop", url=url)


@pytest.mark.parametrize(
    "spelling", ["+49301234567", "+49 30 1234567", "+49 (30) 123-45-67", "0049 30/1234567"]
)
def test_phone_numbers_are_kept_in_international_form(spelling: str) -> None:
    assert CallButton(title="Hotline", phone=spelling).phone == "+49301234567"


@pytest.mark.parametrize("phone", ["030 1234567", "+0301234567", "+49", "+49 30 abc", "4930123"])
def test_phone_numbers_without_country_code_are_refused(phone: str) -> None:
    with pytest.raises(ValidationError, match=r"international number .* like \+49301234567"):
        CallButton(title="Hotline", phone=phone)


def test_card_needs_only_a_title() -> None:
    card = Card(title="Nimbus 25")
    assert (card.subtitle, card.image_url, card.url, card.price, card.buttons) == (
        None,
        None,
        None,
        None,
        (),
    )


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"title": "x" * 81}, "at most 80"),
        ({"subtitle": "x" * 401}, "at most 400"),
        ({"price": "x" * 41}, "at most 40"),
        ({"image_url": "bild.jpg"}, "http:// or https://"),
        ({"url": "mailto:info@shop.example"}, "http:// or https://"),
        ({"buttons": tuple(_postback(n) for n in range(4))}, "at most 3"),
    ],
)
def test_card_limits(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Card.model_validate({"title": "Nimbus 25", **fields})


def test_carousel_takes_one_to_ten_cards() -> None:
    card = Card(title="Nimbus 25")
    assert len(Carousel(cards=(card,) * 10).cards) == 10
    with pytest.raises(ValidationError, match="at least 1"):
        Carousel(cards=())
    with pytest.raises(ValidationError, match="at most 10"):
        Carousel(cards=(card,) * 11)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"kind": "sticker"}, "'image', 'audio', 'video' or 'file'"),
        ({"caption": "x" * 1025}, "at most 1024"),
        ({"filename": "x" * 256}, "at most 255"),
        ({"url": "file:///etc/passwd"}, "http:// or https://"),
    ],
)
def test_media_limits(fields: dict[str, object], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Media.model_validate({"kind": "image", "url": SHOP + ".jpg", **fields})


def test_typing_lasts_a_second_by_default_and_at_most_ten() -> None:
    assert Typing().seconds == 1.0
    assert Typing(seconds=10).seconds == 10.0


@pytest.mark.parametrize("seconds", [0, -1, 10.01, math.nan, math.inf, True, "2"])
def test_typing_outside_its_limits_is_refused(seconds: object) -> None:
    with pytest.raises(ValidationError, match="seconds"):
        Typing.model_validate({"seconds": seconds})


def test_a_path_on_this_server_is_a_valid_image_and_gets_the_public_host() -> None:
    from theke.content import Card, absolute_url

    card = Card(title="Runner", image_url="/static/demo/sneaker-2.svg")
    assert card.image_url == "/static/demo/sneaker-2.svg"
    assert (
        absolute_url(card.image_url, "https://chat.shop.example/")
        == "https://chat.shop.example/static/demo/sneaker-2.svg"
    )
    assert (
        absolute_url("https://cdn.example/a.png", "https://x.example")
        == "https://cdn.example/a.png"
    )
    for bad in ("//evil.example/a.png", "static/a.png", "/with space.png"):
        with pytest.raises(ValidationError):
            Card(title="x", image_url=bad)
