"""The numbered-list form of content, for channels that show text only.

A customer answers such a list by typing a number; ``numbered_choices`` maps
that number back to the payload the button or quick reply would have sent.
The numbers do not depend on the channel: "2" is always the second choice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from string import ascii_lowercase
from typing import assert_never

from theke.content._locale import language
from theke.content.model import (
    Button,
    Buttons,
    CallButton,
    Card,
    Carousel,
    Consent,
    Content,
    Media,
    PostbackButton,
    QuickReplies,
    Receipt,
    Text,
    Typing,
    UrlButton,
)

__all__ = [
    "NumberedButton",
    "button_lines",
    "listing",
    "number_buttons",
    "numbered_choices",
    "phrase",
]

NumberedButton = tuple[str | None, Button]
"""A button with the number that chooses it; only postback buttons have one."""

_PHRASES = {
    "de": {
        "hint": "Antworte mit der Nummer.",
        "more": "Weitere Antworten – antworte mit der Nummer:",
        "image": "Bild",
        "audio": "Audio",
        "video": "Video",
        "file": "Datei",
    },
    "en": {
        "hint": "Reply with the number.",
        "more": "More options – reply with the number:",
        "image": "Image",
        "audio": "Audio",
        "video": "Video",
        "file": "File",
    },
}
_INDENT = "   "


def phrase(locale: str, key: str) -> str:
    """One of the fixed phrases of numbered lists, in the locale's language."""
    return _PHRASES[language(locale)][key]


def numbered_choices(content: Content) -> dict[str, str]:
    """What each number in the numbered-list form of ``content`` stands for.

    ``{"1": payload, "2": payload, ...}``; a carousel card with several postback
    buttons also gets ``"1a"``, ``"1b"``, ... (its number alone picks the first).
    Content without choices gives an empty dict.
    """
    match content:
        case QuickReplies():
            return {str(n): reply.payload for n, reply in enumerate(content.replies, 1)}
        case Buttons() | Card():
            postbacks = enumerate(_postbacks(content.buttons), 1)
            return {str(n): button.payload for n, button in postbacks}
        case Carousel():
            return _carousel_choices(content.cards)
        case Text() | Media() | Typing() | Receipt() | Consent():
            return {}
        case _:
            assert_never(content)


def number_buttons(buttons: Sequence[Button]) -> list[NumberedButton]:
    """Each button with its number: postbacks count 1, 2, 3; others get None."""
    numbered: list[NumberedButton] = []
    count = 0
    for button in buttons:
        if isinstance(button, PostbackButton):
            count += 1
            numbered.append((str(count), button))
        else:
            numbered.append((None, button))
    return numbered


def button_lines(numbered: Iterable[NumberedButton]) -> list[str]:
    """A line per button: "1. Title" for a postback, "• Title: link" for a page or number."""
    return [_button_line(number, button) for number, button in numbered]


def listing(content: Content, locale: str = "de") -> str:
    """The whole content as one plain text; the typing indicator gives ""."""
    match content:
        case Text():
            return content.text
        case QuickReplies() if not content.replies:
            return content.text
        case QuickReplies():
            lines = [f"{n}. {reply.title}" for n, reply in enumerate(content.replies, 1)]
            return "\n".join([content.text, *lines, phrase(locale, "hint")])
        case Buttons():
            return _with_buttons(content.text, content.buttons, locale)
        case Card():
            return _with_buttons("\n".join(_card_lines(content)), content.buttons, locale)
        case Carousel():
            return _carousel_listing(content.cards, locale)
        case Media():
            label = content.filename or phrase(locale, content.kind)
            return "\n".join([*_present(content.caption), f"{label}: {content.url}"])
        case Typing():
            return ""
        case Receipt() | Consent():
            return content.text
        case _:
            assert_never(content)


def _button_line(number: str | None, button: Button) -> str:
    match button:
        case PostbackButton():
            return f"{number}. {button.title}"
        case UrlButton():
            return f"• {button.title}: {button.url}"
        case CallButton():
            return f"• {button.title}: {button.phone}"
        case _:
            assert_never(button)


def _with_buttons(head: str, buttons: Sequence[Button], locale: str) -> str:
    lines = button_lines(number_buttons(buttons))
    hint = _present(phrase(locale, "hint") if _has_postback(buttons) else None)
    return "\n".join([head, *lines, *hint])


def _card_lines(card: Card) -> list[str]:
    heading = f"{card.title} – {card.price}" if card.price else card.title
    return [heading, *_present(card.subtitle), *_present(card.url)]


def _carousel_listing(cards: Sequence[Card], locale: str) -> str:
    blocks = [_carousel_entry(n, card) for n, card in enumerate(cards, 1)]
    separator = "\n\n" if any("\n" in block for block in blocks) else "\n"
    choosable = any(_has_postback(card.buttons) for card in cards)
    return separator.join([*blocks, *_present(phrase(locale, "hint") if choosable else None)])


def _carousel_entry(number: int, card: Card) -> str:
    """The card's numbered heading, then its details, links and lettered choices indented."""
    heading, *details = _card_lines(card)
    links = [_button_line(None, b) for b in card.buttons if not isinstance(b, PostbackButton)]
    postbacks = _postbacks(card.buttons)
    choices = [
        f"{number}{letter}. {button.title}"
        for letter, button in zip(ascii_lowercase, postbacks, strict=False)
        if len(postbacks) > 1
    ]
    lines = [f"{number}. {heading}", *(_INDENT + line for line in [*details, *links, *choices])]
    return "\n".join(lines)


def _carousel_choices(cards: Sequence[Card]) -> dict[str, str]:
    choices: dict[str, str] = {}
    for number, card in enumerate(cards, 1):
        payloads = [button.payload for button in _postbacks(card.buttons)]
        if payloads:
            choices[str(number)] = payloads[0]
        if len(payloads) > 1:
            letters = zip(ascii_lowercase, payloads, strict=False)
            choices.update({f"{number}{letter}": payload for letter, payload in letters})
    return choices


def _postbacks(buttons: Iterable[Button]) -> list[PostbackButton]:
    return [button for button in buttons if isinstance(button, PostbackButton)]


def _has_postback(buttons: Iterable[Button]) -> bool:
    return bool(_postbacks(buttons))


def _present(value: str | None) -> list[str]:
    return [] if value is None else [value]
