"""``theke bot export``: what was taught goes into the bot folder's YAML, loads as part
of the folder, and leaves the overlay; a result that would not load changes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Connection

from tests.conftest import copy_demo
from theke.bot import load_bot
from theke.bot.overlay import Taught
from theke.cli.main import cli
from theke.errors import BotFolderError
from theke.inbox.export import write_overlay
from theke.inbox.teach import current_overlay, teach
from theke.store import users
from theke.store.database import Database
from theke.store.migrate import upgrade

TODAY = date(2026, 12, 10)
QUESTION = "Verkauft ihr auch Schnürsenkel [einzeln]?"
ANSWER = "Ja, im Laden für 4 € das Paar.\nOnline leider nicht."


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "sneakershop"
    copy_demo(target)
    return target


def test_exported_items_load_as_part_of_the_folder(folder: Path) -> None:
    nlu_before = (folder / "nlu" / "de.yml").read_text(encoding="utf-8")
    written = write_overlay(
        folder,
        [
            Taught(7, "faq", "de", QUESTION, ANSWER),
            Taught(8, "example", "de", "dauert ein paket nach [wien] lange", intent="shipping"),
            Taught(9, "example", "en", "how long to vienna", intent="shipping"),
        ],
        TODAY,
    )
    bot = load_bot(folder)
    entry = bot.knowledge["taught_7"]
    assert entry.questions["de"] == (QUESTION,)
    german = next(data for data in bot.nlu if data.language == "de")
    assert ("dauert ein paket nach (wien) lange", "shipping") in [
        (example.text, example.intent) for example in german.examples
    ]
    assert written.items == (7, 8, 9)
    assert {path.name for path in written.files} == {"taught.yml", "de.yml", "en.yml"}
    after = (folder / "nlu" / "de.yml").read_text(encoding="utf-8")
    assert after.startswith(nlu_before)  # the owner's file is kept, the block appended
    assert "# Taught in the inbox, exported 2026-12-10" in after


def test_an_export_that_would_not_load_changes_nothing(folder: Path) -> None:
    existing = next(iter(load_bot(folder).knowledge.values()))
    clash = Taught(1, "faq", "de", existing.questions["de"][0], "Doppelt")
    before = (folder / "nlu" / "de.yml").read_text(encoding="utf-8")
    with pytest.raises(BotFolderError, match="also one of"):
        write_overlay(
            folder,
            [Taught(2, "example", "de", "wien paket", intent="shipping"), clash],
            TODAY,
        )
    assert not (folder / "knowledge" / "taught.yml").exists()
    assert (folder / "nlu" / "de.yml").read_text(encoding="utf-8") == before


def test_the_command_exports_and_empties_the_overlay(folder: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    database = Database(url)
    bot = load_bot(folder)

    def taught(conn: Connection) -> None:
        anna = users.add(conn, "anna@sohle.example", "agent", "not-a-real-hash")
        teach(conn, bot, anna, kind="faq", language="de", question=QUESTION, answer=ANSWER,
              now=datetime.now(UTC))  # fmt: skip

    try:
        database.write_now(taught)
        runner = CliRunner()
        env = {"THEKE_DATABASE_URL": url}
        result = runner.invoke(cli, ["bot", "export", "--bot", str(folder)], env=env)
        again = runner.invoke(cli, ["bot", "export", "--bot", str(folder)], env=env)
        left = database.read_now(current_overlay)
    finally:
        database.engine.dispose()
    assert result.exit_code == 0, result.output
    assert "Exported 1 taught item(s)" in result.output
    assert "taught.yml" in result.output
    assert again.output.strip() == "Nothing taught to export."
    assert left.items == ()
    assert "taught_1" in load_bot(folder).knowledge


def test_examples_follow_the_files_own_indentation(folder: Path) -> None:
    """A Rasa-style file (items not indented under ``nlu:``) stays valid."""
    path = folder / "nlu" / "en.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line[2:] if line.startswith("  ") else line for line in lines)
                    + "\n", encoding="utf-8")  # fmt: skip
    load_bot(folder)  # still the same data, unindented
    write_overlay(folder, [Taught(3, "example", "en", "how long to vienna", intent="shipping")],
                  TODAY)  # fmt: skip
    english = next(data for data in load_bot(folder).nlu if data.language == "en")
    assert ("how long to vienna", "shipping") in [(e.text, e.intent) for e in english.examples]
