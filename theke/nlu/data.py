"""Training data for the NLU: examples with intents and annotated entities.

This is the in-memory form every reader produces (the bot folder's
``nlu/<lang>.yml``, Rasa's NLU YAML, the JSONL benchmark files) and every
trainer consumes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["Annotation", "Example", "Source", "TrainingData"]


@dataclass(frozen=True, slots=True)
class Source:
    """Where an example was written: a file and a 1-based line."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Annotation:
    """An entity marked in an example: ``[Air Max 90](product)``.

    ``value`` is the canonical value when the annotation names one
    (``[Treter]{"entity": "category", "value": "sneaker"}``), else ``None``.
    """

    start: int
    end: int
    entity: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    """One training sentence, its intent, and its entity annotations."""

    text: str
    intent: str
    entities: tuple[Annotation, ...] = ()
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class TrainingData:
    """Everything one language's NLU file holds.

    ``synonyms`` maps a written variant (normalised) to its canonical value;
    ``lookups`` and ``regexes`` map an entity name to its table or patterns.
    """

    language: str
    examples: tuple[Example, ...] = ()
    synonyms: Mapping[str, str] = field(default_factory=dict)
    lookups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    regexes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def intents(self) -> tuple[str, ...]:
        """The intents, sorted."""
        return tuple(sorted({example.intent for example in self.examples}))

    @property
    def entity_names(self) -> tuple[str, ...]:
        """Entities annotated in the examples, sorted."""
        return tuple(sorted({a.entity for e in self.examples for a in e.entities}))

    def merged(self, other: TrainingData) -> TrainingData:
        """This data plus ``other``'s (for a bot trained on several languages at once)."""
        return TrainingData(
            language=self.language,
            examples=self.examples + other.examples,
            synonyms={**self.synonyms, **other.synonyms},
            lookups=_union(self.lookups, other.lookups),
            regexes=_union(self.regexes, other.regexes),
        )


def _union(
    a: Mapping[str, tuple[str, ...]], b: Mapping[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    merged = {name: tuple(values) for name, values in a.items()}
    for name, values in b.items():
        merged[name] = tuple(dict.fromkeys((*merged.get(name, ()), *values)))
    return merged
