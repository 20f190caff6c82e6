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
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from theke.nlu.classifier import IntentClassifier
from theke.nlu.encoder import get_encoder
from theke.nlu.entities import RULE_KINDS, ExtractContext, extract_rules
from theke.nlu.entities._spans import non_overlapping
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.language import detect_language
from theke.nlu.normalize import fold, squeeze
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
    anchors: npt.NDArray[np.float32] | None = None
    """The training examples' embeddings: how close a message comes to anything the bot knows."""

    @property
    def intents(self) -> tuple[str, ...]:
        return self.classifier.intents

    def parse(
        self,
        text: str,
        *,
        language: str | None = None,
        now: datetime | None = None,
        embedding: npt.NDArray[np.float32] | None = None,
    ) -> Parse:
        """Understand ``text``; ``language`` is the customer's language so far, if known;
        ``embedding``: its sentence embedding, when ``embed_many`` made it already."""
        text = _clean(text)
        guess = detect_language(text, self.languages, language)
        if not squeeze(text):
            return Parse(text, guess.language, None, (), (), guess.confidence)
        if embedding is None and _encodable(text):
            embedding = self._embed(text)
        probabilities, seen = self._probabilities(text, embedding)
        ranking = self._rank(probabilities)
        similarity = self._similarity(embedding)
        entities = self._entities(text, guess.language, now)
        intent = self._decide(probabilities, ranking, similarity) if seen else None
        extras = {} if similarity is None else {"similarity": round(similarity, 4)}
        return Parse(
            text, guess.language, intent, ranking, entities, guess.confidence, extras, embedding
        )

    def embed_many(self, texts: Sequence[str]) -> dict[str, npt.NDArray[np.float32]]:
        """The sentence embeddings of ``texts`` (keyed as given), made in one batch: the
        encoder spends a third of the time per sentence on a batch of 16 as on one alone."""
        if not self.classifier.intents or not self.classifier.uses_embeddings:
            return {}
        encoder = get_encoder(self.settings.encoder)
        cleaned = {text: _clean(text) for text in texts}
        wanted = [text for text, clean in cleaned.items() if squeeze(clean) and _encodable(clean)]
        if encoder is None or len(wanted) < 2:
            return {}
        vectors = encoder.encode([cleaned[text] for text in wanted])
        return dict(zip(wanted, vectors, strict=True))

    def _embed(self, text: str) -> npt.NDArray[np.float32] | None:
        if not self.classifier.intents or not self.classifier.uses_embeddings:
            return None
        encoder = get_encoder(self.settings.encoder)
        return encoder.encode([text])[0] if encoder is not None else None

    def _probabilities(
        self, text: str, embedding: npt.NDArray[np.float32] | None
    ) -> tuple[npt.NDArray[np.float32], bool]:
        """Each intent's probability, and whether the classifier saw anything it knows."""
        if not self.classifier.intents:
            return np.empty(0, np.float32), False
        return self.classifier.scores(text, embedding)

    def _rank(self, probabilities: npt.NDArray[np.float32]) -> tuple[IntentScore, ...]:
        top = np.argsort(-probabilities)[: self.settings.ranking]
        return tuple(IntentScore(self.classifier.intents[i], float(probabilities[i])) for i in top)

    def _similarity(self, embedding: npt.NDArray[np.float32] | None) -> float | None:
        """The cosine similarity of the message to the closest training example."""
        if embedding is None or self.anchors is None or not len(self.anchors):
            return None
        return float((self.anchors @ embedding).max())

    def _decide(
        self,
        probabilities: npt.NDArray[np.float32],
        ranking: Sequence[IntentScore],
        similarity: float | None,
    ) -> IntentScore | None:
        if not ranking or ranking[0].confidence < self.settings.threshold:
            return None
        if similarity is not None and similarity < self.settings.min_similarity:
            return None
        second = float(np.partition(probabilities, -2)[-2]) if len(probabilities) > 1 else 0.0
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
        kept = non_overlapping(preferred, lambda e: (e.start, e.end))
        # Only learnt entities that survive need their typed value (read here, once each).
        return tuple(self._typed(e, context) if e.extractor == "crf" else e for e in kept)

    def _canonical(self, entity: Entity) -> Entity:
        """A learnt entity's value, mapped through the bot's synonyms."""
        value = self.synonyms.get(fold(entity.text))
        return entity if value is None else replace(entity, value=value)

    def _typed(self, entity: Entity, context: ExtractContext) -> Entity:
        """A learnt price, size, date, ... with the value the rules read in its text.

        Values of these kinds always have the rules' shape (a size is
        ``{"system", "value"}``, never a string); where the rules read nothing
        in the span, the value is ``None``.
        """
        if entity.entity not in RULE_KINDS and entity.entity not in self.regexes:
            return entity
        read = extract_rules(entity.text, context, [entity.entity], patterns=self.regexes)
        return replace(entity, value=read[0].value if read else None)


def _clean(text: str) -> str:
    """The text as parsed: composed (NFC), no lone surrogates, at most :data:`MAX_CHARS`."""
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
        text = unicodedata.normalize("NFC", text)
    return text


def _encodable(text: str) -> bool:
    """Emoji and symbols are all one unknown piece to the encoder: only n-grams judge them."""
    return any(c.isalnum() for c in text)
