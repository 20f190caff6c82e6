"""Find the FAQ entry that answers a customer's message.

Every question variant and title of every entry, in all languages, is one row
of the index. A message is compared with each row by five signals: word and
character BM25 and TF-IDF cosine (:mod:`theke.knowledge.lexical`), and, when an
encoder is given, the cosine of the sentence embeddings. An entry's signals
are each the best over its rows; a linear combination of them is its
relevance. The score is a softmax over the few most relevant entries and "none
of them", so it is roughly the chance that the entry answers the message —
lower when two entries are about equally close, low for all when none is
(:mod:`theke.knowledge._weights`, fitted by ``bench/knowledge_fit.py``).

A question in another language than the conversation's still matches (a
customer mixing languages); the caller answers in the conversation's
language, and among equal scores the entry that has an answer in it wins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from theke.knowledge import _weights
from theke.knowledge.entries import Entry, Match
from theke.knowledge.lexical import LexicalIndex, words
from theke.nlu.encoder import Encoder

__all__ = ["MAX_CHARS", "SIGNALS", "KnowledgeBase"]

MAX_CHARS = 1000
"""Only the start of a very long message is compared (a pasted e-mail is not a question)."""
SIGNALS = ("word_bm25", "char_bm25", "word_cos", "char_cos", "embedding")
"""The columns of :meth:`KnowledgeBase.signals` (the last only with an encoder)."""

Array = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """The FAQ entries of one bot, indexed for search; immutable and shared by threads."""

    entries: Mapping[str, Entry]
    """Every entry by id (also those without questions, which never match)."""
    ids: tuple[str, ...]
    """The entries that can match, in the order of their rows."""
    starts: npt.NDArray[np.intp]
    """Entry ``ids[i]``'s rows start at ``starts[i]`` and end where the next one's start."""
    answer_languages: Mapping[str, npt.NDArray[np.bool_]]
    """Language → per entry of ``ids``, whether it has an answer in that language."""
    lexical: LexicalIndex
    vectors: Array | None
    """The rows' sentence embeddings (rows × dimension), ``None`` without an encoder."""
    encoder: Encoder | None

    @classmethod
    def build(
        cls, entries: Sequence[Entry], languages: Sequence[str], encoder: Encoder | None = None
    ) -> KnowledgeBase:
        """Index ``entries`` of a bot speaking ``languages``; ``encoder=None``: words only."""
        indexed = [(entry, _texts(entry)) for entry in entries]
        indexed = [(entry, texts) for entry, texts in indexed if texts]
        sizes = [len(texts) for _, texts in indexed]
        texts = [text[:MAX_CHARS] for _, rows in indexed for text in rows]
        vectors = encoder.encode(texts) if encoder is not None and texts else None
        answers = {
            language: np.array([language in entry.answers for entry, _ in indexed], dtype=bool)
            for language in languages
        }
        return cls(
            entries=MappingProxyType({entry.id: entry for entry in entries}),
            ids=tuple(entry.id for entry, _ in indexed),
            starts=np.cumsum([0, *sizes[:-1]], dtype=np.intp),
            answer_languages=MappingProxyType(answers),
            lexical=LexicalIndex.build(texts),
            vectors=None if vectors is None else np.asarray(vectors, dtype=np.float32),
            encoder=encoder,
        )

    def search(
        self, text: str, language: str, *, embedding: Array | None = None, limit: int = 3
    ) -> tuple[Match, ...]:
        """The ``limit`` entries that best answer ``text``, best first, scored 0..1.

        ``embedding`` is the message's vector from this knowledge base's
        encoder, if the caller has it already; otherwise it is computed here.
        """
        text = text[:MAX_CHARS]
        if not self.ids or limit < 1 or not words(text):
            return ()
        signals = np.maximum.reduceat(self.signals(text, embedding=embedding), self.starts)
        fusion = _weights.for_signals(signals.shape[1])
        relevance = signals @ fusion.vector + fusion.bias
        answers = self.answer_languages.get(language, np.zeros(len(self.ids), dtype=bool))
        order = np.lexsort((~answers, -relevance))  # ties: the entry that answers in `language`
        return _scores(relevance, order[:limit], order[: _weights.CANDIDATES], self.ids)

    def signals(self, text: str, *, embedding: Array | None = None) -> npt.NDArray[np.float64]:
        """Per row, the :data:`SIGNALS` comparing it with ``text`` (for calibration and tests)."""
        text = text[:MAX_CHARS]
        columns = [self.lexical.signals(text)]
        dense = self._embedding(text, embedding)
        if dense is not None and self.vectors is not None:
            columns.append((self.vectors @ dense).astype(np.float64)[:, None])
        return np.hstack(columns)

    def _embedding(self, text: str, embedding: Array | None) -> Array | None:
        if self.vectors is None or self.encoder is None:
            return None
        if embedding is None:
            if not any(char.isalnum() for char in text):
                return None
            vector: Array = np.asarray(self.encoder.encode([text])[0], dtype=np.float32)
            return vector
        if embedding.shape != (self.vectors.shape[1],):
            dimension = self.vectors.shape[1]
            raise ValueError(f"the embedding has shape {embedding.shape}, expected ({dimension},)")
        return embedding


def _texts(entry: Entry) -> list[str]:
    """The rows of ``entry``: its titles and its questions (none if it has no questions)."""
    asked = [question for questions in entry.questions.values() for question in questions]
    return [*entry.titles.values(), *asked] if asked else []


def _scores(
    relevance: npt.NDArray[np.float64],
    top: npt.NDArray[np.intp],
    candidates: npt.NDArray[np.intp],
    ids: Sequence[str],
) -> tuple[Match, ...]:
    """The matches for the entries ``top``: softmax over ``candidates`` and "none" (0)."""
    shift = max(float(relevance[candidates].max()), 0.0)
    total = math.exp(-shift) + float(np.exp(relevance[candidates] - shift).sum())
    return tuple(Match(ids[i], math.exp(float(relevance[i]) - shift) / total) for i in top)
