"""Webhook bodies exactly as Meta posts them, for tests that drive a Messenger or WhatsApp bot.

Shapes from https://developers.facebook.com/docs/messenger-platform/webhooks (``object:
"page"``, one ``entry`` per Page with a ``messaging`` list; timestamps in milliseconds) and
https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components (``object:
"whatsapp_business_account"``, ``entry[].changes[].value`` with ``messages`` or
``statuses``; timestamps as strings of seconds). Meta signs the raw body with the app secret
in ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256>`` (:func:`sign`).

Every builder returns a fresh dict; serialise it once and sign those bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from typing import Any

__all__ = [
    "messenger_batch",
    "messenger_optin",
    "messenger_postback",
    "messenger_quick_reply",
    "messenger_text",
    "sign",
    "whatsapp_button_reply",
    "whatsapp_list_reply",
    "whatsapp_status",
    "whatsapp_text",
]

WABA_ID = "102290129340398"
DISPLAY_PHONE_NUMBER = "15550783881"
_ERRORS_HREF = "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"


def sign(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header Meta sends with ``body``."""
    digest = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


# -- Messenger ---------------------------------------------------------------------------


def _millis(timestamp: int | None) -> int:
    return int(time.time() * 1000) if timestamp is None else timestamp


def _mid() -> str:
    return "m_" + secrets.token_urlsafe(48)


def _page_event(
    page_id: str, psid: str, timestamp: int | None, event: dict[str, Any]
) -> dict[str, Any]:
    at = _millis(timestamp)
    item = {"sender": {"id": psid}, "recipient": {"id": page_id}, "timestamp": at} | event
    return {"object": "page", "entry": [{"id": page_id, "time": at, "messaging": [item]}]}


def messenger_text(
    page_id: str, psid: str, text: str, *, mid: str | None = None, timestamp: int | None = None
) -> dict[str, Any]:
    """``psid`` wrote ``text`` to the Page (``timestamp`` in milliseconds, default now)."""
    message = {"mid": mid or _mid(), "text": text}
    return _page_event(page_id, psid, timestamp, {"message": message})


