"""Create a new bot folder that loads and answers right away (``theke init``)."""

from __future__ import annotations

from pathlib import Path

from theke.bot._template import DIRECTORIES, FILES
from theke.errors import BotFolderError

__all__ = ["scaffold"]


def scaffold(path: Path, name: str) -> None:
    """Write a new bot folder called ``name`` at ``path``.

    Refuses to touch an existing file or a folder that is not empty.
    """
    _check_target(path)
    if not name.strip():
        raise BotFolderError(str(path), None, "the bot needs a name", "give it the shop's name")
    quoted = _yaml_quoted(name.strip())
    for relative, template in FILES.items():
        text = template.replace("@NAME_YAML@", quoted).replace("@NAME@", name.strip())
        _write(path / relative, text)
    for directory in DIRECTORIES:
        _write(path / directory / ".gitkeep", "")


def _check_target(path: Path) -> None:
    if path.is_dir() and not any(path.iterdir()):
        return
    if path.is_dir():
        problem = "the folder already exists and is not empty"
    elif path.exists():
        problem = "a file with this name already exists"
    else:
        return
    fix = "choose a new folder name (nothing was changed)"
    raise BotFolderError(str(path), None, problem, fix)


def _yaml_quoted(text: str) -> str:
    """``text`` as a double-quoted YAML scalar; invisible characters become escapes."""
    body = "".join(_yaml_char(char) for char in text)
    return f'"{body}"'


def _yaml_char(char: str) -> str:
    if char in '"\\':
        return "\\" + char
    return char if char.isprintable() else f"\\U{ord(char):08x}"


def _write(file: Path, text: str) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text, encoding="utf-8")
