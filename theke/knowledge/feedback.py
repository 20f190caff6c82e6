"""What follows an FAQ answer: "Hat dir das geholfen?" and the related entries.

The quick replies carry payloads the engine understands:
``theke:helpful:<entry id>:yes`` / ``:no`` for the feedback, and
``theke:faq:<entry id>`` to answer a follow-up entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

from theke.content import QuickReplies, QuickReply
from theke.knowledge.entries import Entry

__all__ = [
    "FAQ_PREFIX",
    "HELPFUL_PREFIX",
    "faq_payload",
    "feedback_prompt",
    "follow_up_replies",
    "parse_faq",
    "parse_feedback",
]

HELPFUL_PREFIX = "theke:helpful:"
FAQ_PREFIX = "theke:faq:"

_ID = r"[a-z0-9_]{1,64}"
_FEEDBACK = re.compile(rf"{re.escape(HELPFUL_PREFIX)}({_ID}):(yes|no)")
_FAQ = re.compile(rf"{re.escape(FAQ_PREFIX)}({_ID})")

# language → (question with du, question with Sie, yes, no); other languages get English.
_TEXTS = {
    "de": ("Hat dir das geholfen?", "Hat Ihnen das geholfen?", "Ja", "Nein"),
    "en": ("Was this helpful?", "Was this helpful?", "Yes", "No"),
}


def feedback_prompt(
    entry_id: str, language: str, *, address: Literal["du", "Sie"] = "du"
) -> QuickReplies:
    """ "Hat dir das geholfen?" with Ja/Nein (in English: Yes/No) for the answer ``entry_id``."""
    du, sie, yes, no = _TEXTS.get(language, _TEXTS["en"])
    return QuickReplies(
        text=sie if address == "Sie" else du,
        replies=(
            QuickReply(title=yes, payload=f"{HELPFUL_PREFIX}{entry_id}:yes"),
            QuickReply(title=no, payload=f"{HELPFUL_PREFIX}{entry_id}:no"),
        ),
    )


def parse_feedback(payload: str) -> tuple[str, bool] | None:
    """``theke:helpful:returns:yes`` → ``("returns", True)``; anything else → ``None``."""
    found = _FEEDBACK.fullmatch(payload)
    return None if found is None else (found.group(1), found.group(2) == "yes")


def faq_payload(entry_id: str) -> str:
    """The payload of a quick reply that answers with the entry ``entry_id``."""
    return f"{FAQ_PREFIX}{entry_id}"


def parse_faq(payload: str) -> str | None:
    """``theke:faq:returns`` → ``"returns"``; anything else → ``None``."""
    found = _FAQ.fullmatch(payload)
    return None if found is None else found.group(1)


def follow_up_replies(
    entry: Entry, entries: Mapping[str, Entry] | Iterable[Entry], language: str
) -> tuple[QuickReply, ...]:
    """Quick replies for ``entry``'s follow-ups, titled in ``language`` (unknown ids skipped)."""
    known = entries if isinstance(entries, Mapping) else {e.id: e for e in entries}
    return tuple(
        QuickReply(title=known[target].title(language), payload=faq_payload(target))
        for target in entry.follow_up
        if target in known
    )
