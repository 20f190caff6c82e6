"""What each channel can show, and the limits it enforces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from theke.content.model import TEXT_MAX
from theke.errors import ContentError

__all__ = ["ALL_BUTTON_KINDS", "ALL_MEDIA", "CAPABILITIES", "Capabilities", "capabilities_for"]

ALL_MEDIA = frozenset({"image", "audio", "video", "file"})
ALL_BUTTON_KINDS = frozenset({"postback", "url", "call"})


@dataclass(frozen=True, slots=True)
class Capabilities:
    """One channel's features and limits; lengths count characters.

    ``degrade`` turns any content into content within these limits.
    """

    name: str
    text_max: int
    quick_replies: bool
    quick_replies_max: int
    quick_reply_title_max: int
    buttons: bool
    buttons_max: int
    button_title_max: int
    cards: bool
    carousel_max: int
    card_title_max: int
    card_subtitle_max: int
    media: frozenset[str]
    """The media kinds shown inline: image, audio, video, file."""
    typing: bool
    html_safe: bool = False
    """True when text reaches the customer as plain characters, so markup needs no
    escaping; False when the renderer must escape it (web page, Telegram HTML)."""
    button_kinds: frozenset[str] = ALL_BUTTON_KINDS
    """The button types shown as buttons: postback, url, call."""
    buttons_text_max: int | None = None
    """The longest text above buttons, when shorter than ``text_max``."""
    caption_max: int = 1024
    """The longest media caption; 0 when captions go in a separate message."""
    receipts: bool = False
    """True when the channel shows an order confirmation (``Receipt``) as a receipt of its
    own (Messenger's receipt template); elsewhere the receipt's text is sent."""
    consent_requests: bool = False
    """True when the channel asks the customer's permission for later messages with a
    button of its own (Messenger's Marketing Messages opt-in request) after a ``Consent``'s
    text; elsewhere only the text is sent."""

    def __post_init__(self) -> None:
        limits = {"text_max": self.text_max}
        if self.quick_replies:
            limits |= {
                "quick_replies_max": self.quick_replies_max,
                "quick_reply_title_max": self.quick_reply_title_max,
            }
        if self.buttons:
            limits |= {"buttons_max": self.buttons_max, "button_title_max": self.button_title_max}
        if self.cards:
            limits |= {
                "carousel_max": self.carousel_max,
                "card_title_max": self.card_title_max,
                "card_subtitle_max": self.card_subtitle_max,
            }
        for field_name, value in limits.items():
            if value < 1:
                raise ContentError(f"Capabilities {self.name!r}: {field_name} must be at least 1")

    @property
    def widget_text_max(self) -> int:
        """The longest text a buttons message may carry on this channel."""
        return self.buttons_text_max or self.text_max


def _text_only(name: str, text_max: int) -> Capabilities:
    return Capabilities(
        name=name,
        text_max=text_max,
        quick_replies=False,
        quick_replies_max=0,
        quick_reply_title_max=0,
        buttons=False,
        buttons_max=0,
        button_title_max=0,
        cards=False,
        carousel_max=0,
        card_title_max=0,
        card_subtitle_max=0,
        media=frozenset(),
        typing=False,
        html_safe=True,
        button_kinds=frozenset(),
        caption_max=0,
    )


_ALL = (
    Capabilities(
        name="webchat",
        text_max=TEXT_MAX,
        quick_replies=True,
        quick_replies_max=13,
        quick_reply_title_max=80,
        buttons=True,
        buttons_max=3,
        button_title_max=80,
        cards=True,
        carousel_max=10,
        card_title_max=80,
        card_subtitle_max=400,
        media=ALL_MEDIA,
        typing=True,
        html_safe=False,
    ),
    _text_only("console", TEXT_MAX),
    _text_only("text", 1600),
    Capabilities(
        name="messenger",
        text_max=2000,
        quick_replies=True,
        quick_replies_max=13,
        quick_reply_title_max=20,
        buttons=True,
        buttons_max=3,
        button_title_max=20,
        cards=True,
        carousel_max=10,
        card_title_max=80,
        card_subtitle_max=80,
        media=ALL_MEDIA,
        typing=True,
        html_safe=True,
        buttons_text_max=640,
        caption_max=0,
        receipts=True,
        consent_requests=True,
    ),
    Capabilities(
        name="whatsapp",
        text_max=4096,
        quick_replies=True,  # rendered as reply buttons
        quick_replies_max=3,
        quick_reply_title_max=20,
        buttons=True,
        buttons_max=3,
        button_title_max=20,
        cards=False,
        carousel_max=0,
        card_title_max=0,
        card_subtitle_max=0,
        media=ALL_MEDIA,
        typing=False,
        html_safe=True,
        button_kinds=frozenset({"postback"}),
        buttons_text_max=1024,
        caption_max=1024,
    ),
    Capabilities(
        name="telegram",
        text_max=4096,
        quick_replies=True,  # rendered as an inline keyboard
        quick_replies_max=13,
        quick_reply_title_max=64,
        buttons=True,
        buttons_max=3,
        button_title_max=64,
        cards=False,
        carousel_max=0,
        card_title_max=0,
        card_subtitle_max=0,
        media=ALL_MEDIA,
        typing=True,
        html_safe=False,
        button_kinds=frozenset({"postback", "url"}),
        caption_max=1024,
    ),
)

CAPABILITIES: Mapping[str, Capabilities] = MappingProxyType({caps.name: caps for caps in _ALL})
"""Every known channel by name; ``capabilities_for`` falls back to plain text."""


def capabilities_for(channel: str) -> Capabilities:
    """The capabilities of a channel; an unknown channel gets plain text only."""
    return CAPABILITIES.get(channel, CAPABILITIES["text"])
