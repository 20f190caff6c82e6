"""Turning content into what a channel can show, without losing what it says.

A channel without a feature gets the numbered-list text of ``listing``; a
channel with tighter limits gets split texts, shortened labels and the
overflow of a widget as text under it. A receipt, and a consent request where
the channel cannot ask for permission, becomes the text written with it. Only
the typing indicator may vanish, because it says nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from theke.content.capabilities import Capabilities
from theke.content.listing import (
    NumberedButton,
    button_lines,
    listing,
    number_buttons,
    numbered_choices,
    phrase,
)
from theke.content.model import (
    TEXT_MAX,
    Button,
    Buttons,
    Card,
    Carousel,
    Consent,
    Content,
    Media,
    QuickReplies,
    QuickReply,
    Receipt,
    Text,
    Typing,
)
from theke.content.text import shorten, split_text

__all__ = ["degrade", "numbered_choices", "receipt_fits"]


def degrade(content: Content, caps: Capabilities, locale: str = "de") -> list[Content]:
    """The messages that show ``content`` on a channel with ``caps``, in order.

    Every returned value is within the channel's limits. ``locale`` picks the
    language of the few words degradation adds ("Antworte mit der Nummer.").
    """
    match content:
        case Text():
            return _texts(content.text, caps.text_max)
        case QuickReplies():
            return _quick_replies(content, caps, locale)
        case Buttons():
            return _buttons(content, caps, locale)
        case Card():
            return _cards(content, (content,), caps, locale)
        case Carousel():
            return _cards(content, content.cards, caps, locale)
        case Media():
            return _media(content, caps, locale)
        case Typing():
            return [content] if caps.typing else []
        case Receipt() if caps.receipts and receipt_fits(content):
            return [content]
        case Receipt():
            return _texts(content.text, caps.text_max)
        case Consent() if caps.consent_requests:
            return _consent(content, caps)
        case Consent():
            return _texts(content.text, caps.text_max)
        case _:
            assert_never(content)


def receipt_fits(receipt: Receipt) -> bool:
    """Whether a channel's receipt can show ``receipt``: every text a receipt template
    requires (name, order number, payment method, item titles, address lines) shows a
    character. Meta refuses a blank one; such a receipt is sent as its text instead."""
    required = [receipt.recipient_name, receipt.order_number, receipt.payment_method]
    required += [item.title for item in receipt.items]
    if receipt.address is not None:
        address = receipt.address
        required += [address.street_1, address.city, address.postal_code]
    return all(text.strip() for text in required)


def _texts(text: str, limit: int) -> list[Content]:
    return [Text(text=part) for part in split_text(text, min(limit, TEXT_MAX))]


def _consent(content: Consent, caps: Capabilities) -> list[Content]:
    """The start of a long text as texts; the request carries the last part."""
    *before, last = split_text(content.text, min(caps.text_max, TEXT_MAX))
    request = content if last == content.text else content.model_copy(update={"text": last})
    return [*(Text(text=part) for part in before), request]


def _as_text(content: Content, caps: Capabilities, locale: str) -> list[Content]:
    return _texts(listing(content, locale), caps.text_max)


def _quick_replies(content: QuickReplies, caps: Capabilities, locale: str) -> list[Content]:
    limit = caps.quick_replies_max
    shown = content.replies[:limit]
    titles = [shorten(reply.title, caps.quick_reply_title_max) for reply in shown]
    if not caps.quick_replies or not shown or _ambiguous(titles, [r.title for r in shown]):
        return _as_text(content, caps, locale)
    replies = tuple(
        QuickReply(title=title, payload=reply.payload)
        for title, reply in zip(titles, shown, strict=True)
    )
    overflow = [f"{n}. {r.title}" for n, r in enumerate(content.replies, 1)][limit:]
    text = _with_overflow(content.text, overflow, numbered=True, locale=locale)
    *before, last = split_text(text, min(caps.text_max, TEXT_MAX))
    return [*(Text(text=part) for part in before), QuickReplies(text=last, replies=replies)]


def _buttons(content: Buttons, caps: Capabilities, locale: str) -> list[Content]:
    numbered = number_buttons(content.buttons)
    showable = [i for i, (_, b) in enumerate(numbered) if _shows(b, caps)][: caps.buttons_max]
    shown = [_fit_button(numbered[i][1], caps) for i in showable]
    if not shown or _ambiguous([b.title for b in shown], [numbered[i][1].title for i in showable]):
        return _as_text(content, caps, locale)
    rest: list[NumberedButton] = [nb for i, nb in enumerate(numbered) if i not in showable]
    has_numbers = any(number is not None for number, _ in rest)
    text = _with_overflow(content.text, button_lines(rest), numbered=has_numbers, locale=locale)
    *before, last = split_text(text, min(caps.widget_text_max, TEXT_MAX))
    return [*(Text(text=part) for part in before), Buttons(text=last, buttons=tuple(shown))]


def _cards(
    content: Card | Carousel, cards: Sequence[Card], caps: Capabilities, locale: str
) -> list[Content]:
    if not caps.cards or not all(_card_fits(card, caps) for card in cards):
        return _as_text(content, caps, locale)
    fitted = [_fit_card(card, caps) for card in cards]
    if isinstance(content, Card):
        return [fitted[0]]
    size = max(caps.carousel_max, 1)
    return [Carousel(cards=tuple(fitted[i : i + size])) for i in range(0, len(fitted), size)]


def _media(content: Media, caps: Capabilities, locale: str) -> list[Content]:
    if content.kind not in caps.media:
        return _as_text(content, caps, locale)
    if content.caption is None or len(content.caption) <= caps.caption_max:
        return [content]
    return [*_texts(content.caption, caps.text_max), content.model_copy(update={"caption": None})]


def _with_overflow(text: str, lines: list[str], *, numbered: bool, locale: str) -> str:
    """The widget's text with what did not fit in the widget listed under it."""
    if not lines:
        return text
    intro = [phrase(locale, "more")] if numbered else []
    return text + "\n\n" + "\n".join([*intro, *lines])


def _shows(button: Button, caps: Capabilities) -> bool:
    return caps.buttons and button.type in caps.button_kinds


def _fit_button(button: Button, caps: Capabilities) -> Button:
    title = shorten(button.title, caps.button_title_max)
    return button if title == button.title else button.model_copy(update={"title": title})


def _card_fits(card: Card, caps: Capabilities) -> bool:
    """Whether the channel can show every button of the card, each distinguishable."""
    if len(card.buttons) > caps.buttons_max:
        return False
    if not all(_shows(button, caps) for button in card.buttons):
        return False
    titles = [button.title for button in card.buttons]
    return not _ambiguous([shorten(t, caps.button_title_max) for t in titles], titles)


def _fit_card(card: Card, caps: Capabilities) -> Card:
    title = shorten(card.title, caps.card_title_max)
    subtitle = card.subtitle and shorten(card.subtitle, caps.card_subtitle_max)
    buttons = tuple(_fit_button(button, caps) for button in card.buttons)
    if (title, subtitle, buttons) == (card.title, card.subtitle, card.buttons):
        return card
    return card.model_copy(update={"title": title, "subtitle": subtitle, "buttons": buttons})


def _ambiguous(shortened: list[str], originals: list[str]) -> bool:
    """True when shortening made two different labels look the same."""
    return len(set(shortened)) < len(set(originals))
