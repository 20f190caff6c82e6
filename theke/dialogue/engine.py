"""The engine: one customer input in, the bot's replies and the new state out.

Order of precedence: a postback, then the owner's keywords (so STOP and
START always work), then the intent the NLU recognised (when the bot has
``nlu/<lang>.yml``), then the fallback. The engine is pure: no I/O, no
globals; one instance serves every conversation from every thread.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from theke.bot import Bot
from theke.dialogue.keywords import KeywordMatcher
from theke.dialogue.turn import Event, Inbound, Turn
from theke.nlu.result import Parse

if TYPE_CHECKING:
    from theke.nlu.service import NluService

__all__ = ["Engine", "variant_index"]


class Engine:
    """Answers customer inputs for one bot."""

    def __init__(self, bot: Bot, nlu: NluService | None = None) -> None:
        self._bot = bot
        self._nlu = nlu
        self._keywords = KeywordMatcher(bot.config.keywords)
        self._languages = frozenset(bot.config.languages)

    @property
    def bot(self) -> Bot:
        """The bot this engine answers for."""
        return self._bot

    def handle(self, state: Mapping[str, Any], inbound: Inbound, *, conversation_key: str) -> Turn:
        """Answer ``inbound`` in the conversation whose stored state is ``state``.

        ``conversation_key`` identifies the conversation; with the turn count
        it picks the response variant, so the same conversation replayed
        gets the same answers.
        """
        language = self._language(state)
        turns = _turns(state)
        events: list[Event] = []
        key, language = self._decide(inbound, language, events)
        variants = self._bot.responses.get(key, language)
        index = variant_index(conversation_key, turns, len(variants))
        events.append(("response", {"key": key, "variant": index, "language": language}))
        new_state = {**state, "language": language, "turns": turns + 1}
        return Turn(state=new_state, replies=variants[index], events=tuple(events))

    def _decide(self, inbound: Inbound, language: str, events: list[Event]) -> tuple[str, str]:
        if inbound.postback is not None:
            return self._postback(inbound.postback, events), language
        if inbound.text is None or not inbound.text.strip():
            events.append(("fallback", {"reason": "empty"}))
            return self._bot.config.fallback, language
        match = self._keywords.match(inbound.text)
        if match is None:
            return self._understand(inbound.text, language, events)
        events.append(("keyword.matched", {"rule": match.rule}))
        if match.language is not None and match.language != language:
            events.append(("language.switched", {"from": language, "to": match.language}))
            language = match.language
        if match.postback is not None:
            return self._postback(match.postback, events), language
        return str(match.response), language

    def _understand(self, text: str, language: str, events: list[Event]) -> tuple[str, str]:
        """The response for the recognised intent, in the language the customer wrote."""
        if self._nlu is None:
            events.append(("fallback", {"reason": "no_match"}))
            return self._bot.config.fallback, language
        parse = self._nlu.parse(text, language=language)
        events.append(("nlu", _summary(parse)))
        if parse.language != language and parse.language in self._languages:
            events.append(("language.switched", {"from": language, "to": parse.language}))
            language = parse.language
        if parse.intent is None:
            events.append(("fallback", {"reason": "nlu_unsure"}))
            return self._bot.config.fallback, language
        name = parse.intent.name
        key = self._bot.config.intents.get(name, name)
        if key not in self._bot.responses.keys(language):
            events.append(("fallback", {"reason": "intent_unanswered", "intent": name}))
            return self._bot.config.fallback, language
        return key, language

    def _postback(self, payload: str, events: list[Event]) -> str:
        key = self._bot.config.postbacks.get(payload)
        if key is None:
            events.append(("fallback", {"reason": "unknown_postback"}))
            return self._bot.config.fallback
        events.append(("postback", {"payload": payload}))
        return key

    def _language(self, state: Mapping[str, Any]) -> str:
        language = state.get("language")
        if isinstance(language, str) and language in self._languages:
            return language
        return self._bot.config.default_language


def variant_index(conversation_key: str, turns: int, count: int) -> int:
    """Which of ``count`` variants to send: stable across processes and runs."""
    if count <= 1:
        return 0
    digest = hashlib.sha256(f"{conversation_key}\x1f{turns}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % count


def _summary(parse: Parse) -> dict[str, Any]:
    """What the event log keeps of a parse: names and scores, never the customer's words."""
    return {
        "intent": parse.intent.name if parse.intent else None,
        "ranking": [[score.name, round(score.confidence, 3)] for score in parse.ranking[:3]],
        "entities": sorted({entity.entity for entity in parse.entities}),
        "language": parse.language,
    }


def _turns(state: Mapping[str, Any]) -> int:
    turns = state.get("turns", 0)
    if isinstance(turns, bool) or not isinstance(turns, int) or turns < 0:
        return 0
    return turns
