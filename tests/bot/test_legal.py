"""The shop's legal texts in the bot folder, read for the confirmation e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from theke.bot.legal import read_legal
from theke.errors import BotFolderError


def test_the_texts_the_folder_has_are_read_by_name(tmp_path: Path) -> None:
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "withdrawal.md").write_text("\ufeffWiderrufsrecht …\n", "utf-8")
    (tmp_path / "legal" / "terms.txt").write_text("AGB …", "utf-8")
    assert dict(read_legal(tmp_path)) == {"terms": "AGB …", "withdrawal": "Widerrufsrecht …"}
    assert dict(read_legal(tmp_path / "nowhere")) == {}


def test_a_file_that_is_not_utf8_names_the_file_the_line_and_the_fix(tmp_path: Path) -> None:
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "terms.txt").write_bytes("Zeile 1\nPreise in €\n".encode("cp1252"))
    with pytest.raises(BotFolderError) as error:
        read_legal(tmp_path)
    assert error.value.line == 2
    assert "terms.txt:2: is not UTF-8 text. save it as UTF-8" in str(error.value)


def test_an_empty_or_huge_text_is_refused(tmp_path: Path) -> None:
    (tmp_path / "legal").mkdir()
    (tmp_path / "legal" / "terms.txt").write_text("  \n", "utf-8")
    with pytest.raises(BotFolderError, match="is empty"):
        read_legal(tmp_path)
    (tmp_path / "legal" / "terms.txt").write_text("x" * 300_000, "utf-8")
    with pytest.raises(BotFolderError, match="more than 200,000"):
        read_legal(tmp_path)
