"""How well a model understands test data: intents, out-of-scope, entities.

``evaluate(train, test)`` trains on one set and tests on another;
``cross_validate(data, k)`` tests every example once with a model trained on
the others (stratified folds). Both return an :class:`Evaluation` with
accuracy, macro-F1, per-intent precision and recall, the worst confusions,
and conlleval-style entity scores (exact span and label) for the entity
kinds the training data annotates.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theke.nlu.data import Example, TrainingData
from theke.nlu.model import NluModel
from theke.nlu.scoring import span_f1
from theke.nlu.settings import NluSettings
from theke.nlu.training import train_nlu

__all__ = ["OUT_OF_SCOPE", "Evaluation", "Prediction", "cross_validate", "evaluate"]

OUT_OF_SCOPE = "oos"
"""The test label for messages no intent covers (CLINC150's convention)."""

Spans = set[tuple[int, int, str]]


@dataclass(frozen=True, slots=True)
class Prediction:
    """One test message: what it is, what the model said, how sure, and the entities."""

    text: str
    gold: str
    predicted: str
    confidence: float
    margin: float
    gold_spans: Spans
    predicted_spans: Spans


@dataclass(slots=True)
class Evaluation:
    """The figures of one evaluation run (computed once from the predictions)."""

    predictions: list[Prediction]
    train_seconds: float
    entity_labels: frozenset[str]
    figures: dict[str, Any] = field(init=False)

    def __post_init__(self) -> None:
        self.figures = _figures(self)

    def to_json(self) -> dict[str, Any]:
        return self.figures


def evaluate(
    train: Sequence[TrainingData],
    test: Sequence[Example],
    settings: NluSettings | None = None,
    *,
    language: str | None = None,
) -> Evaluation:
    """Train on ``train``, then parse every test example (``language``: the test data's)."""
    model, seconds = _trained(train, settings)
    labels = _annotated(train)
    return Evaluation(predict(model, test, labels, language), seconds, labels)


def _trained(train: Sequence[TrainingData], settings: NluSettings | None) -> tuple[NluModel, float]:
    """A model for ``train`` and the seconds its training took."""
    started = time.perf_counter()
    model = train_nlu(train, settings)
    return model, time.perf_counter() - started


def cross_validate(
    data: TrainingData | Sequence[TrainingData], k: int = 5, settings: NluSettings | None = None
) -> Evaluation:
    """Stratified ``k``-fold cross-validation; train time is the mean per fold.

    With one ``TrainingData`` per language (a bot's ``nlu/*.yml``), every fold
    trains on all languages, as the bot does, and parses each test example
    as a customer of its language.
    """
    parts = [data] if isinstance(data, TrainingData) else list(data)
    pooled = [(example, part) for part in parts for example in part.examples]
    folds = _folds([example for example, _ in pooled], k)
    predictions: list[Prediction] = []
    seconds = 0.0
    for fold in range(k):
        train = [
            _keeping(
                part,
                [e for (e, p), f in zip(pooled, folds, strict=True) if p is part and f != fold],
            )
            for part in parts
        ]
        model, took = _trained(train, settings)
        seconds += took
        for part in parts:
            test = [e for (e, p), f in zip(pooled, folds, strict=True) if p is part and f == fold]
            predictions.extend(predict(model, test, _annotated(parts), part.language))
    return Evaluation(predictions, seconds / k, _annotated(parts))


def _keeping(part: TrainingData, examples: Sequence[Example]) -> TrainingData:
    """``part`` with only ``examples``: its synonyms, lookups and patterns stay."""
    return TrainingData(part.language, tuple(examples), part.synonyms, part.lookups, part.regexes)


def predict(
    model: NluModel, test: Sequence[Example], labels: frozenset[str], language: str | None
) -> list[Prediction]:
    """The model's answer for each test example (the best intent, whatever its confidence)."""
    predictions = []
    for example in test:
        parse = model.parse(example.text, language=language)
        best = parse.ranking[0] if parse.ranking else None
        second = parse.ranking[1].confidence if len(parse.ranking) > 1 else 0.0
        predictions.append(
            Prediction(
                example.text,
                example.intent,
                best.name if best else OUT_OF_SCOPE,
                best.confidence if best else 0.0,
                (best.confidence - second) if best else 0.0,
                {(a.start, a.end, a.entity) for a in example.entities},
                {(e.start, e.end, e.entity) for e in parse.entities if e.entity in labels},
            )
        )
    return predictions


def _annotated(data: Sequence[TrainingData]) -> frozenset[str]:
    return frozenset(name for d in data for name in d.entity_names)


def _folds(examples: Sequence[Example], k: int) -> list[int]:
    """Stratified folds: each intent's examples dealt round-robin in file order."""
    seen: Counter[str] = Counter()
    folds = []
    offset: dict[str, int] = {}
    for example in examples:
        start = offset.setdefault(example.intent, len(offset))
        folds.append((start + seen[example.intent]) % k)
        seen[example.intent] += 1
    return folds


def _figures(run: Evaluation) -> dict[str, Any]:
    scoped = [p for p in run.predictions if p.gold != OUT_OF_SCOPE]
    correct = sum(p.gold == p.predicted for p in scoped)
    per_intent = _per_intent(scoped)
    figures: dict[str, Any] = {
        "intent_accuracy": correct / len(scoped) if scoped else None,
        "macro_f1": float(np.mean([s["f1"] for s in per_intent.values()])) if per_intent else None,
        "entity_f1": None,
        "train_seconds": round(run.train_seconds, 3),
        "n_test": len(run.predictions),
        "per_intent": per_intent,
        "confusions": _confusions(scoped),
    }
    if run.entity_labels:
        scores = span_f1([p.gold_spans for p in scoped], [p.predicted_spans for p in scoped])
        figures["entity_f1"] = scores["f1"]
        figures["entities"] = scores
    figures.update(_out_of_scope(run.predictions))
    return figures


def _per_intent(predictions: Sequence[Prediction]) -> dict[str, dict[str, float]]:
    names = sorted(
        {p.gold for p in predictions} | {p.predicted for p in predictions} - {OUT_OF_SCOPE}
    )
    result = {}
    for name in names:
        tp = sum(p.gold == name and p.predicted == name for p in predictions)
        predicted = sum(p.predicted == name for p in predictions)
        support = sum(p.gold == name for p in predictions)
        precision = tp / predicted if predicted else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        result[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    return result


def _confusions(predictions: Sequence[Prediction], top: int = 10) -> list[dict[str, Any]]:
    pairs = Counter((p.gold, p.predicted) for p in predictions if p.gold != p.predicted)
    return [{"gold": g, "predicted": p, "count": n} for (g, p), n in pairs.most_common(top)]


def _out_of_scope(predictions: Sequence[Prediction]) -> dict[str, Any]:
    """With out-of-scope test messages: recall at the threshold that costs ≤ 1 point in scope."""
    oos = np.sort([p.confidence for p in predictions if p.gold == OUT_OF_SCOPE])
    scoped = [p for p in predictions if p.gold != OUT_OF_SCOPE]
    if not oos.size or not scoped:
        return {}
    right = np.sort([p.confidence for p in scoped if p.gold == p.predicted])
    thresholds = np.unique([p.confidence for p in predictions])
    kept = (right.size - np.searchsorted(right, thresholds, "left")) / len(scoped)
    allowed = np.flatnonzero(right.size / len(scoped) - kept <= 0.01)
    best = thresholds[allowed[-1]]
    return {
        "oos_threshold": float(best),
        "oos_recall": float(np.searchsorted(oos, best, "left") / oos.size),
        "in_scope_accuracy_at_threshold": float(kept[allowed[-1]]),
        "n_oos": int(oos.size),
    }
