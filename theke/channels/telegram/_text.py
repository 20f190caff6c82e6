"""Splitting text by Telegram's measure: UTF-16 code units, not characters.

Telegram counts the length of a message or caption in UTF-16 code units, so an
emoji outside the Basic Multilingual Plane counts twice. The split points are
those of ``theke.content.split_text``: a paragraph break, else a line break,
else a sentence end, else a space; a word is cut only when it alone is too long.
"""

from __future__ import annotations

from theke.content import split_text

__all__ = ["split_units", "take_units", "utf16_len"]


def utf16_len(text: str) -> int:
    """The length of ``text`` as Telegram counts it."""
    return len(text.encode("utf-16-le")) // 2


def take_units(text: str, limit: int) -> tuple[str, str]:
    """The first part of ``text`` within ``limit`` units, and the rest.

    ``text`` comes back whole when it fits. Otherwise only the whitespace at
    the split point is left out; the rest starts with a non-space or is "".
    """
    if utf16_len(text) <= limit:
        return text, ""
    text = text.lstrip()
    if utf16_len(text) <= limit:
        return text, ""
    head = split_text(text, _fitting_chars(text, limit))[0]
    return head, text[len(head) :].lstrip()


def split_units(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` units; parts holding only whitespace are left out."""
    parts: list[str] = []
    rest = text
    while rest:
        head, rest = take_units(rest, limit)
        if head.strip():
            parts.append(head)
    return parts


def _fitting_chars(text: str, limit: int) -> int:
    """How many characters from the start of ``text`` fit in ``limit`` units."""
    used = 0
    for count, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return count
    return len(text)
