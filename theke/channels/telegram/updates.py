"""Telegram webhook updates to ``InboundEvent``s: pure functions, no I/O.

Only the subset Theke answers is modelled: messages with text, a shared
contact, a photo, a file, a voice message, a video or a location; taps on
inline buttons (``callback_query``); and the customer blocking or restarting
the bot (``my_chat_member``). Every model ignores fields it does not know, so
new Bot API versions do not break parsing.

``parse_update`` raises ``TelegramUpdateError`` for a body that is not an
update (the webhook answers 400) and returns no event for an update Theke does
not act on (the webhook answers 200, so Telegram does not send it again):

- other update types (``edited_message``, ``channel_post``, ``poll``, ...);
- messages sent by or via another bot (``via_bot``), by this bot itself, and
  callbacks from a channel;
- messages with nothing listed above (a sticker, a poll, a dice, ...).

Event ``extra`` keys: ``attachments`` (a list of ``{"type": "image" | "file" |
"audio" | "video" | "location", ...}``), ``contact_phone`` (E.164) with
``contact_verified`` (the customer shared their own number) or
``contact_phone_raw`` when the number cannot be read, ``status`` (``blocked`` when
the customer blocked the bot, ``unblocked`` when they restarted it), ``language_code``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from theke.channels.base import InboundEvent, InboundKind
from theke.channels.telegram._inbound import contact_extra, message_extra
from theke.channels.telegram._models import CallbackQuery, ChatMemberUpdated, Message, User
from theke.errors import ThekeError

__all__ = ["TelegramUpdateError", "Update", "parse_update"]

CHANNEL = "telegram"


class TelegramUpdateError(ThekeError, ValueError):
    """The webhook body is not a Telegram update; the webhook answers 400."""


class Update(BaseModel):
    """One webhook delivery; at most one of the optional fields is set."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    update_id: int
    message: Message | None = None
    callback_query: CallbackQuery | None = None
    my_chat_member: ChatMemberUpdated | None = None


class _Draft(BaseModel):
    """The part of an event that differs between update types."""

    model_config = ConfigDict(frozen=True)

    sender: str
    kind: InboundKind = "message"
    text: str | None = None
    postback: str | None = None
    title: str | None = None
    extra: dict[str, Any] = Field(default_factory=dict)


def parse_update(
    body: bytes, *, bot_id: int | None = None, received_at: datetime | None = None
) -> list[InboundEvent]:
    """The events in one webhook body: none or one today, a list so callers need not care.

    ``bot_id`` is this bot's user id; its own messages are ignored. Raises
    ``TelegramUpdateError`` when ``body`` is not JSON or not an update.
    """
    update = _load(body)
    draft = _draft(update, bot_id)
    if draft is None:
        return []
    return [
        InboundEvent(
            channel=CHANNEL,
            event_id=f"update:{update.update_id}",
            sender=draft.sender,
            kind=draft.kind,
            received_at=received_at or datetime.now(UTC),
            text=draft.text,
            postback=draft.postback,
            title=draft.title,
            extra=draft.extra,
        )
    ]


def _load(body: bytes) -> Update:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise TelegramUpdateError(f"Telegram update is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise TelegramUpdateError(
            f"Telegram update must be a JSON object, not {type(data).__name__}"
        )
    try:
        return Update.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        raise TelegramUpdateError(f"Telegram update has an unexpected shape: {exc}") from exc


def _draft(update: Update, bot_id: int | None) -> _Draft | None:
    if update.message is not None:
        return _from_message(update.message, bot_id)
    if update.callback_query is not None:
        return _from_callback(update.callback_query, bot_id)
    if update.my_chat_member is not None:
        return _from_membership(update.my_chat_member)
    return None


def _is_bot(user: User | None, bot_id: int | None) -> bool:
    """True for this bot's own messages and for any other bot's."""
    return user is not None and (user.is_bot or user.id == bot_id)


def _from_message(message: Message, bot_id: int | None) -> _Draft | None:
    if message.via_bot is not None or _is_bot(message.from_, bot_id):
        return None
    extra = message_extra(message)
    text = message.text if message.text is not None else message.caption
    if text is None and not extra.get("attachments") and message.contact is None:
        return None
    extra |= contact_extra(message)
    if text is None and message.contact is not None:  # read like a typed number
        text = extra.get("contact_phone") or message.contact.phone_number
    if message.from_ is not None and message.from_.language_code:
        extra["language_code"] = message.from_.language_code
    return _Draft(sender=str(message.chat.id), text=text, extra=extra)


def _from_callback(query: CallbackQuery, bot_id: int | None) -> _Draft | None:
    chat = query.message.chat if query.message is not None else None
    if query.data is None or _is_bot(query.from_, bot_id):
        return None
    if chat is not None and chat.type == "channel":
        return None
    extra: dict[str, Any] = {"callback_query_id": query.id}  # answered, so the spinner stops
    if query.from_.language_code:
        extra["language_code"] = query.from_.language_code
    return _Draft(
        sender=str(chat.id if chat is not None else query.from_.id),
        kind="postback",
        postback=query.data,
        title=query.message.button_text(query.data) if query.message is not None else None,
        extra=extra,
    )


def _from_membership(update: ChatMemberUpdated) -> _Draft | None:
    status = update.new_chat_member.status
    if status not in {"kicked", "member"}:
        return None
    blocked = status == "kicked"
    return _Draft(
        sender=str(update.chat.id),
        kind="status",
        extra={"status": "blocked" if blocked else "unblocked"},
    )
