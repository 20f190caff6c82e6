"""The parts of Messenger's structured messages: buttons, quick replies, template elements."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from theke.content import (
    Button,
    CallButton,
    Card,
    PostbackButton,
    QuickReply,
    UrlButton,
    absolute_url,
    shorten,
)
from theke.errors import ConfigurationError

__all__ = [
    "BLANK_STANDIN",
    "ELEMENT_TEXT_MAX",
    "PAYLOAD_MAX",
    "TITLE_MAX",
    "Target",
    "is_bare",
    "label",
]

TITLE_MAX = 20
"""The longest quick reply or button title Messenger shows, in characters."""
PAYLOAD_MAX = 1000
"""The longest quick reply or postback payload Messenger takes, in characters."""
ELEMENT_TEXT_MAX = 80
"""The longest title and subtitle of a generic template element, in characters."""
BLANK_STANDIN = "…"
"""What stands in for a text Messenger requires but the content left blank."""

_PRICE_SEPARATOR = " · "


def label(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` with "…"; a blank one becomes "…" (Meta needs a title)."""
    short = shorten(text, limit)
    return short if short.strip() else BLANK_STANDIN


def is_bare(card: Card) -> bool:
    """True for a card Meta refuses as an element: besides the title it needs a
    subtitle, a picture or a button ("Incomplete element data", error 100)."""
    return not (_subtitle(card) or card.image_url or card.buttons)


@dataclass(frozen=True, slots=True)
class Target:
    """What rendering needs besides the content: the public address and the payload store."""

    payload_id: Callable[[str], str]
    public_url: str

    def url(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//") and not self.public_url:
            raise ConfigurationError(
                f"Messenger needs full addresses, but {url!r} is a path on this server: "
                "set THEKE_PUBLIC_URL to the address customers reach Theke at"
            )
        return absolute_url(url, self.public_url)

    def payload(self, payload: str) -> str:
        """The payload itself when it fits Meta's 1,000 characters, else its stored short id."""
        return payload if len(payload) <= PAYLOAD_MAX else self.payload_id(payload)

    def quick_reply(self, reply: QuickReply) -> dict[str, str]:
        return {
            "content_type": "text",
            "title": label(reply.title, TITLE_MAX),
            "payload": self.payload(reply.payload),
        }

    def button(self, button: Button) -> dict[str, str]:
        title = label(button.title, TITLE_MAX)
        match button:
            case PostbackButton():
                return {"type": "postback", "title": title, "payload": self.payload(button.payload)}
            case UrlButton():
                return {"type": "web_url", "title": title, "url": self.url(button.url)}
            case CallButton():
                return {"type": "phone_number", "title": title, "payload": button.phone}
            case _:
                assert_never(button)

    def buttons(self, buttons: Sequence[Button]) -> list[dict[str, str]]:
        return [self.button(button) for button in buttons]

    def element(self, card: Card) -> dict[str, Any]:
        """One generic template element; a bare card's subtitle is its link (else its title)."""
        element: dict[str, Any] = {"title": label(card.title, ELEMENT_TEXT_MAX)}
        subtitle = _subtitle(card)
        if is_bare(card):
            subtitle = self.url(card.url) if card.url else card.title
        if subtitle:
            element["subtitle"] = label(subtitle, ELEMENT_TEXT_MAX)
        if card.image_url:
            element["image_url"] = self.url(card.image_url)
        if card.url:
            element["default_action"] = {"type": "web_url", "url": self.url(card.url)}
        if card.buttons:
            element["buttons"] = self.buttons(card.buttons)
        return element


def _subtitle(card: Card) -> str:
    """The price first, then the subtitle: "89,95 € · Leicht und schnell"."""
    parts = [part for part in (card.price, card.subtitle) if part and part.strip()]
    return _PRICE_SEPARATOR.join(parts)
