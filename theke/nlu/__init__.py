"""Understanding customer messages offline: intents, entities, language.

Read the training data (``nlu/<lang>.yml``), train a model in seconds,
parse a message in milliseconds::

    from theke.nlu import read_training_file, train_nlu
    model = train_nlu([read_training_file(Path("nlu/de.yml"), "de")])
    model.parse("Habt ihr Laufschuhe unter 100 Euro in 43?")

The heavy parts (NumPy, the encoder, scikit-learn for training) load on
first use, so importing this package is cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from theke.nlu.data import Annotation, Example, TrainingData
from theke.nlu.result import Entity, IntentScore, Parse
from theke.nlu.settings import NluSettings

if TYPE_CHECKING:
    from theke.nlu.model import NluModel
    from theke.nlu.readers import read_training_file
    from theke.nlu.service import NluService, load_or_train
    from theke.nlu.training import train_nlu

__all__ = [
    "Annotation",
    "Entity",
    "Example",
    "IntentScore",
    "NluModel",
    "NluService",
    "NluSettings",
    "Parse",
    "TrainingData",
    "load_or_train",
    "read_training_file",
    "train_nlu",
]

_LAZY = {
    "NluModel": "theke.nlu.model",
    "NluService": "theke.nlu.service",
    "load_or_train": "theke.nlu.service",
    "read_training_file": "theke.nlu.readers",
    "train_nlu": "theke.nlu.training",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'theke.nlu' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
