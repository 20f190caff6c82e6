"""Normalised text for keyword matching: what a customer typed, without the noise.

``"HALLO!!"``, ``"hallo 👋"`` and ``"Hallo"`` all become ``"hallo"``;
``"Größe?"`` becomes ``"groesse"``, like the owner may have written it.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize"]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_NOT_WORD = re.compile(r"[\W_]+")
# Combining marks left by NFKD (accents): the diacritics blocks, not a Python loop per character.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def normalize(text: str) -> str:
    """Casefold, NFKC, ä=ae ö=oe ü=ue ß=ss, other accents dropped, punctuation to spaces.

    The result is the words of ``text`` joined by single spaces; emoji and
    punctuation vanish, so ``"Wann habt ihr offen?"`` is ``"wann habt ihr offen"``.
    """
    if text.isascii():  # the common case: nothing to fold but case
        return " ".join(_NOT_WORD.sub(" ", text.lower()).split())
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    bare = _COMBINING.sub("", unicodedata.normalize("NFKD", folded))
    return " ".join(_NOT_WORD.sub(" ", bare).split())
