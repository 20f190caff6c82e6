"""The ``theke`` command."""

from __future__ import annotations

import asyncio
import shutil
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import click

from theke import __version__
from theke.cli.bot import bot
from theke.cli.catalog import catalog
from theke.cli.channels import channels
from theke.cli.nlu import nlu
from theke.cli.options import bot_argument, bot_option, settings_for
from theke.cli.stories import test
from theke.cli.token import token
from theke.cli.user import user
from theke.errors import ThekeError

__all__ = ["main"]

T = TypeVar("T")


def _run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


class _Cli(click.Group):
    """Turns Theke's own errors into one clear line and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ThekeError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)


@click.group(cls=_Cli)
@click.version_option(__version__, prog_name="theke")
def cli() -> None:
    """Theke: customer conversations for shops, in the web chat and the messengers."""


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--name", default=None, help="The shop's name (default: the folder's name).")
def init(directory: str, name: str | None) -> None:
    """Create a new bot folder in DIRECTORY."""
    from theke.bot import scaffold

    path = Path(directory)
    scaffold(path, name or path.resolve().name)
    click.echo(f"Created the bot folder {path}. Talk to it: theke chat {path}")


@cli.command()
@bot_argument
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port to listen on (default 8000).")
@click.option("--no-worker", is_flag=True, help="Serve only; `theke worker` processes answer.")
def run(bot: str | None, host: str | None, port: int | None, no_worker: bool) -> None:
    """Serve the bot: web chat, webhooks and API (and the worker, unless --no-worker)."""
    from theke.cli.serve import serve

    settings = settings_for(bot, host=host, port=port)
    _run_async(serve(settings, run_worker=not no_worker))


@cli.command()
@bot_argument
def worker(bot: str | None) -> None:
    """Run worker loops only (scale-out mode: PostgreSQL and Redis required)."""
    from theke.cli.serve import work

    _run_async(work(settings_for(bot)))


@cli.command()
@bot_argument
@click.option("--jsonl", is_flag=True, help="Read JSON lines on stdin, write JSON lines.")
@click.option("--fresh", is_flag=True, help="Use a throwaway database (repeatable runs).")
@click.option("--customer", default="console", show_default=True, help="Who is talking.")
def chat(bot: str | None, jsonl: bool, fresh: bool, customer: str) -> None:
    """Talk to the bot in the terminal, through the real pipeline."""
    from theke.cli.chat import run_chat
    from theke.observability import configure_logging

    scratch = tempfile.mkdtemp(prefix="theke-chat-") if fresh else None
    try:
        database_url = f"sqlite:///{scratch}/chat.db" if scratch else None
        settings = settings_for(bot, database_url=database_url, log_level="WARNING")
        configure_logging(settings.log_level, settings.log_format)  # to stderr: stdout is the chat
        code = _run_async(
            run_chat(settings, jsonl=jsonl, customer=customer, stdin=sys.stdin, stdout=sys.stdout)
        )
    finally:
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    sys.exit(code)


@cli.command()
@bot_argument
def validate(bot: str | None) -> None:
    """Check a bot folder without starting anything (exit 1: catalog rows rejected)."""
    from theke.bot import load_bot
    from theke.commerce import CATALOG_FILE, read_products

    settings = settings_for(bot)
    loaded = load_bot(settings.bot)
    config = loaded.config
    intents = {intent for data in loaded.nlu for intent in data.intents}
    examples = sum(len(data.examples) for data in loaded.nlu)
    catalog = loaded.path / CATALOG_FILE
    products = read_products(catalog) if catalog.is_file() else None
    click.echo(
        f"ok: {config.name} — languages {', '.join(config.languages)}, "
        f"{len(config.keywords)} keyword rules, {len(intents)} intents with {examples} examples, "
        f"{len(loaded.flows.flows)} flows, {len(loaded.knowledge)} FAQ entries, "
        f"{len(products.products) if products else 0} products"
    )
    if products is not None and products.rejected:
        for row in products.rejected:
            click.echo(products.describe(row), err=True)
        sys.exit(1)


@cli.group()
def db() -> None:
    """The database: migrations."""


@db.command()
@bot_option
def upgrade(bot: str | None) -> None:
    """Apply all migrations to the configured database."""
    from theke.store.migrate import upgrade as apply

    settings = settings_for(bot)
    apply(settings.resolved_database_url())
    click.echo("The database is up to date.")


cli.add_command(nlu)
cli.add_command(channels)
cli.add_command(catalog)
cli.add_command(test)
cli.add_command(token)
cli.add_command(user)
cli.add_command(bot)


def main() -> None:
    cli(prog_name="theke")
