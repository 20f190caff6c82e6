"""Rendering content into WhatsApp Cloud API message bodies."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.content.strategies import contents, texts
from theke.channels.whatsapp import render
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

ANNA = "4917612345678"
_SPACE = re.compile(r"\s+")


class _PayloadStore:
    """Stands in for the short-payload table: the same payload always gets the same id."""

    def __init__(self) -> None:
        self.payloads: dict[str, str] = {}

    def __call__(self, payload: str) -> str:
        for key, stored in self.payloads.items():
            if stored == payload:
                return key
        key = f"p:{len(self.payloads)}"
        self.payloads[key] = payload
        return key


def _render(content: Content, **options: Any) -> list[dict[str, Any]]:
    options.setdefault("payload_id", _PayloadStore())
    return render(content, ANNA, public_url="https://shop.example", **options)


def _interactive(message: dict[str, Any]) -> dict[str, Any]:
    assert message["type"] == "interactive"
    interactive: dict[str, Any] = message["interactive"]
    return interactive


def _replies(message: dict[str, Any]) -> list[tuple[str, str]]:
    buttons = _interactive(message)["action"]["buttons"]
    return [(b["reply"]["id"], b["reply"]["title"]) for b in buttons]


def _rows(message: dict[str, Any]) -> list[dict[str, str]]:
    [section] = _interactive(message)["action"]["sections"]
    rows: list[dict[str, str]] = section["rows"]
    return rows


def _quick_replies(text: str, titles: list[str]) -> QuickReplies:
    replies = tuple(QuickReply(title=t, payload=f"P{n}") for n, t in enumerate(titles, 1))
    return QuickReplies(text=text, replies=replies)


def _shown_text(messages: list[dict[str, Any]]) -> str:
    pieces = []
    for message in messages:
        if message["type"] == "text":
            pieces.append(message["text"]["body"])
        elif message["type"] == "interactive":
            pieces.append(message["interactive"]["body"]["text"])
    return "".join(pieces)


def test_a_short_text_is_one_text_message() -> None:
    assert _render(Text(text="Hallo *Anna*, willkommen!")) == [
        {"type": "text", "text": {"body": "Hallo *Anna*, willkommen!", "preview_url": False}}
    ]


def test_a_text_with_a_link_shows_its_preview() -> None:
    [message] = _render(Text(text="Hier ist er: https://shop.example/aero"))
    assert message["text"]["preview_url"] is True


def test_a_long_text_splits_at_paragraphs_and_keeps_every_word() -> None:
    paragraph = ("Unsere Laufschuhe sind leicht. " * 60).strip()
    text = "\n\n".join([paragraph] * 4)
    messages = _render(Text(text=text))
    assert len(messages) == 2
    assert all(len(m["text"]["body"]) <= 4096 for m in messages)
    assert all(m["text"]["body"].endswith("leicht.") for m in messages)
    assert _SPACE.sub("", _shown_text(messages)) == _SPACE.sub("", text)


def test_a_blank_text_sends_nothing() -> None:
    assert _render(Text(text=" \n ")) == []


def test_up_to_three_quick_replies_are_reply_buttons() -> None:
    [message] = _render(_quick_replies("Passt die Größe?", ["Ja", "Nein", "Weiß nicht"]))
    assert message == {
        "type": "interactive",
        "interactive": {
            "type": "button",
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "P1", "title": "Ja"}},
                    {"type": "reply", "reply": {"id": "P2", "title": "Nein"}},
                    {"type": "reply", "reply": {"id": "P3", "title": "Weiß nicht"}},
                ]
            },
            "body": {"text": "Passt die Größe?"},
        },
    }


def test_long_button_titles_are_shortened_and_kept_apart() -> None:
    titles = ["Laufschuh Aero Blau 42", "Laufschuh Aero Blau 43", "laufschuh aero blau 44"]
    [message] = _render(_quick_replies("Welcher?", titles))
    shown = [title for _, title in _replies(message)]
    assert shown == ["Laufschuh Aero Blau…", "Laufschuh Aero Bl… 2", "laufschuh aero bl… 3"]
    assert all(len(title) <= 20 for title in shown)


def test_a_payload_longer_than_a_button_id_is_sent_as_its_stored_id() -> None:
    store = _PayloadStore()
    long_payload = "ORDER:" + "x" * 251  # 257 characters
    fits = "ORDER:" + "y" * 250  # 256 characters
    replies = (QuickReply(title="A", payload=long_payload), QuickReply(title="B", payload=fits))
    [message] = _render(QuickReplies(text="Bestellen?", replies=replies), payload_id=store)
    assert [reply_id for reply_id, _ in _replies(message)] == ["p:0", fits]
    assert store.payloads == {"p:0": long_payload}


def test_a_repeated_payload_gives_one_button() -> None:
    replies = tuple(QuickReply(title=t, payload="YES") for t in ["Ja", "Jawohl"])
    [message] = _render(QuickReplies(text="Sicher?", replies=replies))
    assert _replies(message) == [("YES", "Ja")]


def test_four_to_ten_quick_replies_are_a_list() -> None:
    sizes = ["38", "39", "40", "41", "42 – bei uns am häufigsten gekauft"]
    [message] = _render(_quick_replies("Welche Größe?", sizes))
    interactive = _interactive(message)
    assert interactive["type"] == "list"
    assert interactive["body"] == {"text": "Welche Größe?"}
    assert interactive["action"]["button"] == "Optionen"
    assert _rows(message)[0] == {"id": "P1", "title": "38"}
    assert _rows(message)[4] == {
        "id": "P5",
        "title": "42 – bei uns am häufigs…",
        "description": "42 – bei uns am häufigsten gekauft",
    }


def test_the_list_button_speaks_english_when_asked() -> None:
    [message] = _render(_quick_replies("Size?", ["S", "M", "L", "XL"]), locale="en")
    assert _interactive(message)["action"]["button"] == "Options"


def test_a_row_id_over_200_characters_is_sent_as_its_stored_id() -> None:
    replies = tuple(QuickReply(title=str(n), payload=f"{n}:" + "z" * 199) for n in range(4))
    [message] = _render(QuickReplies(text="Welche?", replies=replies))
    assert [row["id"] for row in _rows(message)] == ["p:0", "p:1", "p:2", "p:3"]


def test_more_than_ten_quick_replies_list_the_rest_as_numbered_lines() -> None:
    sizes = [str(size) for size in range(36, 49)]  # 13 sizes
    [message] = _render(_quick_replies("Welche Größe?", sizes))
    assert len(_rows(message)) == 10
    assert _interactive(message)["body"]["text"] == (
        "Welche Größe?\n\nWeitere Antworten – antworte mit der Nummer:\n11. 46\n12. 47\n13. 48"
    )


def test_a_question_over_1024_characters_goes_first_as_text() -> None:
    intro = ("Wir haben viele Modelle. " * 60).strip()
    question = intro + "\n\nWelches gefällt dir?"
    messages = _render(_quick_replies(question, ["Aero", "Blitz"]))
    assert [m["type"] for m in messages] == ["text", "interactive"]
    assert messages[0]["text"]["body"] == intro
    assert _interactive(messages[1])["body"]["text"] == "Welches gefällt dir?"


def test_buttons_turn_links_and_calls_into_lines_beside_reply_buttons() -> None:
    content = Buttons(
        text="Wie können wir helfen?",
        buttons=(
            UrlButton(title="Größentabelle", url="/catalog/sizes"),
            CallButton(title="Anrufen", phone="+49 30 1234567"),
            PostbackButton(title="Beraten lassen", payload="ADVICE"),
        ),
    )
    [message] = _render(content)
    assert _interactive(message)["body"]["text"] == (
        "Wie können wir helfen?\n\n"
        "🔗 Größentabelle: https://shop.example/catalog/sizes\n\n"
        "📞 Anrufen: +49301234567"
    )
    assert _replies(message) == [("ADVICE", "Beraten lassen")]


def test_a_lone_link_button_is_a_call_to_action_button() -> None:
    content = Buttons(
        text="Deine Bestellung ist unterwegs.",
        buttons=(UrlButton(title="Sendung verfolgen lassen", url="/orders/1042/track"),),
    )
    assert _render(content) == [
        {
            "type": "interactive",
            "interactive": {
                "type": "cta_url",
                "action": {
                    "name": "cta_url",
                    "parameters": {
                        "display_text": "Sendung verfolgen l…",
                        "url": "https://shop.example/orders/1042/track",
                    },
                },
                "body": {"text": "Deine Bestellung ist unterwegs."},
            },
        }
    ]


def test_two_links_without_postbacks_are_a_text() -> None:
    content = Buttons(
        text="Mehr dazu:",
        buttons=(
            UrlButton(title="Versand", url="https://shop.example/versand"),
            UrlButton(title="Rückgabe", url="https://shop.example/rueckgabe"),
        ),
    )
    assert _render(content) == [
        {
            "type": "text",
            "text": {
                "body": "Mehr dazu:\n\n🔗 Versand: https://shop.example/versand\n\n"
                "🔗 Rückgabe: https://shop.example/rueckgabe",
                "preview_url": True,
            },
        }
    ]


_AERO = Card(
    title="Laufschuh Aero",
    subtitle="Leicht und schnell",
    price="89,99 €",
    image_url="/catalog/images/aero.png",
    url="/catalog/aero",
    buttons=(PostbackButton(title="In den Warenkorb", payload="CART:aero"),),
)


def test_a_card_is_reply_buttons_under_its_picture() -> None:
    [message] = _render(_AERO)
    assert _interactive(message) == {
        "type": "button",
        "header": {
            "type": "image",
            "image": {"link": "https://shop.example/catalog/images/aero.png"},
        },
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "CART:aero", "title": "In den Warenkorb"}}
            ]
        },
        "body": {
            "text": "Laufschuh Aero\n89,99 €\nLeicht und schnell\n🔗 https://shop.example/catalog/aero"
        },
    }


def test_a_card_with_one_link_button_opens_it_from_under_its_picture() -> None:
    card = _AERO.model_copy(update={"buttons": (UrlButton(title="Ansehen", url="/p/aero"),)})
    [message] = _render(card)
    interactive = _interactive(message)
    assert interactive["type"] == "cta_url"
    assert interactive["header"]["image"]["link"] == "https://shop.example/catalog/images/aero.png"
    assert interactive["action"]["parameters"] == {
        "display_text": "Ansehen",
        "url": "https://shop.example/p/aero",
    }


def test_a_card_without_buttons_is_a_captioned_picture_or_a_text() -> None:
    card = _AERO.model_copy(update={"buttons": (), "url": None})
    assert _render(card) == [
        {
            "type": "image",
            "image": {
                "link": "https://shop.example/catalog/images/aero.png",
                "caption": "Laufschuh Aero\n89,99 €\nLeicht und schnell",
            },
        }
    ]
    [text] = _render(Card(title="Gutschein", subtitle="Ab 10 €"))
    assert text["text"]["body"] == "Gutschein\nAb 10 €"


def test_a_card_body_over_1024_characters_continues_as_text() -> None:
    page = "https://shop.example/laufschuhe/aero-" + "x" * 1000
    card = _AERO.model_copy(update={"url": page})
    messages = _render(card)
    assert [m["type"] for m in messages] == ["interactive", "text"]
    assert (
        _interactive(messages[0])["body"]["text"] == "Laufschuh Aero\n89,99 €\nLeicht und schnell"
    )
    assert messages[1]["text"]["body"] == f"🔗 {page}"


def test_a_carousel_is_one_message_per_card_in_order() -> None:
    cards = tuple(
        _AERO.model_copy(
            update={
                "title": f"Schuh {n}",
                "buttons": (PostbackButton(title="Nehmen", payload=f"TAKE:{n}"),),
            }
        )
        for n in range(3)
    )
    messages = _render(Carousel(cards=cards))
    assert [_replies(m) for m in messages] == [[(f"TAKE:{n}", "Nehmen")] for n in range(3)]


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("image", "image"), ("video", "video"), ("file", "document")],
)
def test_media_goes_by_link_with_its_caption(kind: str, shown: str) -> None:
    media = Media.model_validate({"kind": kind, "url": "/files/aero.pdf", "caption": "Hier"})
    [message] = _render(media)
    expected = {"link": "https://shop.example/files/aero.pdf", "caption": "Hier"}
    if shown == "document":
        expected["filename"] = "aero.pdf"
    assert message == {"type": shown, shown: expected}


def test_a_files_name_is_its_own_else_the_urls() -> None:
    named = Media(kind="file", url="https://cdn.example/x/R%2042.pdf", filename="Rechnung.pdf")
    assert _render(named)[0]["document"]["filename"] == "Rechnung.pdf"
    unnamed = Media(kind="file", url="https://cdn.example/x/Rechnung%2042.pdf")
    assert _render(unnamed)[0]["document"]["filename"] == "Rechnung 42.pdf"


def test_audio_takes_no_caption_so_it_follows_as_text() -> None:
    media = Media(kind="audio", url="https://cdn.example/gruss.ogg", caption="Ein Gruß von uns")
    assert _render(media) == [
        {"type": "audio", "audio": {"link": "https://cdn.example/gruss.ogg"}},
        {"type": "text", "text": {"body": "Ein Gruß von uns", "preview_url": False}},
    ]


def test_typing_is_left_to_the_sender() -> None:
    assert _render(Typing()) == []


def test_a_server_path_without_public_url_names_the_setting() -> None:
    media = Media(kind="image", url="/catalog/images/x.png")
    with pytest.raises(ConfigurationError, match="THEKE_PUBLIC_URL"):
        render(media, ANNA, payload_id=_PayloadStore())


@given(texts | st.text(alphabet="ab 😀\n.", min_size=1, max_size=12000))
def test_texts_never_exceed_the_limit_nor_lose_characters(text: str) -> None:
    messages = _render(Text(text=text))
    assert all(
        0 < len(m["text"]["body"].strip()) <= len(m["text"]["body"]) <= 4096 for m in messages
    )
    assert _SPACE.sub("", _shown_text(messages)) == _SPACE.sub("", text)


@given(texts | st.text(min_size=1, max_size=6000), st.integers(1, 10))
def test_questions_never_lose_characters(text: str, count: int) -> None:
    messages = _render(_quick_replies(text, [f"Antwort {n}" for n in range(count)]))
    shown = _SPACE.sub("", _shown_text(messages))
    assert shown == _SPACE.sub("", text) or (text.isspace() and shown == "…")


def _check_interactive(interactive: dict[str, Any]) -> None:
    body = interactive["body"]["text"]
    assert body.strip()
    assert len(body) <= 1024
    header = interactive.get("header", {"type": "image", "image": {"link": "https://x"}})
    assert header["image"]["link"].lower().startswith(("http://", "https://"))
    action = interactive["action"]
    if interactive["type"] == "button":
        replies = [button["reply"] for button in action["buttons"]]
        assert 1 <= len(replies) <= 3
        _check_choices([r["id"] for r in replies], [r["title"] for r in replies], 256, 20)
    elif interactive["type"] == "list":
        [section] = action["sections"]
        rows = section["rows"]
        assert 1 <= len(rows) <= 10
        assert 1 <= len(action["button"]) <= 20
        _check_choices([r["id"] for r in rows], [r["title"] for r in rows], 200, 24)
        assert all(len(r.get("description", "")) <= 72 for r in rows)
    else:
        assert interactive["type"] == "cta_url"
        parameters = action["parameters"]
        assert 1 <= len(parameters["display_text"]) <= 20
        assert parameters["url"].lower().startswith(("http://", "https://"))


def _check_choices(ids: list[str], titles: list[str], id_max: int, title_max: int) -> None:
    assert all(1 <= len(i) <= id_max for i in ids)
    assert len(set(ids)) == len(ids)
    assert all(title.strip() and len(title) <= title_max for title in titles)
    assert len({title.casefold() for title in titles}) == len(titles)


def _check_media(kind: str, media: dict[str, Any]) -> None:
    assert media["link"].lower().startswith(("http://", "https://"))
    if kind == "audio":
        assert "caption" not in media
    caption = media.get("caption", "x")
    assert caption.strip()
    assert len(caption) <= 1024


@given(contents)
def test_every_content_stays_within_whatsapps_limits(content: Content) -> None:
    for message in _render(content):
        kind = message["type"]
        assert set(message) == {"type", kind}
        if kind == "text":
            assert message["text"]["body"].strip()
            assert len(message["text"]["body"]) <= 4096
        elif kind == "interactive":
            _check_interactive(message["interactive"])
        else:
            assert kind in {"image", "audio", "video", "document"}
            _check_media(kind, message[kind])


@given(contents)
def test_every_choice_can_still_be_made(content: Content) -> None:
    """Each distinct postback payload is a button or row, or a numbered line."""
    store = _PayloadStore()
    messages = _render(content, payload_id=store)
    if not isinstance(content, QuickReplies | Buttons):
        return
    choices = [
        (r.title, r.payload)
        for r in (content.replies if isinstance(content, QuickReplies) else content.buttons)
        if isinstance(r, QuickReply | PostbackButton)
    ]
    reachable: set[str] = set()
    lines = _shown_text(messages)
    for message in messages:
        if message["type"] != "interactive" or message["interactive"]["type"] == "cta_url":
            continue
        action = message["interactive"]["action"]
        entries = [b["reply"] for b in action.get("buttons", [])]
        entries += [row for s in action.get("sections", []) for row in s["rows"]]
        reachable |= {store.payloads.get(e["id"], e["id"]) for e in entries}
    for number, (title, payload) in enumerate(choices, 1):
        assert payload in reachable or f"{number}. {title}".strip() in lines
