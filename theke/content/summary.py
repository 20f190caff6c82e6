"""A stored message as one line of words: what the inbox list previews and the search
indexes. It reads the stored JSON form (unlike ``theke.content.plain``, which lays out
a validated message for a text-only channel), so an old or damaged message still reads."""

from __future__ import annotations

from typing import Any

__all__ = ["one_line"]

_MEDIA = {"image": "Bild", "audio": "Tonaufnahme", "video": "Video", "file": "Datei"}


def one_line(content: Any) -> str | None:
    """The words of a stored message (``None``: nothing to read, like a typing indicator).

    Texts and questions are their text; a card is its title and subtitle; a carousel the
    titles of its cards; a picture or file its kind, name and caption.
    """
    if not isinstance(content, dict):
        return None
    kind = content.get("type")
    if kind == "card":
        parts = [content.get("title"), content.get("subtitle")]
    elif kind == "carousel":
        cards = content.get("cards")
        parts = (
            [card.get("title") for card in cards if isinstance(card, dict)]
            if isinstance(cards, list)
            else []
        )
    elif kind == "media":
        label = _MEDIA.get(str(content.get("kind")), "Datei")
        parts = [f"[{label}]", content.get("filename"), content.get("caption")]
    else:
        parts = [content.get("text")]
    words = " ".join(" ".join(part.split()) for part in parts if isinstance(part, str))
    return words or None
