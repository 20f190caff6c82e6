"""Canned responses ("Textbausteine"): what makes one valid, and how a reply that is only
a shortcut becomes the canned text.

A shortcut is what an agent types in the reply box instead of the text: ``/versand``.
It is kept without the slash, lower-case ASCII: a letter or digit, then letters, digits,
``-`` and ``_``, at most :data:`SHORTCUT_MAX` characters. A reply is a shortcut only when
it is one such token and nothing else (spaces around it aside), so "/ hallo", "/inbox/c/7"
or "/versand kostet?" go out as typed. The database side is :mod:`theke.store.canned`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

__all__ = [
    "SHORTCUT_MAX",
    "TEXT_MAX",
    "TITLE_MAX",
    "UnknownShortcut",
    "check",
    "expand",
    "normalize_shortcut",
]

SHORTCUT_MAX = 40
TITLE_MAX = 100
TEXT_MAX = 4000

_SHORTCUT = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,{SHORTCUT_MAX - 1}}}")
_TYPED = re.compile(r"/([a-z0-9_-]+)")
_SHORTCUT_RULE = (
    f"Das Kürzel darf nur Kleinbuchstaben, Ziffern, - und _ enthalten "
    f"(höchstens {SHORTCUT_MAX} Zeichen), z. B. versand."
)
_ALLOWED_CONTROLS = frozenset("\n\t")


class UnknownShortcut(ValueError):
    """A reply that is a shortcut ("/word") no canned response has."""

    def __init__(self, shortcut: str) -> None:
        super().__init__(
            f'Kein Textbaustein "/{shortcut}". Die Textbausteine stehen unter „Textbausteine“.'
        )
        self.shortcut = shortcut


def normalize_shortcut(raw: str) -> str:
    """``raw`` as it is kept: trimmed, one leading "/" dropped, lower-case ("/Versand" →
    ``"versand"``). ``ValueError`` with a message for the form when it is not a shortcut."""
    text = raw.strip()
    if text.startswith("/"):
        text = text[1:]
    if not text:
        raise ValueError("Gib ein Kürzel an, z. B. versand.")
    shortcut = text.lower()
    if not text.isascii() or not _SHORTCUT.fullmatch(shortcut):
        raise ValueError(_SHORTCUT_RULE)
    return shortcut


def check(shortcut: str, title: str, text: str) -> tuple[str, str, str]:
    """The shortcut, title and text as they are kept: the shortcut normalized, the title
    on one line, the text trimmed with plain line breaks. ``ValueError`` with a German
    message naming the field (and its limit) when one is missing or too long."""
    kept_shortcut = normalize_shortcut(shortcut)
    kept_title = " ".join(title.split())
    if not kept_title:
        raise ValueError("Gib einen Titel an, damit das Team den Textbaustein erkennt.")
    if len(kept_title) > TITLE_MAX:
        raise ValueError(_too_long("Der Titel", len(kept_title), TITLE_MAX))
    if _has_control(kept_title):
        raise ValueError("Der Titel enthält ein Steuerzeichen. Schreib ihn neu.")
    kept_text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not kept_text:
        raise ValueError("Gib den Text an, den der Kunde bekommen soll.")
    if len(kept_text) > TEXT_MAX:
        raise ValueError(_too_long("Der Text", len(kept_text), TEXT_MAX))
    if _has_control(kept_text):
        raise ValueError("Der Text enthält ein Steuerzeichen. Füg ihn als reinen Text ein.")
    return kept_shortcut, kept_title, kept_text


def expand(text: str, lookup: Callable[[str], str | None]) -> str | None:
    """The canned text a reply stands for, when the reply is only a shortcut ("/versand");
    ``None`` when it is an ordinary message. ``lookup`` gets the normalized shortcut and
    returns its text or ``None``; :class:`UnknownShortcut` when it has none."""
    typed = text.strip()
    if not typed.isascii():
        return None
    found = _TYPED.fullmatch(typed.lower())
    if found is None:
        return None
    shortcut = found.group(1)
    canned = lookup(shortcut)
    if canned is None:
        raise UnknownShortcut(shortcut)
    return canned


def _too_long(what: str, length: int, limit: int) -> str:
    return f"{what} ist zu lang: {length} Zeichen, höchstens {limit} gehen."


def _has_control(text: str) -> bool:
    """Whether ``text`` holds a control character other than a line break or tab, or a
    lone surrogate: neither can be stored or sent."""
    return any(
        unicodedata.category(char) in ("Cc", "Cs") and char not in _ALLOWED_CONTROLS
        for char in text
    )
