"""What a Telegram message carries besides its text, as ``InboundEvent.extra``."""

from __future__ import annotations

from typing import Any

import phonenumbers

from theke.channels.telegram._models import Message

__all__ = ["contact_extra", "e164", "message_extra"]


def message_extra(message: Message) -> dict[str, Any]:
    """``{"attachments": [...]}`` for a photo, file, voice message, video or location."""
    attachments: list[dict[str, Any]] = []
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        attachments.append({"type": "image", "file_id": largest.file_id})
    if message.document is not None:
        doc = message.document
        attachments.append(
            {"type": "file", "file_id": doc.file_id, "name": doc.file_name, "mime": doc.mime_type}
        )
    if message.voice is not None:
        attachments.append({"type": "audio", "file_id": message.voice.file_id})
    if message.video is not None:
        attachments.append({"type": "video", "file_id": message.video.file_id})
    if message.location is not None:
        place = message.location
        attachments.append(
            {"type": "location", "latitude": place.latitude, "longitude": place.longitude}
        )
    return {"attachments": attachments} if attachments else {}


def contact_extra(message: Message) -> dict[str, Any]:
    """The shared phone number, and whether it is the sender's own (Telegram checked it)."""
    contact = message.contact
    if contact is None:
        return {}
    sender = message.from_.id if message.from_ is not None else None
    verified = contact.user_id is not None and contact.user_id == sender
    phone = e164(contact.phone_number)
    if phone is None:
        return {"contact_phone_raw": contact.phone_number, "contact_verified": verified}
    return {"contact_phone": phone, "contact_verified": verified}


def e164(number: str) -> str | None:
    """The number in E.164 (``+491701234567``); Telegram often leaves out the "+"."""
    digits = number.strip()
    candidate = digits if digits.startswith("+") else "+" + digits
    try:
        parsed = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
