"""The channel-neutral message model: what the bot says, before any channel renders it.

Every value is a frozen pydantic model with a ``type`` discriminator. Limits are
the widest any channel accepts; a channel that allows less gets a degraded form
(see ``theke.content.degrade``). Text is kept exactly as given: emoji, right-to-left
script, NUL bytes and HTML markup alike. Escaping is the renderer's job.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

__all__ = [
    "CENTS_MAX",
    "TEXT_MAX",
    "Button",
    "Buttons",
    "CallButton",
    "Card",
    "Carousel",
    "Consent",
    "Content",
    "Media",
    "MediaKind",
    "PostbackButton",
    "QuickReplies",
    "QuickReply",
    "Receipt",
    "ReceiptAddress",
    "ReceiptItem",
    "Text",
    "Typing",
    "UrlButton",
    "absolute_url",
]

TEXT_MAX = 20_000
"""The longest text any content value may carry, in characters."""
CENTS_MAX = 10**15 - 1
"""The largest amount a receipt carries, in cents: JSON readers hold numbers as doubles,
which keep every cent of an amount up to this size exact."""

MediaKind = Literal["image", "audio", "video", "file"]

_URL_MAX = 2048
_PHONE = re.compile(r"\+[1-9][0-9]{6,14}")
_PHONE_SEPARATORS = str.maketrans("", "", " \t-/().\u00a0")


def _web_url(value: str) -> str:
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValueError("must not contain spaces or control characters; encode them (%20)")
    if value.startswith("/") and not value.startswith("//"):
        return value  # a path on this Theke server; channels resolve it with THEKE_PUBLIC_URL
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc})") from exc
    if parts.scheme.lower() not in {"http", "https"} or not host:
        raise ValueError(
            "must be an http:// or https:// URL with a host, or a path on this server (/static/...)"
        )
    return value


def absolute_url(url: str, public_url: str) -> str:
    """A content URL as customers' devices and platforms must see it: server paths get the host."""
    if url.startswith("/") and not url.startswith("//"):
        return public_url.rstrip("/") + url
    return url


def _phone_number(value: object) -> object:
    """Accept common spellings of an international number and keep the E.164 form."""
    if not isinstance(value, str):
        return value
    compact = value.translate(_PHONE_SEPARATORS)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact


def _e164(value: str) -> str:
    if not _PHONE.fullmatch(value):
        raise ValueError("must be an international number with country code, like +49301234567")
    return value


def _chars(low: int, high: int) -> Any:
    return Field(strict=True, min_length=low, max_length=high)


_MessageText = Annotated[str, _chars(1, TEXT_MAX)]
_Title = Annotated[str, _chars(1, 80)]
_Payload = Annotated[str, _chars(1, 1000)]
_WebUrl = Annotated[
    str,
    _chars(1, _URL_MAX),
    AfterValidator(_web_url),
    Field(json_schema_extra={"format": "uri", "pattern": "^[hH][tT][tT][pP][sS]?://"}),
]
_Phone = Annotated[
    str,
    BeforeValidator(_phone_number),
    Field(strict=True, json_schema_extra={"pattern": "^\\+[1-9][0-9]{6,14}$"}),
    AfterValidator(_e164),
]


_Line = Annotated[str, _chars(1, 100)]
_Cents = Annotated[int, Field(strict=True, ge=0, le=CENTS_MAX)]
_Currency = Annotated[str, Field(strict=True, pattern="^[A-Z]{3}$")]
_Country = Annotated[str, Field(strict=True, pattern="^[A-Z]{2}$")]
_Topic = Annotated[
    str, Field(strict=True, min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_.:-]+$")
]


def _require_type(schema: dict[str, Any]) -> None:
    """The JSON form always names its type, although Python callers may leave it out."""
    if "type" not in schema.get("properties", {}):
        return
    required = [name for name in schema.get("required", []) if name != "type"]
    schema["required"] = ["type", *required]


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, json_schema_extra=_require_type
    )


class Text(_Model):
    """A plain text message."""

    type: Literal["text"] = "text"
    text: _MessageText
    """The message, 1 to 20,000 characters, kept exactly as given."""


