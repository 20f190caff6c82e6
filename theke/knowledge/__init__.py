"""The FAQ: entries from ``knowledge/*.yml``, the search that finds the answer, feedback.

See docs/knowledge.md for the file format and how the search works.
"""

from theke.knowledge.entries import Entry, Match
from theke.knowledge.feedback import (
    faq_payload,
    feedback_prompt,
    follow_up_replies,
    parse_faq,
    parse_feedback,
)
from theke.knowledge.index import KnowledgeBase
from theke.knowledge.loader import load_knowledge
from theke.knowledge.settings import KnowledgeSettings

__all__ = [
    "Entry",
    "KnowledgeBase",
    "KnowledgeSettings",
    "Match",
    "faq_payload",
    "feedback_prompt",
    "follow_up_replies",
    "load_knowledge",
    "parse_faq",
    "parse_feedback",
]
