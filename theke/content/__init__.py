"""The channel-neutral message model, its JSON form, and its degradation per channel."""

from theke.content.capabilities import CAPABILITIES, Capabilities, capabilities_for
from theke.content.codec import content_json_schema, dumps, from_json, loads, text_json, to_json
from theke.content.degrade import degrade, receipt_fits
from theke.content.listing import numbered_choices
from theke.content.model import (
    CENTS_MAX,
    TEXT_MAX,
    Button,
    Buttons,
    CallButton,
    Card,
    Carousel,
    Consent,
    Content,
    Media,
    MediaKind,
    PostbackButton,
    QuickReplies,
    QuickReply,
    Receipt,
    ReceiptAddress,
    ReceiptItem,
    Text,
    Typing,
    UrlButton,
    absolute_url,
)
from theke.content.money import format_price
from theke.content.plain import as_plain_text
from theke.content.text import shorten, split_text

__all__ = [
    "CAPABILITIES",
    "CENTS_MAX",
    "TEXT_MAX",
    "Button",
    "Buttons",
    "CallButton",
    "Capabilities",
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
    "as_plain_text",
    "capabilities_for",
    "content_json_schema",
    "degrade",
    "dumps",
    "format_price",
    "from_json",
    "loads",
    "numbered_choices",
    "receipt_fits",
    "shorten",
    "split_text",
    "text_json",
    "to_json",
]