class QuickReply(_Model):
    """One suggested answer shown under a question; it disappears once tapped."""

    title: _Title
    """What the customer sees and sends, 1 to 80 characters."""
    payload: _Payload
    """What the bot receives when it is tapped, 1 to 1,000 characters."""


Share = Literal["phone", "email"]
"""What a platform's own button can send from the customer's profile."""


class QuickReplies(_Model):
    """A question with up to 13 suggested answers."""

    type: Literal["quick_replies"] = "quick_replies"
    text: _MessageText
    """The question, 1 to 20,000 characters."""
    replies: Annotated[tuple[QuickReply, ...], Field(max_length=13)] = ()
    """The suggested answers, 0 to 13 (0 only with ``share``)."""
    share: Share | None = None
    """Also offer the platform's own button that answers with the customer's phone number
    or e-mail address from their profile: Messenger's ``user_phone_number`` /
    ``user_email`` quick reply, which Meta fills in and so confirms; Telegram's keyboard
    button that sends the customer's own contact (phone only). Channels without one show
    the question and the other answers."""
    share_title: _Title | None = None
    """The share button's label where the platform needs one (Telegram's keyboard button
    that sends the customer's contact); without it the channel's own default."""

    @model_validator(mode="after")
    def _something_to_tap(self) -> QuickReplies:
        if not self.replies and self.share is None:
            raise ValueError("replies: give at least one reply (or set share)")
        return self


class PostbackButton(_Model):
    """A button that sends its payload back to the bot."""

    type: Literal["postback"] = "postback"
    title: _Title
    """The label, 1 to 80 characters."""
    payload: _Payload
    """What the bot receives when it is pressed, 1 to 1,000 characters."""


class UrlButton(_Model):
    """A button that opens a web page."""

    type: Literal["url"] = "url"
    title: _Title
    """The label, 1 to 80 characters."""
    url: _WebUrl
    """An http:// or https:// address."""


class CallButton(_Model):
    """A button that calls a phone number."""

    type: Literal["call"] = "call"
    title: _Title
    """The label, 1 to 80 characters."""
    phone: _Phone
    """An international number; spaces, dashes and a leading 00 are accepted and removed."""


Button = Annotated[PostbackButton | UrlButton | CallButton, Field(discriminator="type")]


class Buttons(_Model):
    """A message with one to three buttons under it."""

    type: Literal["buttons"] = "buttons"
    text: _MessageText
    """The message above the buttons, 1 to 20,000 characters."""
    buttons: Annotated[tuple[Button, ...], Field(min_length=1, max_length=3)]
    """The buttons, 1 to 3."""


class Card(_Model):
    """A product or topic: title, picture, price and up to three buttons."""

    type: Literal["card"] = "card"
    title: _Title
    """The heading, 1 to 80 characters."""
    subtitle: Annotated[str, _chars(1, 400)] | None = None
    """A line or two under the title, up to 400 characters."""
    image_url: _WebUrl | None = None
    """The picture, an http:// or https:// address."""
    url: _WebUrl | None = None
    """The page that opens when the card itself is tapped."""
    price: Annotated[str, _chars(1, 40)] | None = None
    """The price as it should be shown, like "89,99 €" (see ``format_price``)."""
    buttons: Annotated[tuple[Button, ...], Field(max_length=3)] = ()
    """Up to three buttons."""


class Carousel(_Model):
    """Cards side by side, one to ten."""

    type: Literal["carousel"] = "carousel"
    cards: Annotated[tuple[Card, ...], Field(min_length=1, max_length=10)]
    """The cards, 1 to 10, in the order shown."""


class Media(_Model):
    """A picture, recording, video or file, with an optional caption."""

    type: Literal["media"] = "media"
    kind: MediaKind
    """One of image, audio, video, file."""
    url: _WebUrl
    """Where the channel fetches it, an http:// or https:// address."""
    caption: Annotated[str, _chars(1, 1024)] | None = None
    """Text shown with it, up to 1,024 characters."""
    filename: Annotated[str, _chars(1, 255)] | None = None
    """The name a downloaded file gets, up to 255 characters."""


