"""Text normalisation shared by the classifier, the entity matchers and keywords.

Customers write "GRÖSSE??", "groesse", "Größe" and "größeeee" for the same
word. :func:`fold` makes them comparable (NFKC, case folding, ä=ae ö=oe ü=ue
ß=ss, accents dropped); :func:`squeeze` also shortens runs of a repeated
letter to two and of repeated punctuation to one. Emoji stay: they carry
meaning ("👍", "😡") and the classifier uses them as features.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["fold", "shorten_runs", "squeeze"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
# Combining marks left by NFKD (accents): the diacritics blocks, not a Python loop per character.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_LETTER_RUN = re.compile(r"([^\W\d_])\1{2,}")
_PUNCT_RUN = re.compile(r"([!?.,;:\-*~])\1+")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def fold(text: str) -> str:
    """Casefold, NFKC, ä=ae ö=oe ü=ue ß=ss, other accents dropped; nothing else changes."""
    if text.isascii():  # the common case: nothing to fold but case
        return text.lower()
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    if folded.isascii():
        return folded
    return unicodedata.normalize("NFC", _COMBINING.sub("", unicodedata.normalize("NFKD", folded)))


def shorten_runs(text: str) -> str:
    """ "soooo" → "soo", "??!!" → "?!"; nothing else changes."""
    return _PUNCT_RUN.sub(r"\1", _LETTER_RUN.sub(r"\1\1", text))


def squeeze(text: str) -> str:
    """:func:`fold`, then "soooo" → "soo", "??" → "?"; control characters and extra spaces go."""
    text = _CONTROL.sub(" ", fold(text))
    return _SPACE.sub(" ", shorten_runs(text)).strip()
