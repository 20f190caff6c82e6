"""The trainable entity (slot) tagger: a linear-chain CRF over the words of a message.

Shop owners mark entities in their examples ("Ich suche [Laufschuhe](category)
in [blau](color)"); :meth:`SlotTagger.train` learns from those marks to find
such entities in new messages, and :meth:`SlotTagger.tag` returns them with
character offsets and a confidence (the CRF's marginal probability of the
span's tags). Spans are learnt as BIO tags over :func:`tokenize`'s tokens; a
span that cuts through a word is widened to the whole word.

A trained tagger is stored as bytes (:meth:`SlotTagger.to_bytes`): a short
JSON header followed by the crfsuite model file, never a pickle. The header
holds the model's SHA-256, checked before crfsuite (which trusts its input)
ever sees the model.
"""

from __future__ import annotations

import hashlib
import json
import struct
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycrfsuite

from theke.errors import ThekeError
from theke.nlu._subword_clusters import SubwordClusters, get_clusters
from theke.nlu._tagger_features import (
    Features,
    LookupMatcher,
    Token,
    featurize,
    token_words,
    tokenize,
)
from theke.nlu.result import Entity

__all__ = ["SlotTagger", "TaggedText", "TaggerError", "tokenize"]

Span = tuple[int, int, str]

_MAGIC = b"THEKE-SLOTS\n"
_FORMAT = 1
_CRF_MAGIC = b"lCRF"
# L1 + L2 regularisation, chosen by 5-fold CV on xsid-de and checked on
# xsid-en: F1 is flat (±1) for c1 in 0–0.1 and c2 in 0.05–0.2, so this sits
# in the middle of the plateau rather than on a lucky point.
_PARAMS = {
    "c1": 0.1,
    "c2": 0.1,
    "max_iterations": 50,
    "feature.possible_transitions": True,
}


class TaggerError(ThekeError, ValueError):
    """Training examples or stored tagger bytes are not usable."""


@dataclass(frozen=True, slots=True)
class TaggedText:
    """One training example: a message and its entity spans (character offsets)."""

    text: str
    spans: tuple[Span, ...] = ()

    def __post_init__(self) -> None:
        end_of_last = 0
        for start, end, label in sorted(self.spans):
            if not label or not label.isprintable():
                raise TaggerError(f"span label {label!r} must be a printable, non-empty name")
            if not 0 <= start < end <= len(self.text):
                raise TaggerError(f"span ({start}, {end}, {label!r}) does not fit {self.text!r}")
            if start < end_of_last:
                raise TaggerError(f"spans overlap in {self.text!r}")
            end_of_last = end


class SlotTagger:
    """Finds the entities it was trained on in new messages; read-only and thread-safe.

    Make one with :meth:`train` or :meth:`from_bytes`.
    """

    __slots__ = ("_clusters", "_lock", "_lookups", "_matcher", "_model", "_tagger", "labels")

    def __init__(
        self,
        model: bytes | None,
        labels: frozenset[str],
        lookups: Mapping[str, tuple[str, ...]],
    ) -> None:
        self.labels = labels
        self._model = model
        self._lookups = dict(lookups)
        self._matcher = LookupMatcher.build(lookups)
        self._lock = threading.Lock()
        self._clusters: SubwordClusters | None = None
        self._tagger: Any = None
        if model is not None:
            self._clusters = get_clusters()
            self._tagger = _open(model)

    @classmethod
    def train(
        cls,
        examples: Sequence[TaggedText],
        *,
        lookups: Mapping[str, Sequence[str]] | None = None,
    ) -> SlotTagger:
        """Learn from ``examples``; ``lookups`` (entity → known values) become features."""
        tables = {name: tuple(entries) for name, entries in (lookups or {}).items()}
        if not any(example.spans for example in examples):
            return cls(None, frozenset(), tables)
        trainer = pycrfsuite.Trainer(verbose=False)
        labels: set[str] = set()
        for features, tags in _sequences(examples, LookupMatcher.build(tables)):
            trainer.append(features, tags)
            labels.update(tag[2:] for tag in tags if tag != "O")
        trainer.set_params(_PARAMS)
        with tempfile.TemporaryDirectory(prefix="theke-tagger-") as folder:
            path = Path(folder) / "model.crfsuite"
            trainer.train(str(path))
            model = path.read_bytes()
        return cls(model, frozenset(labels), tables)

    def tag(self, text: str) -> list[Entity]:
        """The entities in ``text``, in order, not overlapping."""
        if self._tagger is None or self._clusters is None:
            return []
        tokens = tokenize(text)
        if not tokens:
            return []
        words = token_words(text, tokens)
        features = featurize(words, self._clusters.assign(words), self._matcher)
        with self._lock:
            self._tagger.set(features)
            tags: list[str] = self._tagger.tag()
            marginals = [self._tagger.marginal(tag, i) for i, tag in enumerate(tags)]
        return [_entity(text, *span) for span in _decode(tokens, tags, marginals)]

    def to_bytes(self) -> bytes:
        """A JSON header and the crfsuite model file (see :meth:`from_bytes`)."""
        header = {
            "format": _FORMAT,
            "labels": sorted(self.labels),
            "lookups": self._lookups,
            "clusters": self._clusters.version if self._clusters else None,
            "model_sha256": hashlib.sha256(self._model or b"").hexdigest(),
        }
        head = json.dumps(header, sort_keys=True).encode("utf-8")
        return _MAGIC + struct.pack(">I", len(head)) + head + (self._model or b"")

    @classmethod
    def from_bytes(cls, data: bytes) -> SlotTagger:
        """The tagger :meth:`to_bytes` wrote; :class:`TaggerError` for anything else."""
        header, model = _split(data)
        if header.get("format") != _FORMAT:
            raise TaggerError(f"tagger format {header.get('format')!r} is not {_FORMAT}")
        try:
            labels = frozenset(str(label) for label in header["labels"])
            lookups = {str(k): tuple(str(v) for v in vs) for k, vs in header["lookups"].items()}
        except (KeyError, TypeError, AttributeError) as exc:
            raise TaggerError("the tagger's header is damaged") from exc
        if header.get("model_sha256") != hashlib.sha256(model).hexdigest():
            raise TaggerError("the tagger's model is truncated or damaged: train the bot again")
        if not model:
            return cls(None, labels, lookups)
        if header.get("clusters") != get_clusters().version:
            raise TaggerError(
                "this tagger was trained with other word clusters (a different Theke "
                "version): train the bot again"
            )
        return cls(model, labels, lookups)


