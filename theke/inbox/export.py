"""``theke bot export``: what agents taught goes into the bot folder, for review in git.

Taught FAQ entries are appended to ``knowledge/taught.yml`` (made when missing), taught
examples to the end of ``nlu/<lang>.yml`` under their intent, each block headed by a
comment with the date. The folder must still load afterwards; if it does not, every file
is put back as it was and nothing is marked. Exported items leave the overlay (they are
in the folder now), which bumps its version.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from theke.bot.loader import load_bot
from theke.bot.overlay import Taught, taught_entry_id, taught_title
from theke.errors import BotFolderError

__all__ = ["Exported", "write_overlay"]

TAUGHT_FILE = Path("knowledge") / "taught.yml"
_NLU_ITEM = re.compile(r"^( *)- (?:intent|synonym|lookup|regex):", re.MULTILINE)
_HEADER = (
    "# What the team taught the bot in the inbox (theke bot export). Reference: docs/knowledge.md\n"
)


@dataclass(frozen=True, slots=True)
class Exported:
    """What an export wrote."""

    files: tuple[Path, ...]
    items: tuple[int, ...]


def write_overlay(folder: Path, items: Sequence[Taught], today: date) -> Exported:
    """Write ``items`` into the bot folder; ``BotFolderError`` (and the folder unchanged)
    when the result would not load."""
    before: dict[Path, str | None] = {}
    faq = [item for item in items if item.kind == "faq" and item.answer]
    examples = [item for item in items if item.kind == "example" and item.intent]
    try:
        if faq:
            _append(folder / TAUGHT_FILE, _faq_text(faq, today), before, header=_HEADER)
        for language in sorted({item.language for item in examples}):
            mine = [item for item in examples if item.language == language]
            path = folder / "nlu" / f"{language}.yml"
            indent = _item_indent(path.read_text(encoding="utf-8") if path.exists() else "")
            _append(path, _nlu_text(mine, today, indent), before)
        load_bot(folder)
    except (BotFolderError, OSError, yaml.YAMLError):
        _restore(before)
        raise
    exported = tuple(item.id for item in (*faq, *examples))
    return Exported(files=tuple(before), items=exported)


def _append(path: Path, text: str, before: dict[Path, str | None], *, header: str = "") -> None:
    old = path.read_text(encoding="utf-8") if path.exists() else None
    before.setdefault(path, old)
    if old is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(header + text, encoding="utf-8")
        return
    separator = "" if old.endswith("\n") else "\n"
    path.write_text(old + separator + "\n" + text, encoding="utf-8")


def _restore(before: dict[Path, str | None]) -> None:
    for path, old in before.items():
        if old is None:
            path.unlink(missing_ok=True)
        else:
            path.write_text(old, encoding="utf-8")


def _faq_text(items: Sequence[Taught], today: date) -> str:
    entries = [
        {
            "id": taught_entry_id(item.id),
            "title": {item.language: taught_title(item.question)},
            "questions": {item.language: [item.question]},
            "answer": {item.language: item.answer},
        }
        for item in items
    ]
    dumped = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False, width=90)
    return f"# Taught in the inbox, exported {today.isoformat()}\n{dumped}"


def _item_indent(text: str) -> str:
    """How the file indents the items of its ``nlu:`` list (Rasa's files: not at all)."""
    found = _NLU_ITEM.search(text)
    return found.group(1) if found else "  "


def _nlu_text(items: Sequence[Taught], today: date, indent: str) -> str:
    lines = [f"{indent}# Taught in the inbox, exported {today.isoformat()}"]
    for intent in sorted({str(item.intent) for item in items}):
        lines += [f"{indent}- intent: {intent}", f"{indent}  examples: |"]
        lines += [
            f"{indent}    - {_example(item.question)}" for item in items if item.intent == intent
        ]
    return "\n".join(lines) + "\n"


def _example(question: str) -> str:
    """One line of a block of examples; brackets would read as an entity mark-up."""
    return " ".join(question.split()).replace("[", "(").replace("]", ")")
