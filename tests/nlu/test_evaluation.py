"""Evaluation figures a shop owner can trust: right counts, right F1, out-of-scope, report."""

from __future__ import annotations

from pathlib import Path

from tests.nlu.shop import shop_data
from theke.nlu.data import Example, TrainingData
from theke.nlu.evaluation import Evaluation, Prediction, cross_validate, evaluate
from theke.nlu.report import render_report


def _prediction(gold: str, predicted: str, confidence: float = 0.9) -> Prediction:
    return Prediction("x", gold, predicted, confidence, confidence, set(), set())


def test_figures_from_known_predictions() -> None:
    predictions = [
        _prediction("a", "a"),
        _prediction("a", "b"),
        _prediction("b", "b"),
        _prediction("b", "b"),
    ]
    figures = Evaluation(predictions, 1.0, frozenset()).figures
    assert figures["intent_accuracy"] == 0.75
    assert figures["per_intent"]["a"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": 2 / 3,
        "support": 2,
    }
    assert figures["per_intent"]["b"]["precision"] == 2 / 3
    assert figures["confusions"] == [{"gold": "a", "predicted": "b", "count": 1}]
    assert figures["entity_f1"] is None


def test_out_of_scope_recall_at_a_threshold_that_costs_at_most_one_point() -> None:
    scoped = [_prediction("a", "a", 0.5 + i / 200) for i in range(100)]
    oos = [_prediction("oos", "a", c) for c in (0.2, 0.3, 0.4, 0.9)]
    figures = Evaluation(scoped + oos, 1.0, frozenset()).figures
    assert figures["intent_accuracy"] == 1.0
    assert figures["oos_recall"] == 0.75
    assert figures["in_scope_accuracy_at_threshold"] >= 0.99


def test_cross_validation_tests_every_example_once(tmp_path: Path) -> None:
    german, _ = shop_data(tmp_path)
    run = cross_validate(german, k=3)
    assert sorted(p.text for p in run.predictions) == sorted(e.text for e in german.examples)
    assert run.figures["intent_accuracy"] >= 0.6
    assert run.figures["entity_f1"] is not None


def test_cross_lingual_evaluation_and_its_report(tmp_path: Path) -> None:
    german, english = shop_data(tmp_path)
    run = evaluate([german], english.examples, language="en")
    assert run.figures["n_test"] == len(english.examples)
    assert run.figures["intent_accuracy"] >= 0.6
    html = render_report(run, "de → en")
    assert "<svg" in html and "Confusion matrix" in html and "product_search" in html


def test_no_entities_in_the_training_data_means_no_entity_score(tmp_path: Path) -> None:
    german, _ = shop_data(tmp_path)
    plain = [Example(e.text, e.intent) for e in german.examples]
    run = evaluate([TrainingData("de", tuple(plain))], plain[:5], language="de")
    assert run.figures["entity_f1"] is None
    assert "entities" not in run.figures