def _sequences(
    examples: Sequence[TaggedText], matcher: LookupMatcher
) -> Iterator[tuple[list[Features], list[str]]]:
    """Features and BIO tags of every non-empty example; word clusters looked up once."""
    tokenized = [(example, tokenize(example.text)) for example in examples]
    words = [token_words(example.text, tokens) for example, tokens in tokenized]
    vocabulary = sorted({word for sentence in words for word in sentence})
    clusters = dict(zip(vocabulary, get_clusters().assign(vocabulary), strict=True))
    for (example, tokens), sentence in zip(tokenized, words, strict=True):
        if tokens:
            features = featurize(sentence, [clusters[w] for w in sentence], matcher)
            yield features, _bio(tokens, example.spans)


def _bio(tokens: Sequence[Token], spans: Sequence[Span]) -> list[str]:
    """BIO tags: every token a span touches is in it; a token goes to the first span."""
    tags = ["O"] * len(tokens)
    for start, end, label in sorted(spans):
        inside = [i for i, (a, b) in enumerate(tokens) if a < end and b > start and tags[i] == "O"]
        for position, index in enumerate(inside):
            tags[index] = ("I-" if position else "B-") + label
    return tags


def _decode(
    tokens: Sequence[Token], tags: Sequence[str], marginals: Sequence[float]
) -> Iterator[tuple[int, int, str, float]]:
    """(start, end, label, confidence) per span; a stray I- tag opens a span."""
    current: list[Any] | None = None
    for (start, end), tag, probability in zip(tokens, tags, marginals, strict=True):
        label = tag[2:]
        if current is not None and (tag == "O" or tag.startswith("B-") or current[2] != label):
            yield _closed(current)
            current = None
        if tag == "O":
            continue
        if current is None:
            current = [start, end, label, [probability]]
        else:
            current[1] = end
            current[3].append(probability)
    if current is not None:
        yield _closed(current)


def _closed(span: list[Any]) -> tuple[int, int, str, float]:
    start, end, label, probabilities = span
    return start, end, label, sum(probabilities) / len(probabilities)


def _entity(text: str, start: int, end: int, label: str, confidence: float) -> Entity:
    value = text[start:end]
    return Entity(label, start, end, value, value, confidence=confidence, extractor="crf")


def _open(model: bytes) -> Any:
    # crfsuite trusts its input (a cut model crashes the process): check what we can first
    if not model.startswith(_CRF_MAGIC) or model[4:8] != struct.pack("<I", len(model)):
        raise TaggerError("the tagger's model is not a whole crfsuite model")
    tagger = pycrfsuite.Tagger()
    try:
        tagger.open_inmemory(model)
    except (ValueError, OSError) as exc:
        raise TaggerError("the tagger's crfsuite model is damaged") from exc
    return tagger


def _split(data: bytes) -> tuple[dict[str, Any], bytes]:
    """The JSON header and the model bytes of :meth:`SlotTagger.to_bytes`' output."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 4:
        raise TaggerError("these bytes are not a Theke slot tagger")
    start = len(_MAGIC) + 4
    (size,) = struct.unpack(">I", data[len(_MAGIC) : start])
    try:
        header = json.loads(data[start : start + size].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TaggerError("the tagger's header is damaged") from exc
    if not isinstance(header, dict):
        raise TaggerError("the tagger's header is damaged")
    return header, data[start + size :]
