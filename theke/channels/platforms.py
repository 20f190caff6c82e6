"""The platform senders the settings give credentials for, behind shared rate limits."""

from __future__ import annotations

from theke.channels._outgoing import Gate
from theke.channels.base import Sender
from theke.channels.ratelimit import ChannelLimits, LocalRateLimiter, RateLimiter
from theke.settings import Settings
from theke.store.database import Database

__all__ = ["platform_senders", "rate_limiter"]


def rate_limiter(settings: Settings) -> RateLimiter:
    """Shared by every process through Redis when it is configured, else this process's own."""
    if settings.redis_url:
        from theke.channels.ratelimit import RedisRateLimiter

        return RedisRateLimiter.from_url(settings.redis_url)
    return LocalRateLimiter()


def platform_senders(settings: Settings, db: Database, limiter: RateLimiter) -> dict[str, Sender]:
    """A sender for each messenger the settings give credentials for."""
    limits = ChannelLimits(
        messenger_rate=settings.messenger_rate,
        whatsapp_rate=settings.whatsapp_rate,
        telegram_rate=settings.telegram_rate,
        telegram_chat_rate=settings.telegram_chat_rate,
    )
    senders: dict[str, Sender] = {}
    if settings.telegram_bot_token is not None:
        from theke.channels.telegram.client import TelegramClient
        from theke.channels.telegram.sender import TelegramSender

        client = TelegramClient(
            settings.telegram_api_base, settings.telegram_bot_token.get_secret_value()
        )
        senders["telegram"] = TelegramSender(
            client,
            db,
            public_url=settings.public_url,
            gate=Gate(limiter, limits, "telegram", "bot"),
        )
    token, page = settings.messenger_page_access_token, settings.messenger_page_id
    if token is not None and page:
        from theke.channels.graph import GraphClient
        from theke.channels.messenger.sender import MessengerSender

        senders["messenger"] = MessengerSender(
            GraphClient(settings.messenger_api_base, token.get_secret_value()),
            db,
            account=page,
            public_url=settings.public_url,
            gate=Gate(limiter, limits, "messenger", page),
        )
    token, number = settings.whatsapp_access_token, settings.whatsapp_phone_number_id
    if token is not None and number:
        from theke.channels.graph import GraphClient
        from theke.channels.whatsapp.sender import WhatsAppSender

        senders["whatsapp"] = WhatsAppSender(
            GraphClient(settings.whatsapp_api_base, token.get_secret_value()),
            db,
            account=number,
            public_url=settings.public_url,
            gate=Gate(limiter, limits, "whatsapp", number),
        )
    return senders
