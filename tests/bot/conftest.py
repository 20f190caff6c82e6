"""A small valid bot folder, written into tmp_path; each test breaks one file of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

THEKE_YML = """\
name: Testladen
languages: [de, en]
keywords:
  - match: exact
    patterns: [hallo]
    response: greet
postbacks:
  GET_STARTED: greet
"""

DE_YML = """\
greet: Hallo!
fallback: Wie bitte?
"""

EN_YML = """\
greet: Hello!
fallback: Sorry?
"""

WriteBot = Callable[..., Path]


@pytest.fixture
def write_bot(tmp_path: Path) -> WriteBot:
    """Write a bot folder; pass ``theke``, ``de`` or ``en`` to replace one file's text."""

    def write(theke: str = THEKE_YML, de: str | None = DE_YML, en: str | None = EN_YML) -> Path:
        bot = tmp_path / "bot"
        (bot / "responses").mkdir(parents=True, exist_ok=True)
        (bot / "theke.yml").write_text(theke, encoding="utf-8")
        for language, text in (("de", de), ("en", en)):
            if text is not None:
                (bot / "responses" / f"{language}.yml").write_text(text, encoding="utf-8")
        return bot

    return write
