"""Normalised text for keyword matching: what a customer typed, without the noise.

``"HALLO!!"``, ``"hallo 👋"`` and ``"Hallo"`` all become ``"hallo"``;
``"Größe?"`` becomes ``"groesse"``, like the owner may have written it.
"""

from __future__ import annotations

import re

from theke.nlu.normalize import fold

__all__ = ["normalize"]

_NOT_WORD = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """Casefold, NFKC, ä=ae ö=oe ü=ue ß=ss, other accents dropped, punctuation to spaces.

    The result is the words of ``text`` joined by single spaces; emoji and
    punctuation vanish, so ``"Wann habt ihr offen?"`` is ``"wann habt ihr offen"``.
    """
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())
