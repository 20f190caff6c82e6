"""Content to Telegram Bot API calls: pure functions, no I/O.

``render`` turns one channel-neutral content value into the Bot API calls that
show it, in order. Texts and captions go out without ``parse_mode``: Telegram
shows them as plain characters, so markup such as ``<b>`` or ``*`` needs no
escaping and cannot break a message.

What Telegram cannot show is degraded, never dropped:

- a text longer than 4,096 UTF-16 units becomes several messages, split at a
  paragraph, line, sentence or word boundary (only the whitespace at a split
  point is left out); a keyboard goes under the last one;
- a caption longer than 1,024 units keeps its start under the picture and the
  rest follows as a text message;
- a call button becomes a text line "📞 Title: +49…" (Telegram has no call
  button); a card's own link (``Card.url``) becomes a line of its caption;
- quick replies become an inline keyboard, which stays under the message after
  a tap (Telegram has no disappearing quick replies); a payload longer than 64
  bytes of UTF-8 is sent as ``payload_id(payload)``, a short id the caller
  stores it under; button labels longer than 64 characters are shortened with "…";
- a carousel becomes one photo (or text) message per card, each with its own
  buttons; when no card has buttons and every card has a picture, one album
  (``sendMediaGroup``) instead;
- audio goes as a voice message; a file's name comes from its URL, because
  Telegram takes no name for a file sent by URL (``Media.filename`` is unused);
- the typing indicator shows for Telegram's fixed five seconds or until the
  next message (``Typing.seconds`` is unused);
- a question for the customer's number (``QuickReplies.share``) gets a reply keyboard
  whose first button sends their contact, the other answers as keyboard buttons that send
  their titles as text; it hides after one use;
- a receipt (order confirmation) and a consent request (permission for later
  messages) are sent as the text written with them, split like any text:
  Telegram has no receipt message and no opt-in button;
- a text of only whitespace says nothing and gives no call (Telegram refuses
  it); a keyboard whose text is only whitespace gets "…" as its text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from theke.channels.telegram._keyboard import (
    TITLE_MAX,
    InlineButton,
    call_line,
    inline_keyboard,
    link,
    postback,
)
from theke.channels.telegram._text import split_units, take_units
from theke.content import (
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
    absolute_url,
    shorten,
)
from theke.errors import ConfigurationError

__all__ = ["CAPTION_MAX", "TEXT_MAX", "ApiCall", "render"]

TEXT_MAX = 4096
"""The longest message text, in UTF-16 code units."""
CAPTION_MAX = 1024
"""The longest caption of a photo, file, voice message or video, in UTF-16 code units."""

_MEDIA_METHODS = {
    "image": ("sendPhoto", "photo"),
    "file": ("sendDocument", "document"),
    "audio": ("sendVoice", "voice"),
    "video": ("sendVideo", "video"),
}
_BLANK_STANDIN = "…"
SHARE_TITLE = "📱 Nummer senden / Send number"
"""The share button's label when the content brings none."""


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Bot API call: the method name and its JSON parameters."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Target:
    chat_id: int | str
    payload_id: Callable[[str], str]
    public_url: str

    def url(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//") and not self.public_url:
            raise ConfigurationError(
                f"Telegram needs full addresses, but {url!r} is a path on this server: "
                "set THEKE_PUBLIC_URL to the address customers reach Theke at"
            )
        return absolute_url(url, self.public_url)

    def call(self, method: str, **params: Any) -> ApiCall:
        return ApiCall(method, {"chat_id": self.chat_id, **params})


def render(
    content: Content,
    chat_id: int | str,
    *,
    payload_id: Callable[[str], str],
    public_url: str = "",
) -> list[ApiCall]:
    """The Bot API calls that show ``content`` in chat ``chat_id``, in order.

    ``payload_id`` stores a payload too long for ``callback_data`` and returns
    its short id; ``public_url`` makes paths on this server (``/catalog/...``)
    absolute. Raises ``ConfigurationError`` for such a path without a public URL.
    """
    target = _Target(chat_id, payload_id, public_url)
    match content:
        case Text():
            return _texts(target, content.text)
        case QuickReplies() if content.share == "phone":
            return _share_contact(target, content)
        case QuickReplies():
            replies = [postback(r.title, r.payload, payload_id) for r in content.replies]
            return _texts(target, content.text, replies)
        case Buttons():
            return _buttons(target, content)
        case Card():
            return _card(target, content)
        case Carousel():
            return _carousel(target, content.cards)
        case Media():
            return _media(target, content)
        case Typing():
            return [target.call("sendChatAction", action="typing")]
        case Receipt() | Consent():
            return _texts(target, content.text)
        case _:
            assert_never(content)


def _texts(target: _Target, text: str, keyboard: Sequence[InlineButton] = ()) -> list[ApiCall]:
    """Text messages, the keyboard (if any) under the last one."""
    parts = split_units(text, TEXT_MAX)
    if not parts and keyboard:
        parts = [_BLANK_STANDIN]
    calls = [target.call("sendMessage", text=part) for part in parts]
    if keyboard:
        calls[-1].params["reply_markup"] = inline_keyboard(keyboard)
    return calls


def _share_contact(target: _Target, content: QuickReplies) -> list[ApiCall]:
    """A question for the customer's number: a keyboard whose first button sends their own
    contact (Telegram confirms it is theirs). The other answers are keyboard buttons too,
    which send their title as text (an inline keyboard cannot sit beside it)."""
    calls = _texts(target, content.text) or [target.call("sendMessage", text=_BLANK_STANDIN)]
    share = {
        "text": shorten(content.share_title or SHARE_TITLE, TITLE_MAX),
        "request_contact": True,
    }
    rows = [[share], *([{"text": shorten(r.title, TITLE_MAX)}] for r in content.replies)]
    calls[-1].params["reply_markup"] = {
        "keyboard": rows,
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }
    return calls


def _buttons(target: _Target, content: Buttons) -> list[ApiCall]:
    keyboard, lines = _split_buttons(target, content.buttons)
    return _texts(target, "\n\n".join([content.text, *lines]), keyboard)


def _split_buttons(
    target: _Target, buttons: Sequence[Button]
) -> tuple[list[InlineButton], list[str]]:
    """The inline buttons, and the text lines for the buttons Telegram cannot show."""
    keyboard: list[InlineButton] = []
    lines: list[str] = []
    for button in buttons:
        match button:
            case PostbackButton():
                keyboard.append(postback(button.title, button.payload, target.payload_id))
            case UrlButton():
                keyboard.append(link(button, target.url(button.url)))
            case CallButton():
                lines.append(call_line(button))
            case _:
                assert_never(button)
    return keyboard, lines


def _caption(target: _Target, card: Card) -> tuple[str, list[InlineButton]]:
    keyboard, calls = _split_buttons(target, card.buttons)
    details = [card.subtitle, card.price, card.url and target.url(card.url)]
    lines = [card.title, *(line for line in details if line), *calls]
    return "\n".join(lines), keyboard


def _card(target: _Target, card: Card) -> list[ApiCall]:
    caption, keyboard = _caption(target, card)
    if card.image_url is None:
        return _texts(target, caption, keyboard)
    photo = {"photo": target.url(card.image_url)}
    return _captioned(target, "sendPhoto", photo, caption, keyboard)


def _captioned(
    target: _Target,
    method: str,
    media: dict[str, str],
    caption: str | None,
    keyboard: Sequence[InlineButton] = (),
) -> list[ApiCall]:
    """A media message with the start of its caption; the rest follows as text."""
    head, rest = take_units(caption or "", CAPTION_MAX)
    params: dict[str, Any] = dict(media)
    if head.strip():
        params["caption"] = head
    if keyboard:
        params["reply_markup"] = inline_keyboard(keyboard)
    return [target.call(method, **params), *_texts(target, rest)]


def _carousel(target: _Target, cards: Sequence[Card]) -> list[ApiCall]:
    pictures = [card.image_url for card in cards if card.image_url and not card.buttons]
    if len(cards) < 2 or len(pictures) < len(cards):
        return [call for card in cards for call in _card(target, card)]
    entries: list[dict[str, str]] = []
    overflow: list[ApiCall] = []
    for card, picture in zip(cards, pictures, strict=True):
        head, rest = take_units(_caption(target, card)[0], CAPTION_MAX)
        entries.append({"type": "photo", "media": target.url(picture), "caption": head})
        overflow.extend(_texts(target, rest))
    return [target.call("sendMediaGroup", media=entries), *overflow]


def _media(target: _Target, content: Media) -> list[ApiCall]:
    method, field = _MEDIA_METHODS[content.kind]
    return _captioned(target, method, {field: target.url(content.url)}, content.caption)
