"""Train a bot's NLU model from its training data, in seconds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from theke.nlu.classifier import ClassifierConfig, IntentClassifier
from theke.nlu.data import TrainingData
from theke.nlu.encoder import get_encoder
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.model import NluModel
from theke.nlu.settings import NluSettings

if TYPE_CHECKING:
    from theke.nlu.tagger import SlotTagger

__all__ = ["FORMAT_VERSION", "compile_patterns", "fingerprint", "train_nlu"]

FORMAT_VERSION = 3
"""Bumped whenever training changes what a model holds: old model files are then retrained."""


def train_nlu(
    data: Sequence[TrainingData],
    settings: NluSettings | None = None,
    config: ClassifierConfig | None = None,
) -> NluModel:
    """A model trained on every language's data at once (the features are multilingual)."""
    settings = settings or NluSettings()
    merged = _merge(data)
    examples = merged.examples
    texts = [example.text for example in examples]
    encoder = get_encoder(settings.encoder)
    embeddings = encoder.encode(texts) if encoder is not None and texts else None
    classifier = IntentClassifier.train(
        texts, [e.intent for e in examples], embeddings, config or ClassifierConfig()
    )
    return NluModel(
        languages=tuple(d.language for d in data) or ("de",),
        settings=settings,
        classifier=classifier,
        tagger=_tagger(merged),
        gazetteer=Gazetteer.from_tables(merged.lookups, merged.synonyms),
        synonyms=MappingProxyType(dict(merged.synonyms)),
        regexes=compile_patterns(merged, settings),
        fingerprint=fingerprint(data, settings),
        anchors=None if embeddings is None else embeddings.astype(np.float32),
    )


def compile_patterns(
    data: TrainingData, settings: NluSettings
) -> MappingProxyType[str, tuple[re.Pattern[str], ...]]:
    """The bot's regex entities: ``patterns`` in theke.yml, ``regex`` entries in its NLU files."""
    sources: dict[str, list[str]] = {name: [pattern] for name, pattern in settings.patterns.items()}
    for name, patterns in data.regexes.items():
        sources.setdefault(name, []).extend(patterns)
    return MappingProxyType(
        {name: tuple(re.compile(p) for p in patterns) for name, patterns in sources.items()}
    )


def fingerprint(data: Sequence[TrainingData], settings: NluSettings) -> str:
    """A hash of everything training depends on: same hash, same model."""
    canonical = {
        "format": FORMAT_VERSION,
        "settings": settings.model_dump(mode="json"),
        "data": [
            {
                "language": d.language,
                "examples": [
                    [e.text, e.intent, [[a.start, a.end, a.entity, a.value] for a in e.entities]]
                    for e in d.examples
                ],
                "synonyms": sorted(d.synonyms.items()),
                "lookups": sorted((k, list(v)) for k, v in d.lookups.items()),
                "regexes": sorted((k, list(v)) for k, v in d.regexes.items()),
            }
            for d in data
        ],
    }
    encoded = json.dumps(canonical, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


def _merge(data: Sequence[TrainingData]) -> TrainingData:
    if not data:
        return TrainingData("de")
    merged = data[0]
    for more in data[1:]:
        merged = merged.merged(more)
    return merged


def _tagger(data: TrainingData) -> SlotTagger | None:
    if not any(example.entities for example in data.examples):
        return None
    from theke.nlu.tagger import SlotTagger, TaggedText

    tagged = [
        TaggedText(e.text, tuple((a.start, a.end, a.entity) for a in e.entities))
        for e in data.examples
    ]
    return SlotTagger.train(tagged, lookups=data.lookups)