class Typing(_Model):
    """The typing indicator, shown for a moment before the next message."""

    type: Literal["typing"] = "typing"
    seconds: Annotated[float, Field(strict=True, gt=0, le=10, allow_inf_nan=False)] = 1.0
    """How long to show it: more than 0, at most 10 seconds."""


class ReceiptItem(_Model):
    """One line of an order: what was bought, how many, at what price."""

    title: _Title
    """The product, 1 to 80 characters."""
    subtitle: Annotated[str, _chars(1, 80)] | None = None
    """A detail such as size or colour, up to 80 characters."""
    quantity: Annotated[int, Field(strict=True, ge=1, le=999)]
    """How many, 1 to 999."""
    price_cents: _Cents
    """The price of one piece in cents, VAT included (0 for a free item)."""
    image_url: _WebUrl | None = None
    """The product's picture, an http:// or https:// address."""

    @model_validator(mode="after")
    def _line_in_range(self) -> ReceiptItem:
        if self.price_cents * self.quantity > CENTS_MAX:
            raise ValueError(f"price_cents: the line (price times quantity) exceeds {CENTS_MAX}")
        return self


class ReceiptAddress(_Model):
    """Where the order is shipped."""

    street_1: _Line
    """Street and number, 1 to 100 characters."""
    street_2: _Line | None = None
    """A second address line (c/o, floor), up to 100 characters."""
    city: _Line
    """The city, 1 to 100 characters."""
    postal_code: Annotated[str, _chars(1, 20)]
    """The postal code, 1 to 20 characters."""
    state: _Line | None = None
    """The state or region where addresses have one, up to 100 characters."""
    country: _Country
    """The ISO 3166 two-letter country code in capitals, like DE."""


class Receipt(_Model):
    """An order confirmation: the items, the amounts and where the order goes.

    Amounts are whole cents (hundredths of the currency's unit). ``text`` is the
    same confirmation as plain text in the customer's language; channels without
    receipts show it instead.
    """

    type: Literal["receipt"] = "receipt"
    recipient_name: _Line
    """The customer's name as the order has it, 1 to 100 characters."""
    order_number: Annotated[str, _chars(1, 40)]
    """The shop's order number, 1 to 40 characters."""
    currency: _Currency
    """The ISO 4217 currency code of every amount, three capitals like EUR."""
    payment_method: _Line
    """How the customer pays, like "Kreditkarte (Stripe)" or "Rechnung", 1 to 100 characters."""
    order_url: _WebUrl | None = None
    """The order's page in the shop."""
    items: Annotated[tuple[ReceiptItem, ...], Field(min_length=1, max_length=100)]
    """What was ordered, 1 to 100 lines."""
    address: ReceiptAddress | None = None
    """The shipping address, if the order is shipped."""
    subtotal_cents: _Cents
    """The sum of the items in cents, VAT included."""
    shipping_cents: _Cents
    """The shipping cost in cents, VAT included."""
    tax_cents: _Cents
    """The VAT included in the total, in cents."""
    total_cents: _Cents
    """What the customer pays, in cents."""
    text: _MessageText
    """The whole receipt as plain text, 1 to 20,000 characters, written for the customer."""


class Consent(_Model):
    """A request for the customer's permission to be messaged later about one topic.

    Messenger shows ``text`` and then its Marketing Messages opt-in request, whose button
    the customer taps to say yes; every other channel shows ``text`` alone.
    """

    type: Literal["consent"] = "consent"
    text: _MessageText
    """What the customer reads on every channel, 1 to 20,000 characters: the offer to be
    told, or the confirmation that they will be."""
    title: Annotated[str, _chars(1, 65)]
    """The opt-in request's title on Messenger, 1 to 65 characters, like "Bescheid, wenn
    der Samba OG wieder da ist"."""
    topic: _Topic
    """What the permission is for, 1 to 200 letters, digits and ``_ . : -``, like
    ``back_in_stock``; Messenger returns it with the customer's yes."""
    image_url: _WebUrl | None = None
    """A picture for the opt-in request, an http:// or https:// address."""


Content = Annotated[
    Text | QuickReplies | Buttons | Card | Carousel | Media | Typing | Receipt | Consent,
    Field(discriminator="type"),
]
