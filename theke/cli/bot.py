"""``theke bot``: the bot folder and what the team taught the bot in the inbox."""

from __future__ import annotations

import click

from theke.cli.options import bot_option, database_for, settings_for

__all__ = ["bot"]


@click.group()
def bot() -> None:
    """The bot folder and what the team taught the bot in the inbox."""


@bot.command()
@bot_option
def export(bot: str | None) -> None:
    """Write what agents taught (FAQ entries, examples) into the bot folder's YAML, for
    review in git; it then leaves the inbox's overlay."""
    from theke.inbox.export import write_overlay
    from theke.inbox.teach import current_overlay, mark_exported
    from theke.store.schema import utcnow

    settings = settings_for(bot)
    with database_for(settings.resolved_database_url()) as database:
        overlay = database.read_now(current_overlay)
        if not overlay.items:
            click.echo("Nothing taught to export.")
            return
        now = utcnow()
        written = write_overlay(settings.bot, overlay.items, now.date())
        database.write_now(lambda conn: mark_exported(conn, written.items, now))
    for path in written.files:
        click.echo(f"wrote {path}")
    click.echo(
        f"Exported {len(written.items)} taught item(s). Review them with `git diff`; the "
        "running bot loads the folder by itself."
    )
