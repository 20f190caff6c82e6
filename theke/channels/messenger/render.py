"""Content to Messenger Send API bodies: pure functions, no I/O.

``render`` turns one channel-neutral content value into the variable part of
the Send API requests that show it, in order: each body is ``{"message":
{...}}`` or ``{"sender_action": "typing_on"}``. The caller adds ``recipient``,
``messaging_type``, ``tag`` and ``message.metadata``. Messenger shows text as
plain characters, so markup needs no escaping.

Like Telegram's renderer this one takes any valid content and fits it itself;
its limits are those of ``capabilities_for("messenger")`` (a test checks), so
content ``degrade``-d for Messenger renders unchanged. What Messenger cannot
show is degraded, never dropped:

- a text longer than 2,000 characters becomes several messages, split at a
  paragraph, line, sentence or word boundary (only the whitespace at a split
  point is left out); quick replies go under the last one;
- quick reply and button titles longer than 20 characters are shortened with
  "…"; a payload longer than 1,000 characters is sent as ``payload_id(payload)``,
  a short id the caller stores it under;
- the text above buttons (a button template) holds at most 640 characters: the
  start of a longer one goes first as text messages, the template carries the
  last part;
- a card's price goes first in its subtitle ("89,95 € · Leicht und schnell");
  element titles and subtitles longer than 80 characters are shortened with "…";
  a card's own link (``Card.url``) opens when the card is tapped;
- Meta refuses an element with only a title: a single such card is sent as a
  text message (title and link); in a carousel its link, else its title, is
  its subtitle;
- a carousel of more than ten cards becomes several carousels of ten;
- media have no caption on Messenger: the caption follows as a text message;
  Messenger takes no name for a file sent by URL (``Media.filename`` is unused);
- the typing indicator shows for Messenger's own 20 seconds or until the next
  message (``Typing.seconds`` is unused);
- a text of only whitespace says nothing and gives no message (Meta refuses
  it); one that carries quick replies or buttons, or a blank title, gets "…";
- a receipt is Messenger's receipt template: amounts in the currency's units
  (8999 cents are 89.99), each item's price for the whole line (unit price times
  quantity, as Meta's summary adds them up), no ``timestamp``, and the city as
  the address's state when it has none (Meta requires one); a receipt with a
  blank name, order number, payment method, item title or address line, which
  Meta refuses, is sent as its text (``receipt_fits``);
- a consent request is two things: its text, as text messages, then Messenger's
  Marketing Messages opt-in request (``notification_messages`` template) with
  the title, the topic as ``payload`` and a "Get updates" button
  (``GET_UPDATES``); no frequency (Meta deprecated it) and no timezone (UTC).
  Meta takes such a request only within the 24-hour window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, assert_never

from theke.channels.messenger._template import BLANK_STANDIN, Target, is_bare
from theke.content import (
    Buttons,
    Card,
    Carousel,
    Consent,
    Content,
    Media,
    QuickReplies,
    Receipt,
    Text,
    Typing,
    receipt_fits,
    split_text,
)

__all__ = ["BUTTONS_TEXT_MAX", "ELEMENTS_MAX", "QUICK_REPLIES_MAX", "TEXT_MAX", "Body", "render"]

TEXT_MAX = 2000
"""The longest text message, in characters."""
BUTTONS_TEXT_MAX = 640
"""The longest text of a button template, in characters."""
QUICK_REPLIES_MAX = 13
"""The most quick replies under one message."""
ELEMENTS_MAX = 10
"""The most elements (cards) in one generic template."""

Body = dict[str, Any]
"""One Send API request body without ``recipient`` and ``messaging_type``."""


def render(
    content: Content,
    psid: str,
    *,
    public_url: str = "",
    payload_id: Callable[[str], str],
) -> list[Body]:
    """The Send API bodies that show ``content`` to the customer ``psid``, in order.

    ``psid`` is not part of the bodies (the caller adds ``recipient``); it is
    taken so every channel's renderer is called alike. ``payload_id`` stores a
    payload too long for Messenger and returns its short id; ``public_url``
    makes paths on this server (``/catalog/...``) absolute. Raises
    ``ConfigurationError`` for such a path without a public URL.
    """
    target = Target(payload_id, public_url)
    match content:
        case Text():
            return _texts(content.text)
        case QuickReplies():
            return _quick_replies(target, content)
        case Buttons():
            return _button_template(target, content)
        case Card():
            return _card(target, content)
        case Carousel():
            return _carousels(target, content.cards)
        case Media():
            return _media(target, content)
        case Typing():
            return [{"sender_action": "typing_on"}]
        case Receipt() if receipt_fits(content):
            return [_template(target.receipt(content))]
        case Receipt():
            return _texts(content.text)
        case Consent():
            return [*_texts(content.text), _template(target.consent(content))]
        case _:
            assert_never(content)


def _message(**fields: Any) -> Body:
    return {"message": fields}


def _parts(text: str, limit: int = TEXT_MAX) -> list[str]:
    """``text`` in parts of at most ``limit`` characters; blank parts are left out."""
    return [part for part in split_text(text, limit) if part.strip()] if text else []


def _texts(text: str) -> list[Body]:
    return [_message(text=part) for part in _parts(text)]


def _quick_replies(target: Target, content: QuickReplies) -> list[Body]:
    bodies = [_message(text=part) for part in _parts(content.text) or [BLANK_STANDIN]]
    replies = [target.quick_reply(reply) for reply in content.replies]
    if content.share is not None and len(replies) < QUICK_REPLIES_MAX:
        # Meta's own button, filled from the customer's profile; with 13 answers already
        # there is no room, and the answers win (the customer can still type the number).
        kind = "user_phone_number" if content.share == "phone" else "user_email"
        replies = [{"content_type": kind}, *replies]
    bodies[-1]["message"]["quick_replies"] = replies
    return bodies


def _button_template(target: Target, content: Buttons) -> list[Body]:
    head, tail = _tail(content.text, BUTTONS_TEXT_MAX)
    payload = {
        "template_type": "button",
        "text": tail or BLANK_STANDIN,
        "buttons": target.buttons(content.buttons),
    }
    return [*_texts(head), _template(payload)]


def _tail(text: str, limit: int) -> tuple[str, str]:
    """The start of ``text`` and its last part of at most ``limit`` characters.

    The last part ends the text exactly (trailing whitespace aside), so the
    start is everything before it.
    """
    text = text.rstrip()
    if len(text) <= limit:
        return "", text
    last = split_text(text, limit)[-1]
    return text[: len(text) - len(last)], last


def _card(target: Target, card: Card) -> list[Body]:
    if is_bare(card):
        return _texts("\n".join([card.title, *([target.url(card.url)] if card.url else [])]))
    return _carousels(target, [card])


def _carousels(target: Target, cards: Sequence[Card]) -> list[Body]:
    """Generic templates of at most ten elements each."""
    return [
        _template(
            {
                "template_type": "generic",
                "elements": [target.element(card) for card in cards[i : i + ELEMENTS_MAX]],
            }
        )
        for i in range(0, len(cards), ELEMENTS_MAX)
    ]


def _template(payload: dict[str, Any]) -> Body:
    return _message(attachment={"type": "template", "payload": payload})


def _media(target: Target, content: Media) -> list[Body]:
    attachment = {
        "type": content.kind,
        "payload": {"url": target.url(content.url), "is_reusable": True},
    }
    return [_message(attachment=attachment), *_texts(content.caption or "")]
