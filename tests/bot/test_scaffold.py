"""``theke init``: a new bot folder that loads and answers right away."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.bot import load_bot, scaffold
from theke.errors import BotFolderError


def test_a_new_bot_folder_loads(tmp_path: Path) -> None:
    scaffold(tmp_path / "mybot", "Müllers Laden")
    bot = load_bot(tmp_path / "mybot")
    assert bot.config.name == "Müllers Laden"
    assert bot.config.languages == ("de", "en")
    for language in ("de", "en"):
        for key in ("greet", "help", "fallback", "stop", "start", "thanks"):
            assert bot.responses.get(key, language)


def test_a_new_bot_folder_has_the_whole_layout(tmp_path: Path) -> None:
    scaffold(tmp_path / "mybot", "Laden")
    files = {str(p.relative_to(tmp_path / "mybot")) for p in (tmp_path / "mybot").rglob("*")}
    assert {
        "theke.yml",
        "responses/de.yml",
        "responses/en.yml",
        "nlu/de.yml",
        "nlu/en.yml",
        "flows/.gitkeep",
        "knowledge/.gitkeep",
        "tests/.gitkeep",
        "catalog/products.csv",
        "README.md",
        ".gitignore",
    } <= files
    assert ".theke/" in (tmp_path / "mybot" / ".gitignore").read_text().splitlines()
    header = (tmp_path / "mybot" / "catalog" / "products.csv").read_text().splitlines()
    assert header[0].startswith("sku,name,")
    assert "# Laden" in (tmp_path / "mybot" / "README.md").read_text()


def test_an_empty_existing_folder_is_fine(tmp_path: Path) -> None:
    scaffold(tmp_path, "Laden")
    assert load_bot(tmp_path).config.name == "Laden"


def test_a_folder_with_files_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(BotFolderError, match="not empty") as caught:
        scaffold(tmp_path, "Laden")
    assert "new folder name" in caught.value.fix
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_a_file_in_the_way_is_not_touched(tmp_path: Path) -> None:
    (tmp_path / "bot").write_text("mine")
    with pytest.raises(BotFolderError, match="file with this name"):
        scaffold(tmp_path / "bot", "Laden")
    assert (tmp_path / "bot").read_text() == "mine"


def test_a_blank_name_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BotFolderError, match="needs a name"):
        scaffold(tmp_path / "bot", "  ")
    assert not (tmp_path / "bot").exists()


@settings(max_examples=50, deadline=None)
@given(name=st.text(min_size=1, max_size=40).filter(str.strip))
def test_any_name_survives_the_round_trip(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        scaffold(Path(folder) / "bot", name)
        assert load_bot(Path(folder) / "bot").config.name == name.strip()
