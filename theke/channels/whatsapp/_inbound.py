"""One customer message of a WhatsApp webhook as the parts of an ``InboundEvent``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from theke.channels.base import InboundKind
from theke.channels.whatsapp._models import (
    Location,
    MediaObject,
    Message,
    Order,
    PlatformError,
    Referral,
    SharedContact,
)

__all__ = ["Draft", "e164", "errors_extra", "message_draft"]

_MEDIA_TYPES = {
    "image": "image",
    "sticker": "image",
    "audio": "audio",
    "video": "video",
    "document": "file",
}
_UNSUPPORTED = frozenset({"unsupported", "unknown"})
_SKIPPED = frozenset({"reaction"})


@dataclass(frozen=True, slots=True)
class Draft:
    """The part of an event that differs between message types."""

    kind: InboundKind = "message"
    text: str | None = None
    postback: str | None = None
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def message_draft(message: Message) -> Draft | None:
    """What the customer sent, or None for what Theke does not act on (a reaction)."""
    if message.type in _SKIPPED:
        return None
    if message.type == "system":
        return _system(message)
    draft = _content(message)
    return Draft(
        draft.kind, draft.text, draft.postback, draft.title, draft.extra | _context(message)
    )


def e164(wa_id: str) -> str | None:
    """The WhatsApp id (digits with country code) as an E.164 number, if it is one."""
    try:
        parsed = phonenumbers.parse("+" + wa_id.strip().lstrip("+"), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def errors_extra(errors: list[PlatformError] | None) -> list[dict[str, Any]]:
    return [{"code": error.code, "title": error.title} for error in errors or []]


def _content(message: Message) -> Draft:
    if message.errors or message.type in _UNSUPPORTED:
        return _unsupported(message)
    if message.type == "text" and message.text is not None:
        return Draft(text=message.text.body)
    if message.type == "interactive" or message.type == "button":
        return _reply(message) or _unsupported(message)
    if message.type in _MEDIA_TYPES:
        return _media(message) or _unsupported(message)
    if message.type == "location" and message.location is not None:
        return Draft(extra={"attachments": [_place(message.location)]})
    if message.type == "contacts" and message.contacts:
        return Draft(extra={"shared_contacts": [_shared(c) for c in message.contacts]})
    if message.type == "order" and message.order is not None:
        return Draft(text=message.order.text, extra={"order": _order(message.order)})
    return _unsupported(message)


def _unsupported(message: Message) -> Draft:
    extra: dict[str, Any] = {"unsupported": True}
    if message.errors:
        extra["errors"] = errors_extra(message.errors)
    return Draft(extra=extra)


def _reply(message: Message) -> Draft | None:
    """A tap on a reply button, a list row or a template's quick-reply button."""
    interactive, button = message.interactive, message.button
    if interactive is not None and interactive.button_reply is not None:
        reply = interactive.button_reply
        return Draft(kind="postback", postback=reply.id, title=reply.title)
    if interactive is not None and interactive.list_reply is not None:
        row = interactive.list_reply
        return Draft(kind="postback", postback=row.id, title=row.title)
    if button is not None and (button.payload or button.text):
        payload = button.payload or button.text
        return Draft(kind="postback", postback=payload, title=button.text)
    return None


def _media(message: Message) -> Draft | None:
    media: MediaObject | None = getattr(message, message.type)
    if media is None:
        return None
    attachment: dict[str, Any] = {"type": _MEDIA_TYPES[message.type], "media_id": media.id}
    details = {"mime_type": media.mime_type, "sha256": media.sha256, "filename": media.filename}
    attachment |= {key: value for key, value in details.items() if value is not None}
    if media.voice:
        attachment["voice"] = True
    if message.type == "sticker":
        attachment["sticker"] = True
    return Draft(text=media.caption or None, extra={"attachments": [attachment]})


def _place(location: Location) -> dict[str, Any]:
    place: dict[str, Any] = {
        "type": "location",
        "latitude": location.latitude,
        "longitude": location.longitude,
    }
    details = {"name": location.name, "address": location.address, "url": location.url}
    return place | {key: value for key, value in details.items() if value}


def _shared(contact: SharedContact) -> dict[str, Any]:
    """A shared card's name and numbers (E.164 where readable, else as written)."""
    phones = [phone.phone or phone.wa_id for phone in contact.phones]
    numbers = [e164(phone) or phone for phone in phones if phone]
    return {"name": contact.name.formatted_name if contact.name else None, "phones": numbers}


def _order(order: Order) -> dict[str, Any]:
    items = [item.model_dump(exclude_none=True) for item in order.product_items]
    return {"catalog_id": order.catalog_id, "product_items": items}


def _system(message: Message) -> Draft | None:
    """The customer moved to a new number; other system messages are not acted on."""
    system = message.system
    if system is None or system.type != "user_changed_number" or not system.wa_id:
        return None
    return Draft(kind="status", extra={"status": "number_changed", "new_wa_id": system.wa_id})


def _context(message: Message) -> dict[str, Any]:
    """The message this one answers, the product it asks about, the ad it came from."""
    extra: dict[str, Any] = {}
    context = message.context
    if context is not None and context.id:
        extra["reply_to"] = context.id
    if context is not None and context.referred_product is not None:
        extra["referred_product"] = context.referred_product.model_dump(exclude_none=True)
    if message.referral is not None:
        extra["referral"] = _referral(message.referral)
    return extra


def _referral(referral: Referral) -> dict[str, Any]:
    details = {
        "type": referral.source_type,
        "ad_id": referral.source_id,
        "source_url": referral.source_url,
        "ctwa_clid": referral.ctwa_clid,
        "headline": referral.headline,
    }
    return {"source": "ADS"} | {key: value for key, value in details.items() if value is not None}