def messenger_quick_reply(
    page_id: str,
    psid: str,
    text: str,
    payload: str,
    *,
    mid: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``psid`` tapped the quick reply titled ``text`` that carries ``payload``."""
    message = {"mid": mid or _mid(), "text": text, "quick_reply": {"payload": payload}}
    return _page_event(page_id, psid, timestamp, {"message": message})


def messenger_postback(
    page_id: str,
    psid: str,
    payload: str,
    *,
    title: str = "",
    mid: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``psid`` pressed a postback button (or Get Started) titled ``title``."""
    postback = {"mid": mid or _mid(), "title": title, "payload": payload}
    return _page_event(page_id, psid, timestamp, {"postback": postback})


def messenger_optin(
    page_id: str,
    psid: str,
    token: str,
    payload: str,
    *,
    title: str | None = None,
    token_expiry: int | None = None,
    status: str | None = None,
    timezone: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``psid`` answered the Page's Marketing Messages opt-in request (``messaging_optins``).

    ``token`` is the ``notification_messages_token`` now valid for them, ``payload`` the
    request's payload (Theke's topic) and ``title`` its title. ``token_expiry`` is in
    milliseconds (left out, as Meta has sent since tokens stopped expiring in 2023);
    ``status`` is ``STOP_NOTIFICATIONS`` or ``RESUME_NOTIFICATIONS`` when the customer
    stops or resumes them later (absent on the first yes).
    """
    optin: dict[str, Any] = {
        "type": "notification_messages",
        "payload": payload,
        "notification_messages_token": token,
        "user_token_status": "NOT_REFRESHED",
    }
    optional = {
        "title": title,
        "token_expiry_timestamp": token_expiry,
        "notification_messages_status": status,
        "notification_messages_timezone": timezone,
    }
    optin |= {name: value for name, value in optional.items() if value is not None}
    return _page_event(page_id, psid, timestamp, {"optin": optin})


def messenger_batch(*bodies: dict[str, Any], one_entry: bool = False) -> dict[str, Any]:
    """Several Messenger webhook bodies delivered as one POST, as Meta batches them.

    By default each event keeps its own ``entry``; ``one_entry=True`` puts the events of a
    Page into one entry's ``messaging`` list (Meta sends both shapes).
    """
    entries = [entry for body in bodies for entry in body["entry"]]
    if not one_entry:
        return {"object": "page", "entry": entries}
    merged: dict[str, dict[str, Any]] = {}
    for entry in entries:
        into = merged.setdefault(entry["id"], {"id": entry["id"], "time": 0, "messaging": []})
        into["time"] = max(into["time"], entry["time"])
        into["messaging"].extend(entry["messaging"])
    return {"object": "page", "entry": list(merged.values())}


# -- WhatsApp ----------------------------------------------------------------------------


def _seconds(timestamp: int | None) -> str:
    return str(int(time.time()) if timestamp is None else timestamp)


def _wamid(wa_id: str) -> str:
    seed = b"\x18\x0c" + wa_id.encode() + b"\x15\x02\x00\x12\x18\x14" + secrets.token_bytes(10)
    return "wamid." + base64.b64encode(seed).decode()


def _business(phone_number_id: str, value: dict[str, Any]) -> dict[str, Any]:
    metadata = {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": phone_number_id}
    change: dict[str, Any] = {
        "value": {"messaging_product": "whatsapp", "metadata": metadata} | value,
        "field": "messages",
    }
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA_ID, "changes": [change]}]}


def _inbound(
    phone_number_id: str,
    wa_id: str,
    profile_name: str,
    message: dict[str, Any],
    wamid: str | None,
    timestamp: int | None,
) -> dict[str, Any]:
    head = {"from": wa_id, "id": wamid or _wamid(wa_id), "timestamp": _seconds(timestamp)}
    contacts = [{"profile": {"name": profile_name}, "wa_id": wa_id}]
    return _business(phone_number_id, {"contacts": contacts, "messages": [head | message]})


def whatsapp_text(
    phone_number_id: str,
    wa_id: str,
    text: str,
    *,
    wamid: str | None = None,
    profile_name: str = "Kim",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``wa_id`` wrote ``text`` to the business number (``timestamp`` in seconds)."""
    message = {"text": {"body": text}, "type": "text"}
    return _inbound(phone_number_id, wa_id, profile_name, message, wamid, timestamp)


def _reply(context_id: str | None, kind: str, reply: dict[str, str]) -> dict[str, Any]:
    message: dict[str, Any] = {"interactive": {"type": kind, kind: reply}, "type": "interactive"}
    if context_id is not None:
        message = {"context": {"from": DISPLAY_PHONE_NUMBER, "id": context_id}} | message
    return message


def whatsapp_button_reply(
    phone_number_id: str,
    wa_id: str,
    button_id: str,
    title: str,
    *,
    context_id: str | None = None,
    wamid: str | None = None,
    profile_name: str = "Kim",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``wa_id`` tapped reply button ``button_id`` under the bot's message ``context_id``."""
    message = _reply(context_id, "button_reply", {"id": button_id, "title": title})
    return _inbound(phone_number_id, wa_id, profile_name, message, wamid, timestamp)


def whatsapp_list_reply(
    phone_number_id: str,
    wa_id: str,
    row_id: str,
    title: str,
    *,
    description: str | None = None,
    context_id: str | None = None,
    wamid: str | None = None,
    profile_name: str = "Kim",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """``wa_id`` chose row ``row_id`` of the bot's list message ``context_id``."""
    row = {"id": row_id, "title": title}
    if description is not None:
        row["description"] = description
    message = _reply(context_id, "list_reply", row)
    return _inbound(phone_number_id, wa_id, profile_name, message, wamid, timestamp)


def whatsapp_status(
    phone_number_id: str,
    wamid: str,
    recipient_id: str,
    status: str = "delivered",
    *,
    error_code: int | None = None,
    error_title: str = "",
    error_details: str = "",
    timestamp: int | None = None,
) -> dict[str, Any]:
    """The bot's message ``wamid`` to ``recipient_id`` is now ``sent`` / ``delivered`` /
    ``read`` / ``failed`` (with ``error_code``, e.g. 131047, as Meta reports late failures).
    """
    item: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": _seconds(timestamp),
        "recipient_id": recipient_id,
    }
    if status in ("sent", "delivered"):
        item["pricing"] = {
            "billable": True,
            "pricing_model": "PMP",
            "type": "regular",
            "category": "service",
        }
    if error_code is not None:
        item["errors"] = [
            {
                "code": error_code,
                "title": error_title,
                "message": error_title,
                "error_data": {"details": error_details},
                "href": _ERRORS_HREF,
            }
        ]
    return _business(phone_number_id, {"statuses": [item]})
