"""The `knowledge:` section of theke.yml."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from theke.knowledge import KnowledgeSettings


def test_the_defaults_answer_from_half_confidence_and_ask_for_feedback() -> None:
    settings = KnowledgeSettings()
    assert (settings.threshold, settings.feedback) == (0.5, True)


def test_an_owner_can_tune_them() -> None:
    settings = KnowledgeSettings.model_validate({"threshold": 0.7, "feedback": False})
    assert (settings.threshold, settings.feedback) == (0.7, False)


@pytest.mark.parametrize("values", [{"threshold": 1.5}, {"threshold": -0.1}, {"treshold": 0.6}])
def test_impossible_values_and_unknown_keys_are_refused(values: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        KnowledgeSettings.model_validate(values)
