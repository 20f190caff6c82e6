"""``theke test BOTDIR``: run the bot folder's conversation tests."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from theke.cli.options import bot_argument, settings_for

__all__ = ["test"]


@click.command("test")
@bot_argument
@click.option("--junit", "junit", type=click.Path(dir_okay=False), default=None,
              help="Also write the results as JUnit XML to this file.")  # fmt: skip
@click.option("-k", "match", default=None, help="Only stories whose name contains this text.")
def test(bot: str | None, junit: str | None, match: str | None) -> None:
    """Run the conversation tests in BOTDIR/tests/*.yml."""
    from theke.bot import load_bot
    from theke.runtime import build_engine
    from theke.testing import load_stories, run_stories
    from theke.testing.junit import write_junit

    settings = settings_for(bot)
    loaded = load_bot(settings.bot)
    stories = load_stories(loaded.path)
    if match:
        stories = [story for story in stories if match.casefold() in story.name.casefold()]
    if not stories:
        click.echo(f"no conversation tests in {loaded.path / 'tests'}")
        sys.exit(0 if match is None else 1)
    began = time.perf_counter()
    engine = build_engine(loaded, isolated=False)
    results = run_stories(engine, stories)
    for result in results:
        if result.failure is not None:
            click.echo(click.style("FAIL ", fg="red") + result.failure + "\n")
    failed = sum(not result.passed for result in results)
    took = time.perf_counter() - began
    summary = f"{len(results) - failed} passed, {failed} failed in {took:.1f} s"
    click.echo(click.style(summary, fg="red" if failed else "green"))
    if junit:
        write_junit(Path(junit), loaded.config.name, results)
    sys.exit(1 if failed else 0)
