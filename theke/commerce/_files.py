"""Reading a catalog file's text, with the errors a shop owner can act on."""

from __future__ import annotations

from pathlib import Path

from theke.errors import BotFolderError

__all__ = ["read_text"]


def read_text(path: Path) -> str:
    """The text of a catalog file, which must be UTF-8 (a BOM is allowed)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise BotFolderError(str(path), None, "the file is missing", "check the path") from exc
    except OSError as exc:
        problem = f"the file cannot be read ({exc.strerror})"
        raise BotFolderError(str(path), None, problem, "check the path") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BotFolderError(
            str(path),
            raw[: exc.start].count(b"\n") + 1,
            "the file is not saved as UTF-8",
            "save it again choosing the format `CSV UTF-8` (Excel) or the encoding UTF-8",
        ) from exc
