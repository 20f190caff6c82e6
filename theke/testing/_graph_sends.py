"""What the two send endpoints answer, for :mod:`theke.testing.graph_api`.

Messenger ``POST /{page-id}/messages``
(https://developers.facebook.com/docs/messenger-platform/reference/send-api): either a
``message`` or a ``sender_action`` (``typing_on``, ``typing_off``, ``mark_seen``), never both
(``(#100)`` subcode 2018014); answers ``{"recipient_id", "message_id": "m_..."}``, or only
``{"recipient_id"}`` for a sender action. Form-encoded requests carry ``recipient`` and
``message`` as JSON strings.

WhatsApp ``POST /{phone-number-id}/messages``
(https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages): answers
``{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages": [{"id":
"wamid..."}]}`` (templates add ``"message_status": "accepted"``). ``{"status": "read",
"message_id"}`` marks a message the user sent as read (optionally with ``typing_indicator``)
and answers ``{"success": true}``.

Each function returns ``(recipient, answer, id)``: the PSID or wa_id reached, the JSON
answer, and the message id (``None`` for sender actions and read receipts).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Container, Iterator
from typing import Any

from theke.testing._graph_policy import Audience, messenger_recipient, whatsapp_allowed
from theke.testing._graph_rules import bad_param, json_field
from theke.testing._messenger_rules import SENDER_ACTIONS, check_message
from theke.testing._whatsapp_rules import check_message as check_whatsapp
from theke.testing._whatsapp_rules import check_read, wa_id

__all__ = ["Sent", "messenger_send", "new_mid", "new_wamid", "whatsapp_send"]

Sent = tuple[str, dict[str, Any], str | None]


def messenger_send(
    audience: Audience, body: dict[str, Any], now: float, ids: Iterator[int]
) -> Sent:
    """A Send API call; ``body`` gets its JSON-string fields parsed in place."""
    for name in ("recipient", "message"):
        if name in body:
            body[name] = json_field("messenger", body[name], name)
    action = body.get("sender_action")
    if action is None and "message" not in body:
        raise bad_param("messenger", "Must send either message or state")
    if action is not None:
        if "message" in body:
            problem = "Cannot send both message and state at the same time."
            raise bad_param("messenger", problem, subcode=2018014)
        if str(action).lower() not in SENDER_ACTIONS:
            problem = f"param sender_action must be one of {sorted(SENDER_ACTIONS)}"
            raise bad_param("messenger", problem)
        psid = messenger_recipient(audience, body, now)
        return psid, {"recipient_id": psid}, None
    check_message(body["message"])
    psid = messenger_recipient(audience, body, now)
    mid = new_mid(psid, next(ids))
    return psid, {"recipient_id": psid, "message_id": mid}, mid


def whatsapp_send(
    audience: Audience,
    media_ids: Container[str],
    body: dict[str, Any],
    now: float,
    ids: Iterator[int],
) -> Sent:
    """A Cloud API messages call: a message, or a read receipt."""
    product = body.get("messaging_product")
    if product != "whatsapp":
        problem = "The parameter messaging_product is required."
        raise bad_param("whatsapp", problem if product is None else "Invalid parameter")
    if "status" in body:
        message_id = check_read(body)
        sender = audience.whatsapp_inbound.get(message_id)
        if sender is None:
            raise bad_param("whatsapp", f"Invalid message id {message_id}", code=131009)
        return sender, {"success": True}, None
    to = wa_id(body.get("to"))
    kind = check_whatsapp(body, media_ids)
    whatsapp_allowed(audience, to, kind, body[kind], now)
    wamid = new_wamid(to, next(ids))
    message: dict[str, Any] = {"id": wamid}
    if kind == "template":
        message["message_status"] = "accepted"
    contacts = [{"input": str(body["to"]), "wa_id": to}]
    answer = {"messaging_product": "whatsapp", "contacts": contacts, "messages": [message]}
    return to, answer, wamid


def new_mid(psid: str, number: int) -> str:
    """A Messenger message id, ``m_`` and 43 URL-safe characters like Meta's."""
    seed = f"{psid}:{number}:{secrets.token_hex(8)}".encode()
    return "m_" + base64.urlsafe_b64encode(hashlib.sha256(seed).digest()).decode().rstrip("=")


def new_wamid(wa_id: str, number: int) -> str:
    """A WhatsApp message id: ``wamid.`` and base64, unique per ``number``."""
    seed = f"\x18\x0c{wa_id}\x15\x02\x00\x11\x18\x12{number:016X}".encode()
    return "wamid." + base64.b64encode(seed).decode()
