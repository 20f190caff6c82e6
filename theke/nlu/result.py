"""What the NLU returns for one message: ranked intents, entities, language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Entity", "IntentScore", "Parse"]


@dataclass(frozen=True, slots=True)
class IntentScore:
    """One intent and how sure the classifier is of it (0–1, calibrated)."""

    name: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True, slots=True)
class Entity:
    """A value found in a message.

    ``start``/``end`` are character offsets into the original text (``text ==
    message[start:end]``); ``value`` is the normalised, JSON-serialisable value
    (a number, an ISO date, ``{"min": 50, "max": 80, "currency": "EUR"}``, a
    catalog key, ...); ``extractor`` names what found it.
    """

    entity: str
    start: int
    end: int
    text: str
    value: Any
    confidence: float = 1.0
    extractor: str = "rules"

    def to_json(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "value": self.value,
            "confidence": round(self.confidence, 4),
            "extractor": self.extractor,
        }


@dataclass(frozen=True, slots=True)
class Parse:
    """The understanding of one message.

    ``intent`` is ``None`` when the message is out of scope (the best guess was
    below the bot's threshold, or too close to the second best); ``ranking``
    still lists the best guesses so a fallback can offer them.
    """

    text: str
    language: str
    intent: IntentScore | None
    ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    language_confidence: float = 1.0
    extras: dict[str, Any] = field(default_factory=dict)
    vector: Any = field(default=None, compare=False, repr=False)
    """The message's sentence embedding, when the NLU computed one (the FAQ search reuses it)."""

    def entity(self, name: str) -> Entity | None:
        """The first entity of that kind, or ``None``."""
        return next((e for e in self.entities if e.entity == name), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "language": self.language,
            "language_confidence": round(self.language_confidence, 4),
            "intent": self.intent.to_json() if self.intent else None,
            "ranking": [score.to_json() for score in self.ranking],
            "entities": [entity.to_json() for entity in self.entities],
            **self.extras,
        }
