"""Which of the built-in languages a locale means."""

from __future__ import annotations

from typing import Literal

__all__ = ["Language", "language"]

Language = Literal["de", "en"]


def language(locale: str) -> Language:
    """``de`` for any German locale ("de", "de-AT", "de_CH"), else ``en``."""
    return "de" if locale.replace("_", "-").split("-")[0].strip().lower() == "de" else "en"
