"""Telegram: Bot API calls from content, ``InboundEvent``s from webhook updates, the sender."""

from theke.channels.telegram.client import TelegramClient, TelegramRequestError
from theke.channels.telegram.render import ApiCall, render
from theke.channels.telegram.sender import TelegramSender
from theke.channels.telegram.updates import TelegramUpdateError, Update, parse_update

__all__ = [
    "ApiCall",
    "TelegramClient",
    "TelegramRequestError",
    "TelegramSender",
    "TelegramUpdateError",
    "Update",
    "parse_update",
    "render",
]
