"""What the bot answers to a comment under the shop's posts, and whether a private reply
is still allowed: pure functions, no I/O.

``decide`` reads ``comments:`` in theke.yml. The keyword rules come first: a comment
that contains one of a rule's words (whole words, any case, ``ä`` as ``ae``) gets the
rule's response as its private reply, and its ``reply`` under the comment. Then the FAQ:
a comment it answers with a score of at least ``min_score`` gets the answer's first
variant, publicly or privately (``faq:``). Anything else gets ``None``: it waits for a
person in the inbox.

Meta allows one private reply per comment, within 7 days of the comment
(:func:`private_reply_problem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from theke.bot.config import CommentKeyword
from theke.content import Buttons, Content, QuickReplies, Text
from theke.dialogue import templates
from theke.dialogue.context import variant_index
from theke.dialogue.normalize import normalize
from theke.nlu.language import detect_language

if TYPE_CHECKING:
    from theke.bot import Bot
    from theke.knowledge import KnowledgeBase

__all__ = [
    "PRIVATE_REPLY_WINDOW",
    "RULE_MAX",
    "CommentAnswer",
    "comment_language",
    "decide",
    "private_reply_problem",
]

PRIVATE_REPLY_WINDOW = timedelta(days=7)
"""How long after a comment Meta takes its one private reply."""
RULE_MAX = 100
"""The longest rule name the comments table keeps."""


@dataclass(frozen=True, slots=True)
class CommentAnswer:
    """The bot's answer to one comment: ``public`` is posted under it, ``private`` sent as
    its one private reply in Messenger (either may be ``None``, not both); ``rule`` says
    what answered: ``faq:<entry id>`` or ``keyword:<the rule's first word>``."""

    public: str | None
    private: Content | None
    rule: str


def comment_language(text: str, bot: Bot) -> str:
    """The language of a comment among the bot's; the first one when the text is unclear."""
    return detect_language(text, bot.config.languages).language


def decide(
    text: str,
    bot: Bot,
    language: str,
    *,
    knowledge: KnowledgeBase | None = None,
    seed: str = "",
) -> CommentAnswer | None:
    """The answer to a comment saying ``text``, or ``None`` when a person should answer.

    ``knowledge`` is the bot's FAQ search (``None``: keywords only); ``seed`` (the
    comment's id) picks among a response's variants, the same one every time.
    """
    settings = bot.config.comments
    if language not in bot.config.languages:
        language = bot.config.default_language
    words = f" {normalize(text)} "
    for keyword in settings.keywords:
        if any(f" {phrase} " in words for phrase in _phrases(keyword)):
            return _keyword_answer(keyword, bot, language, seed)
    if settings.faq == "off" or knowledge is None:
        return None
    best = next(iter(knowledge.search(text, language, limit=1)), None)
    entry = bot.knowledge.get(best.entry_id) if best is not None else None
    if best is None or entry is None or best.score < settings.min_score:
        return None
    variant = [_filled(message, bot, language) for message in entry.answer(language)[0]]
    said = _said(variant)
    if said is None:
        return None
    rule = f"faq:{entry.id}"[:RULE_MAX]
    if settings.faq == "public":
        return CommentAnswer(said, None, rule)
    private = variant[0] if len(variant) == 1 else Text(text=said)
    return CommentAnswer(None, private, rule)


def private_reply_problem(
    written_at: datetime, private_replied_at: datetime | None, now: datetime
) -> str | None:
    """Why Meta would refuse a private reply now (``None``: it takes one), in German for
    the inbox: one was sent already, or the comment is older than 7 days."""
    if private_replied_at is not None:
        return "Es wurde schon privat geantwortet; Meta erlaubt eine private Antwort je Kommentar."
    if now - written_at >= PRIVATE_REPLY_WINDOW:
        return "Der Kommentar ist älter als 7 Tage; Meta erlaubt dann keine private Antwort mehr."
    return None


def _phrases(rule: CommentKeyword) -> list[str]:
    """A rule's words as they are compared: normalised like the comment."""
    return [phrase for phrase in (normalize(word) for word in rule.words) if phrase]


def _keyword_answer(rule: CommentKeyword, bot: Bot, language: str, seed: str) -> CommentAnswer:
    private = _filled(_pick(bot, rule.message, language, seed)[0], bot, language)
    public = None
    if rule.reply is not None:
        reply = [
            _filled(message, bot, language) for message in _pick(bot, rule.reply, language, seed)
        ]
        public = _said(reply)
    name = _phrases(rule)[0].replace(" ", "_")
    return CommentAnswer(public, private, f"keyword:{name}"[:RULE_MAX])


def _pick(bot: Bot, key: str, language: str, seed: str) -> tuple[Content, ...]:
    """One variant of the response ``key`` (the loader checked that it exists)."""
    variants = bot.responses.get(key, language)
    return variants[variant_index(seed, 0, len(variants))]


def _filled(message: Content, bot: Bot, language: str) -> Content:
    """``message`` with the owner's templates filled in (no customer is known here)."""
    config = bot.config
    variables: dict[str, Any] = {
        "bot": {"name": config.name, "persona": config.persona or config.name},
        "customer": {},
        "language": language,
    }
    return templates.render(message, variables)


def _said(messages: list[Content]) -> str | None:
    """The words of ``messages`` as one comment: their texts, a blank line between."""
    texts = [
        message.text.strip()
        for message in messages
        if isinstance(message, Text | QuickReplies | Buttons) and message.text.strip()
    ]
    return "\n\n".join(texts) or None
