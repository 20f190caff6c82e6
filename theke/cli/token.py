"""``theke token``: the API tokens the shop system calls ``/api/v1`` with."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import click
from sqlalchemy import Connection

from theke.cli.options import bot_option, database_for, settings_for

__all__ = ["token"]

T = TypeVar("T")


@click.group()
def token() -> None:
    """API tokens for the shop system's REST API (/api/v1)."""


@token.command()
@click.argument("name")
@bot_option
def create(name: str, bot: str | None) -> None:
    """Create a token named NAME and print it (this once only).

    The token alone goes to stdout, so a script can capture it; the warning
    goes to stderr.
    """
    from theke.store import api_tokens

    secret = _with_database(bot, lambda conn: api_tokens.create(conn, name))
    click.echo(secret)
    click.echo(
        f"Created the API token {name!r}. Copy it now: it cannot be shown again "
        "(only a hash of it is stored). Send it as `Authorization: Bearer <token>`.",
        err=True,
    )


@token.command()
@click.argument("name")
@bot_option
def revoke(name: str, bot: str | None) -> None:
    """Revoke the token named NAME: the API refuses it from now on (exit 1: no such token)."""
    from theke.store import api_tokens

    if not _with_database(bot, lambda conn: api_tokens.revoke(conn, name)):
        click.echo(f"There is no active token named {name!r} (see `theke token list`).", err=True)
        sys.exit(1)
    click.echo(f"Revoked the API token {name!r}: the API refuses it from now on.")


@token.command(name="list")
@bot_option
def list_tokens(bot: str | None) -> None:
    """List the tokens: name, created, last used, revoked (never the token itself)."""
    from theke.store import api_tokens

    found = _with_database(bot, api_tokens.list_tokens)
    if not found:
        click.echo("No API tokens yet. Create one: theke token create NAME")
        return
    rows = [("NAME", "CREATED", "LAST USED", "REVOKED")]
    rows += [
        (item.name, _when(item.created_at), _when(item.last_used_at), _when(item.revoked_at, "-"))
        for item in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[3]]))


def _when(moment: datetime | None, missing: str = "never") -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment is not None else missing


def _with_database(bot: str | None, work: Callable[[Connection], T]) -> T:
    """Run ``work`` in one write transaction on the bot's database (migrating SQLite first)."""
    with database_for(settings_for(bot).resolved_database_url()) as database:
        return database.write_now(work)
