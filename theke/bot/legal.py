"""The shop's legal texts in the bot folder: terms (AGB), withdrawal notice, withdrawal form.

German law (§312f BGB) wants the order confirmation to reach the customer on a durable
medium *with* the terms and the withdrawal notice, so the confirmation e-mail carries them
in full when the bot folder has them:

    legal/terms.txt            (or .md) the AGB
    legal/withdrawal.txt       the Widerrufsbelehrung
    legal/withdrawal_form.txt  the Muster-Widerrufsformular

Plain UTF-8 text; each file at most 200 kB.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from theke.errors import BotFolderError

__all__ = ["LEGAL_TEXTS", "read_legal"]

LEGAL_TEXTS = ("terms", "withdrawal", "withdrawal_form")
_SUFFIXES = (".txt", ".md")
_MAX_BYTES = 200_000


def read_legal(folder: Path) -> Mapping[str, str]:
    """The legal texts the bot folder has, by name (``terms``, ``withdrawal``, ...)."""
    found: dict[str, str] = {}
    for name in LEGAL_TEXTS:
        path = next(
            (folder / "legal" / f"{name}{suffix}" for suffix in _SUFFIXES
             if (folder / "legal" / f"{name}{suffix}").is_file()),
            None,
        )  # fmt: skip
        if path is not None:
            found[name] = _read(path)
    return MappingProxyType(found)


def _read(path: Path) -> str:
    raw = path.read_bytes()
    if len(raw) > _MAX_BYTES:
        problem = f"is {len(raw):,} bytes, more than {_MAX_BYTES:,}"
        raise BotFolderError(str(path), None, problem, "shorten it: it goes into every e-mail")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BotFolderError(
            str(path), line, "is not UTF-8 text", "save it as UTF-8 (in most editors: Save As)"
        ) from exc
    if not text.strip():
        raise BotFolderError(str(path), None, "is empty", "write the text, or delete the file")
    return text.strip()
