"""Fitting text into a channel's limits: splitting long messages, shortening labels."""

from __future__ import annotations

import re
import unicodedata

from theke.errors import ContentError

__all__ = ["ELLIPSIS", "shorten", "split_text"]

ELLIPSIS = "…"

_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = ".!?…"
_CLOSERS = "\"'»«“”‘’)]"
_JOINERS = frozenset("\u200d\u20e3") | frozenset(map(chr, range(0xFE00, 0xFE10)))
_MODIFIERS = range(0x1F3FB, 0x1F400)
_TAGS = range(0xE0020, 0xE0080)
_MAX_BACKOFF = 16

# What a split point between two parts is worth; a better one wins when it is
# in the second half of the allowed length (so no part is needlessly short).
_WORD, _SENTENCE, _LINE, _PARAGRAPH = range(4)


def split_text(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters.

    Splits at a paragraph break, else a line break, else a sentence end, else a
    space; a word is cut only when it alone is longer than ``limit``. Only the
    whitespace at a split point is left out; every other character is kept.
    """
    if limit < 1:
        raise ContentError(f"A text limit must be at least 1 character, not {limit}")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        head, rest = _split_once(rest, limit)
        if head:
            parts.append(head)
    if rest:
        parts.append(rest)
    return parts


def shorten(text: str, limit: int) -> str:
    """``text`` if it fits in ``limit`` characters, else its start and "…"."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = _safe_cut(text, limit - 1)
    return (text[:cut].rstrip() or text[:cut]) + ELLIPSIS


def _split_once(text: str, limit: int) -> tuple[str, str]:
    best: tuple[int, int] | None = None
    for match in _WHITESPACE.finditer(text, 0, limit + 1):
        start = match.start()
        if start == 0:
            continue
        rank = _rank(text, start, match.group()) if start >= limit // 2 else _WORD
        if best is None or (rank, start) > best:
            best = (rank, start)
    if best is None:
        return _split_without_space(text, limit)
    start = best[1]
    run = _WHITESPACE.match(text, start)
    end = run.end() if run else start
    return text[:start], text[end:]


def _split_without_space(text: str, limit: int) -> tuple[str, str]:
    """Leading whitespace goes (it is a split point); else a word or a blank run is cut."""
    lead = _WHITESPACE.match(text)
    if lead is not None and lead.end() < len(text):
        return "", text[lead.end() :]
    cut = limit if lead is not None else _safe_cut(text, limit)
    return text[:cut], text[cut:]


def _rank(text: str, start: int, run: str) -> int:
    newlines = run.count("\n")
    if newlines >= 2:
        return _PARAGRAPH
    if newlines == 1:
        return _LINE
    before = text[start - 1]
    if before in _SENTENCE_END or (
        before in _CLOSERS and start >= 2 and text[start - 2] in _SENTENCE_END
    ):
        return _SENTENCE
    return _WORD


def _safe_cut(text: str, limit: int) -> int:
    """The cut at or just before ``limit`` that keeps an emoji or accented letter whole."""
    for cut in range(limit, max(limit - _MAX_BACKOFF, 0), -1):
        if not _joined(text[cut - 1], text[cut]):
            return cut
    return limit


def _joined(before: str, after: str) -> bool:
    if before == "\u200d" or after in _JOINERS:
        return True
    if ord(after) in _MODIFIERS or ord(after) in _TAGS:
        return True
    return unicodedata.category(after) in {"Mn", "Mc", "Me"}
