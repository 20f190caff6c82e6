"""The live NLU of a running bot: loaded from its model file or trained, swapped on retrain.

Starting a bot loads the model trained on exactly its current training data
from ``BOT/.theke/models`` (checked against its SHA-256), or trains one and
writes it there. A server trains in a separate process: training imports
scikit-learn and SciPy (about 80 MB that a process never gives back) and
would compete with parsing for the interpreter lock. :meth:`NluService.retrain`
trains a new model in the background and swaps it in when it is ready;
parses in the meantime use the old model, and a failed training keeps it.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog

from theke.errors import ThekeError
from theke.nlu.artifact import ModelFileError, load_model, save_model
from theke.nlu.data import TrainingData
from theke.nlu.model import NluModel
from theke.nlu.result import Parse
from theke.nlu.settings import NluSettings
from theke.nlu.training import fingerprint, train_nlu

__all__ = ["NluService", "load_or_train"]

_log = structlog.get_logger("theke.nlu")


def load_or_train(
    data: Sequence[TrainingData], settings: NluSettings, folder: Path, *, isolated: bool = False
) -> NluModel:
    """The model for ``data`` from ``folder`` if there and intact, else a new one saved there.

    ``isolated`` trains in a child process and loads its file (for servers).
    """
    wanted = fingerprint(data, settings)
    model = _load_if_current(folder, wanted, data, say_why=False)
    if model is not None:
        return model
    folder.mkdir(parents=True, exist_ok=True)
    # One trainer at a time: a web and a worker process starting together train once.
    with (folder / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        model = _load_if_current(folder, wanted, data)
        if model is not None:
            return model
        if not isolated:
            return _train_and_save(data, settings, folder)
        context = multiprocessing.get_context("spawn")
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                pool.submit(_train_to_file, list(data), settings, folder).result()
        except BrokenProcessPool as exc:
            raise ThekeError(f"training the NLU model in {folder} crashed: {exc}") from exc
        return load_model(folder, wanted)


def _load_if_current(
    folder: Path, wanted: str, data: Sequence[TrainingData], *, say_why: bool = True
) -> NluModel | None:
    """The model in ``folder`` if it was trained on this data; else ``None`` (logged: training)."""
    try:
        model = load_model(folder, wanted)
    except ModelFileError as exc:
        if say_why:
            examples = sum(len(d.examples) for d in data)
            _log.info("theke.nlu.training", reason=str(exc), examples=examples)
        return None
    _log.info("theke.nlu.loaded", fingerprint=wanted[:16])
    return model


def _train_to_file(data: Sequence[TrainingData], settings: NluSettings, folder: Path) -> None:
    """In the child process: train and write the file (the model itself stays there)."""
    _train_and_save(data, settings, folder)


def _train_and_save(data: Sequence[TrainingData], settings: NluSettings, folder: Path) -> NluModel:
    model = train_nlu(data, settings)
    save_model(model, folder)
    return model


class NluService:
    """Holds the current model of one bot; safe to use from many threads."""

    def __init__(self, model: NluModel, folder: Path, *, isolated: bool = True) -> None:
        self._model = model
        self._folder = folder
        self._isolated = isolated
        self._lock = threading.Lock()
        self._primed: dict[str, Any] = {}

    @classmethod
    def start(
        cls,
        data: Sequence[TrainingData],
        settings: NluSettings,
        folder: Path,
        *,
        isolated: bool = True,
    ) -> NluService:
        """Load the model for ``data``, or train it (in a child process if ``isolated``)."""
        model = load_or_train(data, settings, folder, isolated=isolated)
        return cls(model, folder, isolated=isolated)

    @property
    def model(self) -> NluModel:
        return self._model

    def parse(
        self, text: str, *, language: str | None = None, now: datetime | None = None
    ) -> Parse:
        embedding = self._primed.pop(text, None)
        return self._model.parse(text, language=language, now=now, embedding=embedding)

    def prime(self, texts: Sequence[str]) -> None:
        """Embed the sentences a batch of turns is about to parse, in one go.

        ``parse`` takes an embedding from here when its text was primed. A miss (another
        thread primed meanwhile, the model was swapped) only costs the embedding again.
        """
        self._primed = self._model.embed_many(texts)

    def retrain(self, data: Sequence[TrainingData], settings: NluSettings) -> Future[NluModel]:
        """Train on ``data`` in the background; the new model replaces the old one when done."""
        future: Future[NluModel] = Future()
        thread = threading.Thread(
            target=self._retrain, args=(data, settings, future), name="theke-nlu-train", daemon=True
        )
        thread.start()
        return future

    def _retrain(
        self, data: Sequence[TrainingData], settings: NluSettings, future: Future[NluModel]
    ) -> None:
        try:
            with self._lock:  # one training at a time; parses never wait for it
                model = load_or_train(data, settings, self._folder, isolated=self._isolated)
                self._model = model
        except BaseException as exc:
            _log.exception("theke.nlu.retrain_failed")
            future.set_exception(exc)
        else:
            _log.info("theke.nlu.swapped", fingerprint=model.fingerprint[:16])
            future.set_result(model)
