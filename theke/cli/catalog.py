"""``theke catalog``: import the shop's products into the database."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from theke.cli.options import bot_option, database_for, settings_for

if TYPE_CHECKING:
    from theke.bot.config import BotConfig
    from theke.commerce import ImportResult, Product

__all__ = ["catalog"]

_PROGRESS_FROM = 1000  # products; smaller files are imported before a bar could show


@click.group()
def catalog() -> None:
    """The product catalog: import products from a CSV or JSON file."""


@catalog.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@bot_option
def import_file(file: Path, bot: str | None) -> None:
    """Add or update the products in FILE (CSV, or JSON when it ends in .json).

    Rows with errors are skipped and listed; the exit code is then 1 (2 when
    the file as a whole cannot be read).
    """
    from theke.commerce import read_products

    products = read_products(file)
    for row in products.rejected:
        click.echo(products.describe(row), err=True)
    settings = settings_for(bot)
    result = _import(settings.resolved_database_url(), products.products, _config(settings.bot))
    click.echo(f"Imported {result.imported} products from {file.name}.")
    if result.told:
        click.echo(f"Told {result.told} waiting customers that their size is back.")
    if products.rejected:
        count = len(products.rejected)
        click.echo(
            f"{count} row{'s' * (count != 1)} rejected: fix them and import again.", err=True
        )
        sys.exit(1)


def _config(folder: Path) -> BotConfig | None:
    """The bot's settings, for the back-in-stock messages (None outside a bot folder)."""
    from theke.bot import load_bot
    from theke.errors import BotFolderError

    try:
        return load_bot(folder).config
    except BotFolderError as exc:
        click.echo(f"Not telling waiting customers about restocks: {exc}", err=True)
        return None


def _import(url: str, products: Sequence[Product], config: BotConfig | None) -> ImportResult:
    """Write ``products`` in one transaction (migrating SQLite first), with a progress bar;
    customers waiting for a size that is back are told in the same transaction."""
    from theke.commerce import import_products

    with database_for(url) as database:
        if len(products) < _PROGRESS_FROM:
            return database.write_now(lambda conn: import_products(conn, products, config=config))
        with click.progressbar(length=len(products), label="Importing", file=sys.stderr) as bar:
            return database.write_now(
                lambda conn: import_products(conn, products, progress=bar.update, config=config)
            )
