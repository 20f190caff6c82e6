"""A trained NLU model for one bot, and how it parses a message.

Parsing a message: guess its language (falling back to the customer's),
rank the intents, decide out-of-scope, and find the entities — rule-based
values (prices, sizes, dates, ...), the bot's regex patterns, catalog values
from lookup tables and synonyms, and the entities it learnt from annotated
examples. Where two claim the same words, the more specific one wins in that
order; plain numbers come last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from theke.nlu.classifier import IntentClassifier
from theke.nlu.encoder import get_encoder
from theke.nlu.entities import ExtractContext, extract_rules
from theke.nlu.entities._spans import non_overlapping
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.language import detect_language
from theke.nlu.normalize import fold
from theke.nlu.result import Entity, IntentScore, Parse
from theke.nlu.settings import NluSettings

if TYPE_CHECKING:
    from theke.nlu.tagger import SlotTagger

__all__ = ["MAX_CHARS", "NluModel"]

MAX_CHARS = 1000
"""Only the first characters of a very long message are read (a pasted e-mail is not a question)."""


@dataclass(frozen=True, slots=True)
class NluModel:
    """Everything needed to parse messages for one bot; immutable and shared by threads."""

    languages: tuple[str, ...]
    settings: NluSettings
    classifier: IntentClassifier
    tagger: SlotTagger | None
    gazetteer: Gazetteer
    synonyms: Mapping[str, str]
    regexes: Mapping[str, tuple[re.Pattern[str], ...]]
    fingerprint: str = ""
    anchors: npt.NDArray[np.float16] | None = None
    """The training examples' embeddings: how close a message comes to anything the bot knows."""

    @property
    def intents(self) -> tuple[str, ...]:
        return self.classifier.intents

    def parse(
        self, text: str, *, language: str | None = None, now: datetime | None = None
    ) -> Parse:
        """Understand ``text``; ``language`` is the customer's language so far, if known."""
        text = text[:MAX_CHARS]
        guess = detect_language(text, self.languages, language)
        if not fold(text).strip():
            return Parse(text, guess.language, None, (), (), guess.confidence)
        embedding = self._embed(text)
        ranking = self._rank(text, embedding)
        similarity = self._similarity(embedding)
        entities = self._entities(text, guess.language, now)
        intent = self._decide(ranking, similarity)
        extras = {} if similarity is None else {"similarity": round(similarity, 4)}
        return Parse(text, guess.language, intent, ranking, entities, guess.confidence, extras)

    def _embed(self, text: str) -> npt.NDArray[np.float32] | None:
        if not self.classifier.intents or not self.classifier.uses_embeddings:
            return None
        encoder = get_encoder(self.settings.encoder)
        return encoder.encode([text])[0] if encoder is not None else None

    def _rank(
        self, text: str, embedding: npt.NDArray[np.float32] | None
    ) -> tuple[IntentScore, ...]:
        if not self.classifier.intents:
            return ()
        probabilities = self.classifier.probabilities(text, embedding)
        top = np.argsort(-probabilities)[: self.settings.ranking]
        return tuple(IntentScore(self.classifier.intents[i], float(probabilities[i])) for i in top)

    def _similarity(self, embedding: npt.NDArray[np.float32] | None) -> float | None:
        """The cosine similarity of the message to the closest training example."""
        if embedding is None or self.anchors is None or not len(self.anchors):
            return None
        return float((self.anchors @ embedding.astype(np.float16)).max())

    def _decide(
        self, ranking: Sequence[IntentScore], similarity: float | None
    ) -> IntentScore | None:
        if not ranking or ranking[0].confidence < self.settings.threshold:
            return None
        if similarity is not None and similarity < self.settings.min_similarity:
            return None
        second = ranking[1].confidence if len(ranking) > 1 else 0.0
        return ranking[0] if ranking[0].confidence - second >= self.settings.margin else None

    def _entities(self, text: str, language: str, now: datetime | None) -> tuple[Entity, ...]:
        context = ExtractContext.at(
            now,
            language=language,
            timezone=self.settings.timezone,
            region=self.settings.region,
            currency=self.settings.currency,
        )
        rules = extract_rules(text, context, patterns=self.regexes)
        numbers = [e for e in rules if e.entity == "number"]
        learnt = [self._canonical(e) for e in self.tagger.tag(text)] if self.tagger else []
        preferred = [
            *(e for e in rules if e.entity != "number"),
            *self.gazetteer.find(text),
            *learnt,
            *numbers,
        ]
        return tuple(non_overlapping(preferred, lambda e: (e.start, e.end)))

    def _canonical(self, entity: Entity) -> Entity:
        """A learnt entity's value, mapped through the bot's synonyms."""
        value = self.synonyms.get(fold(entity.text))
        if value is None:
            return entity
        return Entity(
            entity.entity,
            entity.start,
            entity.end,
            entity.text,
            value,
            entity.confidence,
            entity.extractor,
        )
