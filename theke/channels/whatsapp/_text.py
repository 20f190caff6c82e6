"""Fitting text into WhatsApp's limits: text messages, interactive bodies, captions.

The split points are those of ``theke.content.split_text``: a paragraph break,
else a line break, else a sentence end, else a space; only the whitespace at a
split point is left out. WhatsApp refuses an empty or blank text, body or
caption, so blank parts are left out and a blank body becomes "…".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from theke.content import split_text

__all__ = [
    "BLANK_STANDIN",
    "TEXT_MAX",
    "first_lines",
    "first_part",
    "last_part",
    "text_message",
    "text_messages",
]

TEXT_MAX = 4096
"""The longest text message body, in characters."""
BLANK_STANDIN = "…"

_LINK_STARTS = ("http://", "https://")
_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = ".!?…:"


def text_messages(text: str) -> list[dict[str, Any]]:
    """``text`` as text messages of at most 4,096 characters; a blank text gives none."""
    return [text_message(part) for part in _parts(text, TEXT_MAX)]


def text_message(body: str) -> dict[str, Any]:
    """One text message; one with a web address asks for a link preview (``preview_url``),
    so a product page shows its picture and title."""
    return {"type": "text", "text": {"body": body, "preview_url": _has_link(body)}}


def last_part(text: str, limit: int) -> tuple[list[str], str]:
    """The text messages that go before an interactive message, and its body.

    The body (at most ``limit`` characters) is the end of ``text``, so a
    question stays next to its buttons; everything before it goes first.
    """
    parts = _parts(text, TEXT_MAX)
    if not parts:
        return [], BLANK_STANDIN
    *before, last = parts
    last = last.strip()
    if len(last) > limit:
        start = _tail_start(last, limit)
        before.append(last[:start].rstrip())
        last = last[start:]
    return before, last


def _tail_start(text: str, limit: int) -> int:
    """Where the end of ``text`` (no longer than ``limit``) best begins.

    After the best boundary that leaves at most ``limit`` characters, the
    earliest of equally good ones (the longest body): a question after a
    paragraph of explanation keeps the explanation when both fit. ``text``
    starts and ends with a non-space.
    """
    earliest = len(text) - limit
    best: tuple[int, int] | None = None
    for run in _WHITESPACE.finditer(text):
        if run.end() >= earliest and (best is None or _rank(text, run) > best[0]):
            best = (_rank(text, run), run.end())
    if best is not None:
        return best[1]
    return len(text) - len(split_text(text, limit)[-1])  # one long word: cut it


def _rank(text: str, run: re.Match[str]) -> int:
    newlines = run.group().count("\n")
    if newlines:
        return 1 + min(newlines, 2)
    return 1 if text[run.start() - 1] in _SENTENCE_END else 0


def first_part(text: str, limit: int) -> tuple[str, str]:
    """The start of ``text`` within ``limit`` characters, and the rest to send after it.

    For a caption or a card: the title and price come first, what did not fit
    follows as text. The start is "" when ``text`` is blank.
    """
    text = text.strip()
    if len(text) <= limit:
        return text, ""
    head = split_text(text, limit)[0]
    return head, text[len(head) :].lstrip()


def first_lines(lines: Sequence[str], limit: int) -> tuple[str, str]:
    """The whole lines from the start that fit in ``limit`` characters, and the rest.

    For a card: title, price and description stay together; a long link that
    does not fit follows as text, never cut. A first line too long alone is split.
    """
    shown = [line for line in lines if line.strip()]
    for count in range(len(shown), 0, -1):
        head = "\n".join(shown[:count]).strip()
        if len(head) <= limit:
            return head, "\n".join(shown[count:])
    return first_part("\n".join(shown), limit)


def _parts(text: str, limit: int) -> list[str]:
    return [part for part in split_text(text, limit) if part.strip()]


def _has_link(text: str) -> bool:
    lowered = text.lower()
    return any(start in lowered for start in _LINK_STARTS)
