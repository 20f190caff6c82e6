"""WhatsApp Cloud API webhook deliveries to ``InboundEvent``s: pure functions, no I/O.

Meta batches: one delivery holds ``entry[]`` (one per business account), each
with ``changes[]``, each with a ``value`` that may carry several ``messages``
and ``statuses``. Every ``messages`` change is read and every item in it; an
item of an unexpected shape is skipped on its own, so one broken message never
loses the others. Changes for another of the business's numbers (when
``phone_number_id`` is given) and other webhook fields (``account_update``,
``message_template_status_update``, ...) give no events.

What becomes an event (``sender`` is always the customer's ``wa_id``, digits):

- text → ``message``; a photo, voice note, audio, video, document or sticker →
  ``message`` with its caption as text and ``extra["attachments"]`` (``{"type":
  "image" | "audio" | "video" | "file", "media_id", "mime_type", "sha256",
  "filename", "voice", "sticker"}``, fetched later by media id); a location → an
  attachment of type ``location``; shared contact cards → ``extra["shared_contacts"]``
  (``{"name", "phones"}``: someone's card, never proof of the customer's own
  number); a catalog cart → ``extra["order"]``;
- a tapped reply button, list row or template quick-reply button → ``postback``
  (``postback`` the button's id or payload, ``title`` its label);
- a message type Cloud API cannot show (``unsupported``, ``unknown``, or one
  with ``errors``) → ``message`` without text, ``extra["unsupported"] = True``,
  so the bot can ask for text instead of staying silent;
- the customer moving to a new number (system ``user_changed_number``) →
  ``status`` with ``extra = {"status": "number_changed", "new_wa_id"}``;
- our message's fate (``statuses[]``: ``sent``, ``delivered``, ``read``,
  ``failed``) → ``status`` with ``extra = {"status", "message_id", "errors":
  [{"code", "title"}]}``, sender the recipient, event id
  ``status:{wamid}:{status}`` (one per step, so none is deduplicated away).

Every customer message (not status) also carries ``extra["contact_phone"]``, the
wa_id in E.164 with ``contact_verified: True`` (WhatsApp confirmed the number
when the customer signed up), ``profile_name`` (from ``contacts[]``),
``reply_to`` (the wamid of the message answered), ``referred_product`` (asked
about from a catalog) and ``referral`` (``{"source": "ADS", "type", "ad_id",
"source_url", "ctwa_clid", "headline"}`` for the first message after a
Click-to-WhatsApp ad).

Not events: reactions (an emoji on a message says nothing the bot answers),
other system messages, statuses other than the four above, and webhook-level
``errors[]`` (problems of the business account, for the operator, not a
conversation).

``received_at`` is our receipt time, not Meta's ``timestamp``: the 24-hour
customer-service window is counted from it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from theke.channels.base import InboundEvent
from theke.channels.whatsapp._inbound import Draft, e164, errors_extra, message_draft
from theke.channels.whatsapp._models import Contact, Message, Metadata, Status
from theke.errors import ThekeError

__all__ = ["CHANNEL", "OBJECT", "WhatsAppWebhookError", "parse_delivery"]

CHANNEL = "whatsapp"
OBJECT = "whatsapp_business_account"
"""The ``object`` of every WhatsApp Business webhook delivery."""

_STATUSES = frozenset({"sent", "delivered", "read", "failed"})
_M = TypeVar("_M", bound=BaseModel)


class WhatsAppWebhookError(ThekeError, ValueError):
    """The body is not a WhatsApp Business webhook delivery; the webhook answers 400."""


def parse_delivery(
    body: bytes, *, phone_number_id: str | None = None, received_at: datetime | None = None
) -> list[InboundEvent]:
    """The events in one webhook delivery, in the order Meta listed them.

    ``phone_number_id`` is our number's id: changes for other numbers of the
    same business account are skipped. Raises ``WhatsAppWebhookError`` when
    ``body`` is not JSON, not an object, or not for ``whatsapp_business_account``.
    """
    received = received_at or datetime.now(UTC)
    events: list[InboundEvent | None] = []
    for value in _values(_load(body), phone_number_id):
        names = _profile_names(value.get("contacts"))
        events.extend(_message_event(item, names, received) for item in _items(value, "messages"))
        events.extend(_status_event(item, received) for item in _items(value, "statuses"))
    return [event for event in events if event is not None]


def _load(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise WhatsAppWebhookError(f"WhatsApp webhook body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise WhatsAppWebhookError(
            f"WhatsApp webhook body must be a JSON object, not {type(data).__name__}"
        )
    if data.get("object") != OBJECT:
        raise WhatsAppWebhookError(
            f"WhatsApp webhook body is for {data.get('object')!r}, not {OBJECT!r}"
        )
    return data


def _values(data: dict[str, Any], phone_number_id: str | None) -> Iterator[dict[str, Any]]:
    """The ``value`` of every ``messages`` change for our number."""
    for entry in _dicts(data.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            metadata = _validated(Metadata, value.get("metadata"))
            number = metadata.phone_number_id if metadata is not None else None
            if phone_number_id is None or number == phone_number_id:
                yield value


def _dicts(items: object) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _items(value: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return _dicts(value.get(key))


def _validated(model: type[_M], data: object) -> _M | None:
    try:
        return model.model_validate(data)
    except ValidationError:
        return None


def _profile_names(contacts: object) -> dict[str, str]:
    """Each customer's WhatsApp profile name by wa_id."""
    valid = (_validated(Contact, item) for item in _dicts(contacts))
    return {c.wa_id: c.profile.name for c in valid if c and c.profile and c.profile.name}


def _message_event(
    item: dict[str, Any], names: dict[str, str], received: datetime
) -> InboundEvent | None:
    message = _validated(Message, item)
    draft = message_draft(message) if message is not None else None
    if message is None or draft is None:
        return None
    extra = draft.extra if draft.kind == "status" else _customer(message.from_, names) | draft.extra
    return _event(message.id, message.from_, draft, received, extra)


def _customer(wa_id: str, names: dict[str, str]) -> dict[str, Any]:
    """Who wrote: their number, confirmed by WhatsApp, and their profile name."""
    extra: dict[str, Any] = {}
    if wa_id in names:
        extra["profile_name"] = names[wa_id]
    phone = e164(wa_id)
    if phone is not None:
        extra |= {"contact_phone": phone, "contact_verified": True}
    return extra


def _status_event(item: dict[str, Any], received: datetime) -> InboundEvent | None:
    status = _validated(Status, item)
    if status is None or status.status not in _STATUSES:
        return None
    extra = {
        "status": status.status,
        "message_id": status.id,
        "errors": errors_extra(status.errors),
    }
    draft = Draft(kind="status")
    event_id = f"status:{status.id}:{status.status}"
    return _event(event_id, status.recipient_id, draft, received, extra)


def _event(
    event_id: str, sender: str, draft: Draft, received: datetime, extra: dict[str, Any]
) -> InboundEvent:
    return InboundEvent(
        channel=CHANNEL,
        event_id=event_id,
        sender=sender,
        kind=draft.kind,
        received_at=received,
        text=draft.text,
        postback=draft.postback,
        title=draft.title,
        extra=extra,
    )
