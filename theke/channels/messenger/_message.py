"""A customer's message, or the echo of one the page sent, as a draft event.

A tapped quick reply is a message on Messenger (its title as ``text``, its
payload in ``quick_reply``); Theke makes it a postback like a tapped button.
The phone-number and e-mail quick replies are the exception: Meta fills in
what the customer's profile holds and sends it as both text and payload, so
they stay messages carrying the contact (``contact_phone`` in E.164, or
``contact_email``) with ``contact_verified``: the value comes from the profile,
confirmed with one tap, not typed.
"""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from pydantic import ValidationError

from theke.channels.messenger._draft import Draft, capped_id, referral_extra
from theke.channels.messenger._models import Attachment, Message

__all__ = ["customer_message", "echo"]

_MEDIA = frozenset({"image", "audio", "video", "file"})
_VIDEOS = frozenset({"reel", "ig_reel"})  # a shared reel is a video to look at
_NO_CONTENT = frozenset({"sticker", "appointment_booking"})
_PHONE_LIKE = re.compile(r"\+?[0-9][0-9 ()./-]{5,30}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DEFAULT_REGION = "DE"


def customer_message(message: Message, psid: str) -> Draft:
    """A message, or a postback for a tapped quick reply; ``unsupported`` if nothing is readable."""
    event_id = capped_id(message.mid)
    text = message.text or None
    payload = message.quick_reply.payload if message.quick_reply else None
    extra = _common_extra(message)
    if payload and text is not None:
        contact = _contact(payload, text)
        if contact:
            return Draft(event_id, psid, "message", text=text, extra=extra | contact)
    if payload:
        return Draft(event_id, psid, "postback", postback=payload, title=text, extra=extra)
    attachments, sticker = _attachments(message.attachments)
    if attachments:
        extra["attachments"] = attachments
    if sticker:
        extra["sticker"] = True
    if text is None and not attachments:
        extra["unsupported"] = True  # so the bot can say it cannot read it
    return Draft(event_id, psid, "message", text=text, extra=extra)


def echo(message: Message, psid: str, *, app_id: str | None) -> Draft:
    """A message the page sent: ours (``own``) or typed by a person in Meta's inbox."""
    own = (app_id is not None and message.app_id == app_id) or (
        message.metadata is not None and message.metadata.startswith("theke:")
    )
    extra: dict[str, Any] = {
        "app_id": message.app_id,
        "metadata": message.metadata,
        "own": own,
        "mid": message.mid,
    }
    attachments, _ = _attachments(message.attachments)
    if attachments:
        extra["attachments"] = attachments
    return Draft(capped_id(message.mid), psid, "echo", text=message.text or None, extra=extra)


def _common_extra(message: Message) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if message.reply_to is not None:
        extra["reply_to"] = message.reply_to.mid
    if message.referral is not None:
        extra["referral"] = referral_extra(message.referral)
    return extra


def _contact(payload: str, text: str) -> dict[str, Any]:
    """The contact of a phone-number or e-mail quick reply: its payload is its text."""
    value = payload.strip()
    if value != text.strip():
        return {}
    if _EMAIL.fullmatch(value):
        return {"contact_email": value, "contact_verified": True}
    phone = _e164(value) if _PHONE_LIKE.fullmatch(value) else None
    return {"contact_phone": phone, "contact_verified": True} if phone else {}


def _e164(number: str) -> str | None:
    """The number in E.164; one written without "+" is read as German."""
    try:
        parsed = phonenumbers.parse(number, _DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _attachments(raw: list[Any]) -> tuple[list[dict[str, Any]], bool]:
    """The readable attachments, and whether a sticker was among the others.

    A broken attachment is left out, the others are kept. During Meta's sticker
    transition a sticker comes as both a ``sticker`` and an ``image`` with a
    ``sticker_id``; neither is a picture the customer chose to show.
    """
    readable: list[dict[str, Any]] = []
    sticker = False
    for item in raw:
        try:
            attachment = Attachment.model_validate(item)
        except ValidationError:
            continue
        payload = attachment.payload
        if attachment.type == "sticker" or (payload is not None and payload.sticker_id):
            sticker = True
            continue
        entry = _attachment(attachment)
        if entry is not None:
            readable.append(entry)
    return readable, sticker


def _attachment(attachment: Attachment) -> dict[str, Any] | None:
    payload = attachment.payload
    title = attachment.title or (payload.title if payload else None)
    if attachment.type == "location":
        if payload is None or payload.coordinates is None:
            return None
        place = payload.coordinates
        entry: dict[str, Any] = {"type": "location", "latitude": place.lat, "longitude": place.long}
        return entry | ({"title": title} if title else {})
    url = (payload.url if payload else None) or attachment.url
    if not url or attachment.type in _NO_CONTENT:
        return None  # a fallback without payload: an unsupported share
    if attachment.type in _MEDIA:
        kind = attachment.type
    else:
        kind = "video" if attachment.type in _VIDEOS else "file"  # a link, post or template
    return {"type": kind, "url": url} | ({"title": title} if title else {})
