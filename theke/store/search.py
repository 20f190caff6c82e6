"""The inbox search over what customers and the shop wrote.

``message_search`` holds each message's words (``indexed_text``): letters and digits
only, folded like the bot folds them (so "Größe" finds "groesse"), one space apart, so
both databases' word splitting sees the same words ("SC-123456" is "sc 123456",
"anna@web.de" is "anna web de"). The word index over it is the database's own: an FTS5 table
(``message_search_fts``, kept in step by triggers) on SQLite, a GIN index on
``to_tsvector('simple', body)`` on PostgreSQL. Each word of a query must occur, as a
word or the start of one ("lauf" finds "Laufschuhe").
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

from theke.nlu.normalize import fold

__all__ = ["MAX_WORDS", "WORD_INDEX", "indexed_text", "matching_conversations", "words_of"]

WORD_INDEX = "message_search_fts"  # SQLite's FTS5 table and its shadow tables start so
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")  # letters and digits: what both word indexes keep

_SQLITE = text(
    "SELECT s.conversation_id FROM message_search_fts f "
    "JOIN message_search s ON s.event_id = f.rowid "
    "WHERE message_search_fts MATCH :query ORDER BY f.rowid DESC LIMIT :hits"
)
_POSTGRES = text(
    "SELECT conversation_id FROM message_search "
    "WHERE to_tsvector('simple', body) @@ to_tsquery('simple', :query) "
    "ORDER BY event_id DESC LIMIT :hits"
)


def indexed_text(text: str) -> str:
    """What the word index keeps of a message's text."""
    return " ".join(_WORD.findall(fold(text)))


def words_of(query: str) -> list[str]:
    """The words a query searches for: folded, at most ``MAX_WORDS``."""
    return _WORD.findall(fold(query))[:MAX_WORDS]


def matching_conversations(
    conn: Connection, query: str, limit: int = 100, *, phrase: bool = False
) -> list[str]:
    """Conversations with a message containing every word of ``query`` (with ``phrase``:
    all of them in a row, each whole, like an e-mail address), the one with the newest
    such message first; at most ``limit``. No words: no conversations."""
    words = words_of(query)
    if not words:
        return []
    if conn.dialect.name == "sqlite":
        statement = _SQLITE
        match = (
            '"' + " ".join(words) + '"' if phrase else " AND ".join(f'"{word}"*' for word in words)
        )
    else:
        statement = _POSTGRES
        match = " <-> ".join(words) if phrase else " & ".join(f"{word}:*" for word in words)
    # The newest hits first, in rounds, until enough different conversations turned up.
    hits = limit * 4
    while True:
        rows = conn.execute(statement, {"query": match, "hits": hits}).scalars().all()
        found = dict.fromkeys(rows)
        if len(found) >= limit or len(rows) < hits:
            return list(found)[:limit]
        hits *= 4
