"""Content to WhatsApp Cloud API message bodies: pure functions, no I/O.

``render`` turns one channel-neutral content value into the bodies of the
``POST /{phone-number-id}/messages`` calls that show it, in order. Each body is
complete except ``messaging_product``, ``recipient_type`` and ``to``, which the
sender adds. Texts go out as written: WhatsApp's own markup (``*bold*``,
``_italic_``) shows as such, HTML does not.

What WhatsApp cannot show is degraded, never dropped:

- a text longer than 4,096 characters becomes several messages, split at a
  paragraph, line, sentence or word boundary; buttons go under the last one;
- an interactive message's body takes at most 1,024 characters: for a question
  the start of a longer text goes first as text messages (the question stays
  next to its buttons); for a card the rest follows as text;
- quick replies and postback buttons: up to 3 become reply buttons (titles at
  most 20 characters, shortened with "…", made unique with " 2", " 3"); 4 to 10
  become a list behind an "Optionen"/"Options" button (row titles at most 24
  characters, the whole title in the row's description when shortened); of
  more than 10 the first 10 are the list and the rest numbered lines under the
  question ("11. …"), answered by typing the number. Ids longer than WhatsApp
  takes (256 for buttons, 200 for rows) are sent as ``payload_id(payload)``;
  a reply whose payload repeats an earlier one is left out (same id, same effect);
- link and call buttons: a lone link button (with no postback buttons) becomes a
  ``cta_url`` button; other link and call buttons become lines of the text,
  "🔗 Title: https://…" and "📞 Title: +49…" (WhatsApp cannot mix them with
  reply buttons, and has no call button outside templates);
- a card becomes reply buttons (or a ``cta_url`` button) under its picture as
  the header, with "title / price / subtitle" as the body and its page
  (``Card.url``) as a "🔗" line; a card without such buttons is a picture with
  that text as caption (at most 1,024 characters, the rest follows as text), or
  only text without a picture;
- a carousel becomes one message per card, in order (WhatsApp's own carousels
  exist only in templates);
- audio takes no caption: the caption follows as a text message; a file's name
  is ``Media.filename``, else the last part of its URL;
- the typing indicator gives no message: WhatsApp shows it only together with
  the read receipt of the customer's message, by that message's id, which the
  sender has and the content has not (``Typing.seconds`` is unused; WhatsApp
  shows it for up to 25 seconds or until our next message);
- a receipt (order confirmation) and a consent request (permission for later
  messages) are sent as the text written with them, split like any text
  (WhatsApp has neither a receipt message nor an opt-in request);
- a text of only whitespace gives no message (WhatsApp refuses it); an
  interactive message whose text is only whitespace gets "…" as its body.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never
from urllib.parse import unquote, urlsplit

from theke.channels.whatsapp._interactive import (
    LIST_ROWS_MAX,
    REPLY_BUTTONS_MAX,
    Choice,
    cta_url,
    distinct,
    reply_buttons,
    row_list,
)
from theke.channels.whatsapp._text import (
    BLANK_STANDIN,
    TEXT_MAX,
    first_lines,
    first_part,
    last_part,
    text_message,
    text_messages,
)
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
)
from theke.content.listing import phrase
from theke.errors import ConfigurationError

__all__ = ["BODY_MAX", "CAPTION_MAX", "TEXT_MAX", "render"]

BODY_MAX = 1024
"""The longest body of an interactive message, in characters."""
CAPTION_MAX = 1024
"""The longest caption of an image, video or document, in characters."""

_MEDIA_TYPES = {"image": "image", "audio": "audio", "video": "video", "file": "document"}
_LIST_LABEL = {"de": "Optionen", "en": "Options"}

WhatsAppMessage = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Target:
    payload_id: Callable[[str], str]
    public_url: str
    locale: str

    def url(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//") and not self.public_url:
            raise ConfigurationError(
                f"WhatsApp needs full addresses, but {url!r} is a path on this server: "
                "set THEKE_PUBLIC_URL to the address customers reach Theke at"
            )
        return absolute_url(url, self.public_url)

    @property
    def list_label(self) -> str:
        german = self.locale.replace("_", "-").split("-")[0].strip().lower() == "de"
        return _LIST_LABEL["de" if german else "en"]


def render(
    content: Content,
    to: str,
    *,
    public_url: str = "",
    payload_id: Callable[[str], str],
    locale: str = "de",
) -> list[WhatsAppMessage]:
    """The message bodies that show ``content`` to the customer ``to`` (a wa_id), in order.

    ``payload_id`` stores a payload too long for a button or row id and returns
    its short id; ``public_url`` makes paths on this server (``/catalog/...``)
    absolute; ``locale`` picks the list button's label and the numbered-lines
    phrase (German unless English is asked for). ``to`` is not part of the
    bodies. Raises ``ConfigurationError`` for a server path without a public URL.
    """
    target = _Target(payload_id, public_url, locale)
    match content:
        case Text():
            return text_messages(content.text)
        case QuickReplies() if not content.replies:  # only share: WhatsApp knows the number
            return text_messages(content.text)
        case QuickReplies():
            choices = [Choice(reply.title, reply.payload) for reply in content.replies]
            return _choices(target, content.text, choices)
        case Buttons():
            return _buttons(target, content)
        case Card():
            return _card(target, content)
        case Carousel():
            return [message for card in content.cards for message in _card(target, card)]
        case Media():
            return _media(target, content)
        case Typing():
            return []
        case Receipt() | Consent():
            return text_messages(content.text)
        case _:
            assert_never(content)


def _interactive(
    before: Sequence[str], body: str, interactive: dict[str, Any]
) -> list[WhatsAppMessage]:
    """Text messages, then the interactive message with ``body``."""
    shown = interactive | {"body": {"text": body}}
    return [*(text_message(part) for part in before), {"type": "interactive", "interactive": shown}]


def _choices(target: _Target, text: str, choices: Sequence[Choice]) -> list[WhatsAppMessage]:
    """Reply buttons for up to three choices, else a list; past ten, numbered lines."""
    shown = distinct(choices[:LIST_ROWS_MAX])
    overflow = [f"{n}. {c.title}" for n, c in enumerate(choices, 1)][LIST_ROWS_MAX:]
    if overflow:
        text += "\n\n" + "\n".join([phrase(target.locale, "more"), *overflow])
    if len(shown) <= REPLY_BUTTONS_MAX:
        interactive = reply_buttons(shown, target.payload_id, None)
    else:
        interactive = row_list(shown, target.payload_id, target.list_label)
    return _interactive(*last_part(text, BODY_MAX), interactive)


def _postbacks(buttons: Sequence[Button]) -> list[Choice]:
    return [Choice(b.title, b.payload) for b in buttons if isinstance(b, PostbackButton)]


def _lone_link(buttons: Sequence[Button]) -> UrlButton | None:
    """The link button that becomes a ``cta_url`` button: the only one, with no postbacks."""
    links = [button for button in buttons if isinstance(button, UrlButton)]
    if len(links) != 1 or _postbacks(buttons):
        return None
    return links[0]


def _lines(target: _Target, buttons: Sequence[Button], shown: UrlButton | None) -> list[str]:
    """The text lines for the link and call buttons not shown as buttons."""
    lines: list[str] = []
    for button in buttons:
        match button:
            case PostbackButton():
                pass
            case UrlButton():
                if button is not shown:
                    lines.append(f"🔗 {button.title}: {target.url(button.url)}")
            case CallButton():
                lines.append(f"📞 {button.title}: {button.phone}")
            case _:
                assert_never(button)
    return lines


def _buttons(target: _Target, content: Buttons) -> list[WhatsAppMessage]:
    link = _lone_link(content.buttons)
    text = "\n\n".join([content.text, *_lines(target, content.buttons, link)])
    if link is not None:
        before, body = last_part(text, BODY_MAX)
        return _interactive(before, body, cta_url(link.title, target.url(link.url), None))
    postbacks = _postbacks(content.buttons)
    if postbacks:
        return _choices(target, text, postbacks)
    return text_messages(text)


def _card(target: _Target, card: Card) -> list[WhatsAppMessage]:
    link = _lone_link(card.buttons)
    page = [f"🔗 {target.url(card.url)}"] if card.url else []
    details = [card.title, card.price, card.subtitle, *page]
    lines = [line for line in details if line] + _lines(target, card.buttons, link)
    body, rest = first_lines(lines, BODY_MAX)
    image = target.url(card.image_url) if card.image_url else None
    header = {"type": "image", "image": {"link": image}} if image else None
    postbacks = distinct(_postbacks(card.buttons))
    if postbacks:
        interactive = reply_buttons(postbacks, target.payload_id, header)
    elif link is not None:
        interactive = cta_url(link.title, target.url(link.url), header)
    elif image is not None:
        return _captioned("image", {"link": image}, body, rest)
    else:
        return text_messages("\n".join(lines))
    return [*_interactive([], body or BLANK_STANDIN, interactive), *text_messages(rest)]


def _captioned(kind: str, media: dict[str, str], head: str, rest: str) -> list[WhatsAppMessage]:
    """A media message with ``head`` as its caption; ``rest`` follows as text."""
    shown = media | ({"caption": head} if head else {})
    return [{"type": kind, kind: shown}, *text_messages(rest)]


def _media(target: _Target, content: Media) -> list[WhatsAppMessage]:
    kind = _MEDIA_TYPES[content.kind]
    media = {"link": target.url(content.url)}
    if kind == "audio":
        return [{"type": kind, kind: media}, *text_messages(content.caption or "")]
    if kind == "document":
        name = content.filename or _file_name(media["link"])
        media |= {"filename": name} if name else {}
    return _captioned(kind, media, *first_part(content.caption or "", CAPTION_MAX))


def _file_name(url: str) -> str:
    """The last part of the URL's path, decoded: "Rechnung 42.pdf" from ".../Rechnung%2042.pdf"."""
    return unquote(posixpath.basename(urlsplit(url).path))
