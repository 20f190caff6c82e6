"""Every content reads well as plain text, in German and English."""

from __future__ import annotations

from theke.content import (
    Buttons,
    Card,
    Carousel,
    Media,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Text,
    Typing,
    UrlButton,
    as_plain_text,
)


def test_text_is_itself() -> None:
    assert as_plain_text(Text(text="<b>Hallo</b> 👋")) == "<b>Hallo</b> 👋"


def test_quick_replies_are_numbered_with_a_hint_in_the_locale() -> None:
    question = QuickReplies(
        text="Lieferung oder Abholung?",
        replies=(
            QuickReply(title="Lieferung", payload="DELIVERY"),
            QuickReply(title="Abholung", payload="PICKUP"),
        ),
    )
    assert as_plain_text(question) == (
        "Lieferung oder Abholung?\n1. Lieferung\n2. Abholung\nAntworte mit der Nummer."
    )
    assert as_plain_text(question, "en-GB").endswith("\nReply with the number.")


def test_buttons_show_their_links() -> None:
    buttons = Buttons(
        text="Fertig!",
        buttons=(
            UrlButton(title="Zur Bestellung", url="https://shop.example/o/1"),
            PostbackButton(title="Noch etwas", payload="MORE"),
        ),
    )
    assert as_plain_text(buttons) == (
        "Fertig!\n• Zur Bestellung: https://shop.example/o/1\n1. Noch etwas\n"
        "Antworte mit der Nummer."
    )


def test_a_card_without_buttons_needs_no_hint() -> None:
    assert as_plain_text(Card(title="Nimbus 25", price="149,99 €")) == "Nimbus 25 – 149,99 €"


def test_a_carousel_of_one_line_cards_stays_compact() -> None:
    cards = (Card(title="Nimbus 25"), Card(title="Pegasus 40"))
    assert as_plain_text(Carousel(cards=cards)) == "1. Nimbus 25\n2. Pegasus 40"


def test_media_names_its_kind_in_the_locale() -> None:
    video = Media(kind="video", url="https://shop.example/v.mp4")
    photo = Media(kind="image", url="https://shop.example/p.jpg")
    assert as_plain_text(video) == "Video: https://shop.example/v.mp4"
    assert as_plain_text(photo) == "Bild: https://shop.example/p.jpg"
    assert as_plain_text(photo, "en") == "Image: https://shop.example/p.jpg"


def test_typing_has_no_text() -> None:
    assert as_plain_text(Typing()) == ""
