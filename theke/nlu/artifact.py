"""Model files: written to and read from the bot's own data folder, checked by SHA-256.

A model is one ``.npz`` file of plain arrays and JSON text (loaded with
``allow_pickle=False``, so reading it can never run code — unlike the model
upload that gave Rasa CVE-2024-49375) and a small manifest next to it that
names the file, the training-data fingerprint and the file's SHA-256. A file
whose checksum does not match is refused, and the model is retrained.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from theke.errors import ThekeError
from theke.nlu.classifier import ClassifierConfig, IntentClassifier
from theke.nlu.features import Vocabulary
from theke.nlu.gazetteer import Gazetteer
from theke.nlu.model import NluModel
from theke.nlu.settings import NluSettings
from theke.nlu.training import FORMAT_VERSION

__all__ = ["ModelFileError", "load_model", "save_model"]

_MANIFEST = "nlu.json"


class ModelFileError(ThekeError):
    """A model file is missing, from another version, or not the file that was written."""


def save_model(model: NluModel, folder: Path) -> Path:
    """Write ``model`` into ``folder`` (created if needed); returns the model file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    arrays: dict[str, Any] = _arrays(model)
    np.savez(buffer, **arrays)  # plain arrays only: nothing here needs pickle
    data = buffer.getvalue()
    name = f"nlu-{model.fingerprint[:16]}.npz"
    _write_atomically(folder / name, data)
    manifest = {
        "format": FORMAT_VERSION,
        "file": name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "fingerprint": model.fingerprint,
    }
    _write_atomically(folder / _MANIFEST, json.dumps(manifest, indent=2).encode())
    for old in folder.glob("nlu-*.npz"):
        if old.name != name:
            old.unlink(missing_ok=True)
    return folder / name


def load_model(folder: Path, fingerprint: str | None = None) -> NluModel:
    """The model in ``folder``; with ``fingerprint``, only if it was trained on that data."""
    manifest = _manifest(folder)
    if manifest.get("format") != FORMAT_VERSION:
        raise ModelFileError(f"{folder / _MANIFEST} is from another Theke version: retrain")
    if fingerprint is not None and manifest.get("fingerprint") != fingerprint:
        raise ModelFileError("the training data changed since the model was trained: retrain")
    name = str(manifest.get("file", ""))
    if not re.fullmatch(r"nlu-[0-9a-f]{16}\.npz", name):
        raise ModelFileError(f"{folder / _MANIFEST} names an unexpected file {name!r}")
    try:
        data = (folder / name).read_bytes()
    except OSError as exc:
        raise ModelFileError(f"cannot read the model file {folder / name}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
        raise ModelFileError(
            f"{folder / name} does not match its checksum: it was changed; retrain"
        )
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            return _model({key: arrays[key] for key in arrays.files}, str(manifest["fingerprint"]))
    except (KeyError, TypeError, ValueError) as exc:  # a file from another layout: retrain
        raise ModelFileError(
            f"{folder / name} is not a model this version can read: {exc}"
        ) from exc


def _manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"no readable model manifest in {folder}") from exc
    if not isinstance(manifest, dict):
        raise ModelFileError(f"{folder / _MANIFEST} is not a model manifest")
    return manifest


def _arrays(model: NluModel) -> dict[str, np.ndarray[Any, Any]]:
    c = model.classifier
    meta = {
        "languages": list(model.languages),
        "settings": model.settings.model_dump(mode="json"),
        "intents": list(c.intents),
        "temperature": c.temperature,
        "config": {
            "c": c.config.c,
            "char_weight": c.config.char_weight,
            "word_weight": c.config.word_weight,
            "dense_weight": c.config.dense_weight,
            "calibration_folds": c.config.calibration_folds,
        },
        "gazetteer": model.gazetteer.entries,
        "synonyms": dict(model.synonyms),
        "regexes": {
            name: [p.pattern for p in patterns] for name, patterns in model.regexes.items()
        },
    }
    arrays: dict[str, np.ndarray[Any, Any]] = {
        "meta": np.array(json.dumps(meta, ensure_ascii=False)),
        "char_features": _strings(c.chars),
        "char_idf": c.chars.idf,
        "word_features": _strings(c.words),
        "word_idf": c.words.idf,
        "w_char": c.w_char,
        "w_word": c.w_word,
        "w_dense": c.w_dense,
        "bias": c.bias,
    }
    if model.anchors is not None:
        arrays["anchors"] = model.anchors.astype(np.float16)  # half the file; float32 in memory
    if model.tagger is not None:
        arrays["tagger"] = np.frombuffer(model.tagger.to_bytes(), dtype=np.uint8)
    return arrays


def _strings(vocabulary: Vocabulary) -> np.ndarray[Any, Any]:
    ordered = sorted(vocabulary.index, key=vocabulary.index.__getitem__)
    return np.array(ordered, dtype=str) if ordered else np.array([], dtype="<U1")


def _vocabulary(features: np.ndarray[Any, Any], idf: np.ndarray[Any, Any]) -> Vocabulary:
    return Vocabulary({str(f): i for i, f in enumerate(features.tolist())}, idf.astype(np.float32))


def _model(arrays: dict[str, np.ndarray[Any, Any]], fingerprint: str) -> NluModel:
    meta = json.loads(str(arrays["meta"]))
    classifier = IntentClassifier(
        intents=tuple(meta["intents"]),
        chars=_vocabulary(arrays["char_features"], arrays["char_idf"]),
        words=_vocabulary(arrays["word_features"], arrays["word_idf"]),
        w_char=arrays["w_char"],
        w_word=arrays["w_word"],
        w_dense=arrays["w_dense"],
        bias=arrays["bias"],
        temperature=float(meta["temperature"]),
        config=ClassifierConfig(**meta["config"]),
    )
    tagger = None
    if "tagger" in arrays:
        from theke.nlu.tagger import SlotTagger

        try:
            tagger = SlotTagger.from_bytes(arrays["tagger"].tobytes())
        except ThekeError as exc:  # e.g. trained with other word clusters: retrain
            raise ModelFileError(str(exc)) from exc
    return NluModel(
        languages=tuple(meta["languages"]),
        settings=NluSettings.model_validate(meta["settings"]),
        classifier=classifier,
        tagger=tagger,
        gazetteer=Gazetteer([tuple(entry) for entry in meta["gazetteer"]]),
        synonyms=MappingProxyType(meta["synonyms"]),
        regexes=MappingProxyType(
            {k: tuple(re.compile(p) for p in v) for k, v in meta["regexes"].items()}
        ),
        fingerprint=fingerprint,
        anchors=None if "anchors" not in arrays else arrays["anchors"].astype(np.float32),
    )


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
