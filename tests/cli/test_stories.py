"""``theke test``: a shop owner's conversation tests, passing and failing."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.cli.test_chat import theke

FLOWBOT = Path(__file__).resolve().parents[1] / "dialogue" / "flowbot"

BROKEN = """\
- story: expects the wrong answer
  steps:
    - user: ich suche sneaker
      flow: sneaker_advice
    - user: Laufschuhe
      bot:
        - text: Welche Farbe
"""


@pytest.fixture
def bot(tmp_path: Path) -> Path:
    folder = tmp_path / "flowbot"
    shutil.copytree(FLOWBOT, folder, ignore=shutil.ignore_patterns(".theke"))
    return folder


def test_passing_stories_exit_0_and_write_junit(bot: Path, tmp_path: Path) -> None:
    report = tmp_path / "junit.xml"
    result = theke("test", str(bot), "--junit", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed, 0 failed" in result.stdout
    suite = ET.parse(report).getroot()  # noqa: S314 - our own report file
    assert suite.get("tests") == "2" and suite.get("failures") == "0"


def test_a_failing_story_shows_where_and_what_the_bot_said(bot: Path, tmp_path: Path) -> None:
    (bot / "tests" / "broken.yml").write_text(BROKEN, encoding="utf-8")
    report = tmp_path / "junit.xml"
    result = theke("test", str(bot), "--junit", str(report))
    assert result.returncode == 1
    assert "broken.yml line 5 (story “expects the wrong answer”): customer: Laufschuhe" in (
        result.stdout
    )
    assert "expected a message with text 'Welche Farbe'" in result.stdout
    assert "[text] Wie viel möchtest du ausgeben?" in result.stdout
    assert "2 passed, 1 failed" in result.stdout
    failures = ET.parse(report).getroot().findall("testcase/failure")  # noqa: S314
    assert len(failures) == 1


def test_a_malformed_story_names_file_and_line(bot: Path) -> None:
    (bot / "tests" / "bad.yml").write_text("- story: x\n  steps:\n    - wait: soon\n")
    result = theke("test", str(bot))
    assert result.returncode == 2
    assert "bad.yml:3" in result.stderr
    assert "is not a duration" in result.stderr
