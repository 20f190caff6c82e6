"""``theke channels``: which messengers are set up, and registering Telegram's webhook."""

from __future__ import annotations

import asyncio
import sys

import click

from theke.cli.options import bot_option, settings_for
from theke.settings import Settings

__all__ = ["channels"]

ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


@click.group()
def channels() -> None:
    """The messengers: what is configured, and their set-up."""


@channels.command()
@bot_option
def check(bot: str | None) -> None:
    """Report which channels are configured and what is missing (exit 1 if one is half set up)."""
    settings = settings_for(bot)
    click.echo("webchat: ready (the widget at /widget.js)")
    complete = True
    for name, required, base in _platforms(settings):
        line, ok = _status(name, required, base)
        click.echo(line)
        complete = complete and ok
        ready = line.startswith(f"{name}: ready")
        if name == "messenger" and ready and not settings.messenger_app_id:
            click.echo(
                "note: without THEKE_MESSENGER_APP_ID a reply from another app (a live-chat "
                "tool) is taken for one typed in Meta's Page inbox"
            )
    if not settings.public_url.startswith("https://"):
        click.echo(
            f"note: THEKE_PUBLIC_URL is {settings.public_url}; Meta and Telegram deliver "
            "webhooks and fetch pictures only over https"
        )
    sys.exit(0 if complete else 1)


@channels.group()
def telegram() -> None:
    """Telegram's set-up."""


@telegram.command("set-webhook")
@click.argument("url")
@bot_option
def set_webhook(url: str, bot: str | None) -> None:
    """Tell Telegram to deliver updates to URL (e.g. https://chat.shop.example/webhooks/telegram)."""
    from theke.channels.telegram.client import TelegramClient
    from theke.errors import ConfigurationError, DeliveryError

    settings = settings_for(bot)
    token, secret = settings.telegram_bot_token, settings.telegram_secret_token
    if token is None or secret is None:
        raise ConfigurationError(
            "set THEKE_TELEGRAM_BOT_TOKEN (from BotFather) and THEKE_TELEGRAM_SECRET_TOKEN "
            "(any 1-256 characters of A-Z a-z 0-9 _ -) first"
        )
    params = {
        "url": url,
        "secret_token": secret.get_secret_value(),
        "allowed_updates": ALLOWED_UPDATES,
    }

    async def register() -> None:
        client = TelegramClient(settings.telegram_api_base, token.get_secret_value())
        try:
            await client.call("setWebhook", params)
        finally:
            await client.close()

    try:
        asyncio.run(register())
    except DeliveryError as exc:
        raise ConfigurationError(f"Telegram refused the webhook: {exc}") from exc
    click.echo(f"Telegram delivers updates to {url} now, with the secret token.")


def _platforms(settings: Settings) -> list[tuple[str, list[tuple[str, object]], str]]:
    """Each platform with the settings it needs and its API base."""
    return [
        (
            "messenger",
            [
                ("THEKE_MESSENGER_PAGE_ACCESS_TOKEN", settings.messenger_page_access_token),
                ("THEKE_MESSENGER_APP_SECRET", settings.messenger_app_secret),
                ("THEKE_MESSENGER_VERIFY_TOKEN", settings.messenger_verify_token),
                ("THEKE_MESSENGER_PAGE_ID", settings.messenger_page_id),
            ],
            settings.messenger_api_base,
        ),
        (
            "whatsapp",
            [
                ("THEKE_WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
                ("THEKE_WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
                ("THEKE_WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token),
                ("THEKE_WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
            ],
            settings.whatsapp_api_base,
        ),
        (
            "telegram",
            [
                ("THEKE_TELEGRAM_BOT_TOKEN", settings.telegram_bot_token),
                ("THEKE_TELEGRAM_SECRET_TOKEN", settings.telegram_secret_token),
            ],
            settings.telegram_api_base,
        ),
    ]


def _status(name: str, required: list[tuple[str, object]], base: str) -> tuple[str, bool]:
    """One line for a platform, and whether it is usable or simply off (not half set up)."""
    missing = [variable for variable, value in required if not value]
    if len(missing) == len(required):
        return f"{name}: not configured (docs/channels/{name}.md)", True
    if missing:
        return f"{name}: incomplete, missing {', '.join(missing)}", False
    return f"{name}: ready (API {base})", True
