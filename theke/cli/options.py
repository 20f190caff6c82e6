"""How every command finds the bot and builds its settings."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from theke.settings import Settings

if TYPE_CHECKING:
    from theke.store.database import Database

__all__ = ["bot_argument", "bot_option", "database_for", "settings_for"]


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


@contextlib.contextmanager
def database_for(url: str) -> Iterator[Database]:
    """The database for a command: SQLite migrated first, PostgreSQL checked to be current;
    disposed of afterwards (a command starts no thread of its own)."""
    from theke.store.database import Database
    from theke.store.migrate import check_current, upgrade

    database = Database(url)
    try:
        if database.is_sqlite:
            upgrade(url)
        else:
            check_current(url)
        yield database
    finally:
        database.engine.dispose()
