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
    lines, complete = _telegram_status(settings)
    click.echo("webchat: ready (the widget at /widget.js)")
    for line in lines:
        click.echo(line)
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


def _telegram_status(settings: Settings) -> tuple[list[str], bool]:
    token, secret = settings.telegram_bot_token, settings.telegram_secret_token
    if token is None and secret is None:
        return ["telegram: not configured (docs/channels/telegram.md)"], True
    missing = [
        name
        for name, value in (
            ("THEKE_TELEGRAM_BOT_TOKEN", token),
            ("THEKE_TELEGRAM_SECRET_TOKEN", secret),
        )
        if value is None
    ]
    if missing:
        return [f"telegram: incomplete, missing {', '.join(missing)}"], False
    return [f"telegram: ready (API {settings.telegram_api_base})"], True
