"""Each channel gets content it can show, and nothing a customer needs goes missing."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from theke.content import (
    CAPABILITIES,
    Buttons,
    CallButton,
    Capabilities,
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
    as_plain_text,
    degrade,
    numbered_choices,
)

from .strategies import contents

CONSOLE = CAPABILITIES["console"]
MESSENGER = CAPABILITIES["messenger"]
WHATSAPP = CAPABILITIES["whatsapp"]
TELEGRAM = CAPABILITIES["telegram"]
SMS = CAPABILITIES["text"]
TINY = dataclasses.replace(
    CAPABILITIES["webchat"],
    name="tiny",
    text_max=60,
    quick_replies_max=2,
    quick_reply_title_max=6,
    buttons_max=2,
    button_title_max=6,
    buttons_text_max=40,
    carousel_max=3,
    card_title_max=8,
    card_subtitle_max=10,
    media=frozenset({"image"}),
    caption_max=12,
)

SIZES = QuickReplies(
    text="Welche Größe?",
    replies=tuple(QuickReply(title=f"Größe {n}", payload=f"SIZE_{n}") for n in range(40, 45)),
)
HELP = Buttons(
    text="Wie können wir helfen?",
    buttons=(
        PostbackButton(title="Bestellstatus", payload="ORDER_STATUS"),
        UrlButton(title="Zum Shop", url="https://shop.example/"),
        CallButton(title="Hotline", phone="+49301234567"),
    ),
)
NIMBUS = Card(
    title="Nimbus 25",
    subtitle="Neutraler Laufschuh",
    image_url="https://shop.example/nimbus.jpg",
    url="https://shop.example/nimbus",
    price="149,99 €",
    buttons=(
        PostbackButton(title="Details", payload="DETAILS_NIMBUS"),
        PostbackButton(title="In den Warenkorb", payload="ADD_NIMBUS"),
    ),
)
PEGASUS = Card(
    title="Pegasus 40",
    price="129,99 €",
    buttons=(PostbackButton(title="Auswählen", payload="PICK_PEGASUS"),),
)


def _texts(items: list[Content]) -> list[str]:
    assert all(isinstance(item, Text) for item in items), items
    return [item.text for item in items if isinstance(item, Text)]


def test_long_text_is_split_for_sms() -> None:
    text = " ".join(["Deine Bestellung ist unterwegs und kommt morgen an."] * 60)
    parts = _texts(degrade(Text(text=text), SMS))
    assert len(parts) == 2
    assert all(len(part) <= 1600 and part.endswith(".") for part in parts)
    assert " ".join(parts) == text


def test_quick_replies_become_a_numbered_question_on_the_console() -> None:
    assert _texts(degrade(SIZES, CONSOLE)) == [
        "Welche Größe?\n1. Größe 40\n2. Größe 41\n3. Größe 42\n4. Größe 43\n5. Größe 44\n"
        "Antworte mit der Nummer."
    ]
    assert _texts(degrade(SIZES, CONSOLE, "en"))[0].endswith("\nReply with the number.")
    assert numbered_choices(SIZES)["3"] == "SIZE_42"


def test_messenger_keeps_quick_replies_and_shortens_long_titles() -> None:
    question = QuickReplies(
        text="Was suchst du?",
        replies=(
            QuickReply(title="Laufschuhe", payload="RUN"),
            QuickReply(title="Wanderschuhe für Damen und Herren", payload="HIKE"),
        ),
    )
    [shown] = degrade(question, MESSENGER)
    assert isinstance(shown, QuickReplies)
    assert [r.title for r in shown.replies] == ["Laufschuhe", "Wanderschuhe für Da…"]
    assert [r.payload for r in shown.replies] == ["RUN", "HIKE"]


def test_quick_replies_beyond_the_channel_limit_are_listed_under_the_question() -> None:
    [shown] = degrade(SIZES, WHATSAPP)
    assert isinstance(shown, QuickReplies)
    assert [r.payload for r in shown.replies] == ["SIZE_40", "SIZE_41", "SIZE_42"]
    assert shown.text == (
        "Welche Größe?\n\nWeitere Antworten – antworte mit der Nummer:\n4. Größe 43\n5. Größe 44"
    )
    assert numbered_choices(SIZES)["5"] == "SIZE_44"


def test_titles_that_would_look_alike_when_shortened_become_a_numbered_list() -> None:
    question = QuickReplies(
        text="Welcher Schuh?",
        replies=(
            QuickReply(title="Laufschuh Damen Größe 38", payload="W38"),
            QuickReply(title="Laufschuh Damen Größe 39", payload="W39"),
        ),
    )
    [shown] = degrade(question, MESSENGER)
    assert isinstance(shown, Text)
    assert "1. Laufschuh Damen Größe 38\n2. Laufschuh Damen Größe 39" in shown.text


def test_buttons_become_numbered_lines_and_links_on_the_console() -> None:
    assert _texts(degrade(HELP, CONSOLE)) == [
        "Wie können wir helfen?\n"
        "1. Bestellstatus\n"
        "• Zum Shop: https://shop.example/\n"
        "• Hotline: +49301234567\n"
        "Antworte mit der Nummer."
    ]
    assert numbered_choices(HELP) == {"1": "ORDER_STATUS"}


def test_links_and_phone_numbers_without_a_hint_when_nothing_is_numbered() -> None:
    links = Buttons(text="Mehr:", buttons=(UrlButton(title="Shop", url="https://shop.example/"),))
    assert _texts(degrade(links, SMS)) == ["Mehr:\n• Shop: https://shop.example/"]
    assert numbered_choices(links) == {}


def test_whatsapp_keeps_reply_buttons_and_writes_out_the_link_and_number() -> None:
    [shown] = degrade(HELP, WHATSAPP)
    assert isinstance(shown, Buttons)
    assert shown.buttons == (PostbackButton(title="Bestellstatus", payload="ORDER_STATUS"),)
    assert shown.text == (
        "Wie können wir helfen?\n\n• Zum Shop: https://shop.example/\n• Hotline: +49301234567"
    )


def test_telegram_writes_out_only_the_phone_number() -> None:
    [shown] = degrade(HELP, TELEGRAM)
    assert isinstance(shown, Buttons)
    assert [b.type for b in shown.buttons] == ["postback", "url"]
    assert shown.text.endswith("\n• Hotline: +49301234567")


def test_messenger_button_text_over_640_characters_goes_first_as_text() -> None:
    long = Buttons(text="Hinweis. " * 100, buttons=HELP.buttons)
    *before, last = degrade(long, MESSENGER)
    assert isinstance(last, Buttons) and last.buttons == HELP.buttons
    assert len(last.text) <= 640
    assert _texts(before) and all(len(text) <= 640 for text in _texts(before))


def test_a_card_on_the_console_lists_its_details_and_choices() -> None:
    assert _texts(degrade(NIMBUS, CONSOLE)) == [
        "Nimbus 25 – 149,99 €\n"
        "Neutraler Laufschuh\n"
        "https://shop.example/nimbus\n"
        "1. Details\n"
        "2. In den Warenkorb\n"
        "Antworte mit der Nummer."
    ]
    assert numbered_choices(NIMBUS) == {"1": "DETAILS_NIMBUS", "2": "ADD_NIMBUS"}


def test_a_carousel_on_the_console_is_a_numbered_list_of_cards() -> None:
    carousel = Carousel(cards=(NIMBUS, PEGASUS))
    assert _texts(degrade(carousel, CONSOLE, "en")) == [
        "1. Nimbus 25 – 149,99 €\n"
        "   Neutraler Laufschuh\n"
        "   https://shop.example/nimbus\n"
        "   1a. Details\n"
        "   1b. In den Warenkorb\n"
        "\n"
        "2. Pegasus 40 – 129,99 €\n"
        "\n"
        "Reply with the number."
    ]
    assert numbered_choices(carousel) == {
        "1": "DETAILS_NIMBUS",
        "1a": "DETAILS_NIMBUS",
        "1b": "ADD_NIMBUS",
        "2": "PICK_PEGASUS",
    }


def test_messenger_shows_cards_with_subtitles_shortened_to_80() -> None:
    card = NIMBUS.model_copy(update={"subtitle": "Sehr leicht. " * 20})
    [shown] = degrade(Carousel(cards=(card, PEGASUS)), MESSENGER)
    assert isinstance(shown, Carousel)
    assert shown.cards[1] == PEGASUS
    assert shown.cards[0].subtitle is not None
    assert len(shown.cards[0].subtitle) == 80
    assert shown.cards[0].subtitle.endswith("…")


def test_a_carousel_longer_than_the_channel_allows_is_sent_in_parts() -> None:
    cards = tuple(Card(title=f"Schuh {n}") for n in range(8))
    shown = degrade(Carousel(cards=cards), TINY)
    assert [len(c.cards) for c in shown if isinstance(c, Carousel)] == [3, 3, 2]
    assert [card.title for c in shown if isinstance(c, Carousel) for card in c.cards] == [
        card.title for card in cards
    ]


def test_a_card_with_buttons_the_channel_cannot_show_becomes_text() -> None:
    card = Card(title="Filiale", buttons=(CallButton(title="Anrufen", phone="+49301234567"),))
    assert _texts(degrade(card, TELEGRAM)) == ["Filiale\n• Anrufen: +49301234567"]


def test_unsupported_media_becomes_its_caption_and_a_link() -> None:
    invoice = Media(kind="file", url="https://shop.example/r/1.pdf", caption="Deine Rechnung")
    assert _texts(degrade(invoice, SMS)) == ["Deine Rechnung\nDatei: https://shop.example/r/1.pdf"]
    named = invoice.model_copy(update={"filename": "Rechnung-1.pdf", "caption": None})
    assert _texts(degrade(named, SMS, "en")) == ["Rechnung-1.pdf: https://shop.example/r/1.pdf"]


def test_messenger_sends_a_caption_as_text_before_the_media() -> None:
    photo = Media(kind="image", url="https://shop.example/n.jpg", caption="So sieht er aus")
    assert degrade(photo, MESSENGER) == [
        Text(text="So sieht er aus"),
        Media(kind="image", url="https://shop.example/n.jpg"),
    ]
    assert degrade(photo, TELEGRAM) == [photo]


def test_typing_vanishes_only_where_there_is_no_indicator() -> None:
    assert degrade(Typing(seconds=2), CONSOLE) == []
    assert degrade(Typing(seconds=2), MESSENGER) == [Typing(seconds=2)]


def test_webchat_gets_everything_unchanged() -> None:
    for content in (SIZES, HELP, NIMBUS, Carousel(cards=(NIMBUS, PEGASUS))):
        assert degrade(content, CAPABILITIES["webchat"]) == [content]


_all_caps = st.sampled_from([*CAPABILITIES.values(), TINY])


@settings(max_examples=300)
@given(contents, _all_caps, st.sampled_from(["de", "en"]))
def test_degraded_content_always_fits_the_channel(
    content: Content, caps: Capabilities, locale: str
) -> None:
    shown = degrade(content, caps, locale)
    for item in shown:
        _assert_fits(item, caps)
    assert shown or isinstance(content, Typing)


@given(contents)
def test_text_only_channels_keep_every_link_title_and_number(content: Content) -> None:
    text = "\n".join(_texts(degrade(content, CONSOLE)))
    for needed in _visible_facts(content):
        assert needed in text


@given(contents)
def test_plain_text_is_what_the_console_shows(content: Content) -> None:
    assert "\n".join(_texts(degrade(content, CONSOLE))) == as_plain_text(content)


def _visible_facts(content: Content) -> list[str]:
    match content:
        case Text() | QuickReplies() | Buttons():
            facts = [content.text]
        case Card():
            facts = [content.title, *(content.subtitle or "", content.url or "")]
        case Carousel():
            facts = [fact for card in content.cards for fact in (card.title, card.url or "")]
        case Media():
            facts = [content.url, content.caption or ""]
        case Typing():
            facts = []
    if isinstance(content, QuickReplies):
        facts += [reply.title for reply in content.replies]
    if isinstance(content, Buttons | Card):
        facts += [
            getattr(button, "url", getattr(button, "title", "")) for button in content.buttons
        ]
    return facts


def _assert_fits(item: Content, caps: Capabilities) -> None:
    match item:
        case Text():
            assert len(item.text) <= caps.text_max
        case QuickReplies():
            assert caps.quick_replies and len(item.replies) <= caps.quick_replies_max
            assert all(len(r.title) <= caps.quick_reply_title_max for r in item.replies)
            assert len(item.text) <= caps.text_max
        case Buttons():
            assert len(item.text) <= caps.widget_text_max
            _assert_buttons_fit(item.buttons, caps)
        case Card():
            _assert_card_fits(item, caps)
        case Carousel():
            assert caps.cards and len(item.cards) <= caps.carousel_max
            for card in item.cards:
                _assert_card_fits(card, caps)
        case Media():
            assert item.kind in caps.media
            assert item.caption is None or len(item.caption) <= caps.caption_max
        case Typing():
            assert caps.typing


def _assert_card_fits(card: Card, caps: Capabilities) -> None:
    assert caps.cards and len(card.title) <= caps.card_title_max
    assert card.subtitle is None or len(card.subtitle) <= caps.card_subtitle_max
    if card.buttons:
        _assert_buttons_fit(card.buttons, caps)


def _assert_buttons_fit(buttons: tuple[object, ...], caps: Capabilities) -> None:
    assert caps.buttons and len(buttons) <= caps.buttons_max
    for button in buttons:
        assert isinstance(button, PostbackButton | UrlButton | CallButton)
        assert button.type in caps.button_kinds
        assert len(button.title) <= caps.button_title_max
