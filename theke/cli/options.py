"""How every command finds the bot and builds its settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from theke.settings import Settings

__all__ = ["bot_argument", "bot_option", "settings_for"]


def _resolve(bot: str | None) -> Path:
    """The bot folder: the argument, else THEKE_BOT, else the current directory."""
    if bot:
        return Path(bot)
    env = os.environ.get("THEKE_BOT")
    return Path(env) if env else Path.cwd()


def settings_for(bot: str | None, **overrides: Any) -> Settings:
    """Settings from the environment, with the bot folder resolved by the one rule."""
    values = {key: value for key, value in overrides.items() if value is not None}
    return Settings(bot=_resolve(bot), **values)


bot_argument = click.argument("bot", required=False, type=click.Path(file_okay=False))
bot_option = click.option(
    "--bot",
    "bot",
    type=click.Path(file_okay=False),
    help="The bot folder (default: $THEKE_BOT, then the current directory).",
)
