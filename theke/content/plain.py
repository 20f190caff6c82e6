"""Any content as readable plain text, for the terminal chat and previews."""

from __future__ import annotations

from theke.content.listing import listing
from theke.content.model import Content

__all__ = ["as_plain_text"]


def as_plain_text(content: Content, locale: str = "de") -> str:
    """The content as one text: choices numbered, links written out.

    It is the same text a text-only channel receives, unsplit: a receipt or a
    consent request gives the text written with it, the typing indicator "".
    """
    return listing(content, locale)
