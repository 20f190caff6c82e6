"""Messenger webhook items other than messages, as draft events.

Meta gives most of them no id of their own, so the event id is built from what
identifies the happening: the customer's PSID and Meta's timestamp (or the
read/delivery watermark), the same on every redelivery. An item that lacks
them cannot be deduplicated and is skipped.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from theke.channels.messenger._draft import ID_MAX, Draft, capped_id, iso_time, referral_extra
from theke.channels.messenger._models import Comment, Messaging, Optin, Postback, Referral

__all__ = ["comment", "handover", "optin", "postback", "receipt", "referral"]

_MARKETING = "notification_messages"
_ONE_TIME = "one_time_notif_req"


def postback(tap: Postback, psid: str, timestamp: int | None) -> Draft | None:
    """A tapped button; from the standby channel it comes without its payload."""
    if tap.mid:
        event_id = tap.mid
    elif timestamp is not None:
        event_id = f"postback:{psid}:{timestamp}"
    else:
        return None
    extra = {"referral": referral_extra(tap.referral)} if tap.referral else {}
    return Draft(
        capped_id(event_id), psid, "postback", postback=tap.payload, title=tap.title, extra=extra
    )


def referral(ref: Referral, psid: str, timestamp: int | None) -> Draft | None:
    """The customer came through an m.me link, an ad or the chat plugin without writing."""
    if timestamp is None:
        return None
    event_id = capped_id(f"referral:{psid}:{timestamp}")
    return Draft(event_id, psid, "referral", extra={"referral": referral_extra(ref)})


def optin(consent: Optin, psid: str, timestamp: int | None) -> Draft | None:
    """A Marketing Messages opt-in or opt-out, or a one-time notification token.

    ``notification_messages_status`` is present only when the customer stops
    (``STOP_NOTIFICATIONS``) or resumes notifications. Other opt-ins (the
    checkbox plugin's, with a ``user_ref`` and no PSID) are not answered and
    give no event.
    """
    if timestamp is None or consent.type not in {_MARKETING, _ONE_TIME}:
        return None
    status = (consent.notification_messages_status or "").strip().upper()
    extra: dict[str, Any] = {
        "status": "optout" if status.startswith("STOP") else "optin",
        "topic": consent.payload,
        "title": consent.title,
    }
    if consent.type == _ONE_TIME:
        extra |= {"kind": "one_time", "token": consent.one_time_notif_token}
    else:
        extra |= {
            "token": consent.notification_messages_token,
            "expires_at": iso_time(consent.token_expiry_timestamp),
            "frequency": consent.notification_messages_frequency,
        }
    present = {name: value for name, value in extra.items() if value is not None}
    return Draft(capped_id(f"optin:{psid}:{timestamp}"), psid, "status", extra=present)


def receipt(item: Messaging, psid: str) -> Draft | None:
    """The customer's Messenger received (``delivery``) or showed (``read``) our messages.

    Everything up to ``watermark`` (a time in milliseconds) is delivered or read.
    """
    if item.delivery is not None:
        watermark = item.delivery.watermark
        extra = {"status": "delivered", "watermark": watermark, "mids": item.delivery.mids}
        return Draft(capped_id(f"delivery:{psid}:{watermark}"), psid, "status", extra=extra)
    if item.read is not None:
        watermark = item.read.watermark
        extra = {"status": "read", "watermark": watermark}
        return Draft(capped_id(f"read:{psid}:{watermark}"), psid, "status", extra=extra)
    return None


def handover(item: Messaging, psid: str, *, app_id: str | None) -> Draft | None:
    """Thread control moved: passed (maybe to us), taken from its owner, or requested."""
    extra: dict[str, Any]
    if item.pass_thread_control is not None:
        passed = item.pass_thread_control
        new_owner = passed.new_owner_app_id
        extra = {"action": "pass", "to_app_id": new_owner, "metadata": passed.metadata}
        extra["to_us"] = app_id is not None and new_owner == app_id
        if passed.previous_owner_app_id is not None:
            extra["from_app_id"] = passed.previous_owner_app_id
    elif item.take_thread_control is not None:
        taken = item.take_thread_control
        extra = {"action": "take", "from_app_id": taken.previous_owner_app_id}
        extra |= {"metadata": taken.metadata, "to_us": False}
        if taken.new_owner_app_id is not None:
            extra["to_app_id"] = taken.new_owner_app_id
            extra["to_us"] = app_id is not None and taken.new_owner_app_id == app_id
    elif item.request_thread_control is not None:
        asked = item.request_thread_control
        extra = {"action": "request", "to_app_id": asked.requested_owner_app_id}
        extra |= {"metadata": asked.metadata, "to_us": False}
    else:
        return None
    if item.timestamp is None:
        return None
    event_id = capped_id(f"handover:{extra['action']}:{psid}:{item.timestamp}")
    return Draft(event_id, psid, "handover", extra=extra)


def comment(value: Any, page_id: str | None) -> Draft | None:
    """A comment under one of the page's posts; the page's own comments are skipped."""
    try:
        note = Comment.model_validate(value)
    except ValidationError:
        return None
    author = note.from_
    if note.item != "comment" or author is None or not note.comment_id or not note.verb:
        return None
    if author.id == page_id or not author.id or len(author.id) > ID_MAX:
        return None
    extra = {
        "verb": note.verb,
        "comment_id": note.comment_id,
        "post_id": note.post_id,
        "parent_id": note.parent_id,
        "from_name": author.name,
        "created_time": iso_time(note.created_time),
        "page_id": page_id,
    }
    event_id = capped_id(f"comment:{note.comment_id}:{note.verb}")
    return Draft(event_id, author.id, "comment", text=note.message, extra=extra)
