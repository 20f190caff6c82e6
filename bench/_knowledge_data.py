"""The data bench/knowledge.py measures and bench/knowledge_fit.py fits on.

- the FAQ entries of a bot folder (``knowledge/*.yml``; its languages from ``theke.yml``),
- leave-one-out cases: each question variant, asked of the entries without it,
- the out-of-scope messages (tests/knowledge/fixtures/out_of_scope.yml), which no
  entry of a shoe shop answers,
- for the fixture FAQ also customer-style messages with their entry
  (tests/knowledge/fixtures/queries.yml): typos, no umlauts, colloquial.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from theke.bot.yamlsource import read_yaml
from theke.knowledge import Entry, load_knowledge
from theke.nlu.encoder import Encoder
from theke.nlu.language import detect_language
from theke.nlu.normalize import fold

__all__ = [
    "FIXTURE",
    "SNEAKERSHOP",
    "CachedEncoder",
    "Case",
    "Dataset",
    "customer_forms",
    "default_folder",
    "has_knowledge",
    "leave_one_out",
    "load",
]

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "knowledge" / "fixtures"
FIXTURE = FIXTURES / "shop"
SNEAKERSHOP = REPO / "examples" / "sneakershop"


@dataclass(frozen=True, slots=True)
class Case:
    """A message, its language, the entry that answers it (``None``: out of scope)."""

    text: str
    language: str
    entry_id: str | None


@dataclass(frozen=True, slots=True)
class Dataset:
    folder: Path
    languages: tuple[str, ...]
    entries: tuple[Entry, ...]
    out_of_scope: tuple[Case, ...]
    queries: tuple[Case, ...]


def has_knowledge(folder: Path) -> bool:
    return any((folder / "knowledge").glob("*.yml"))


def default_folder() -> Path:
    """examples/sneakershop once it has a knowledge base, the fixture FAQ until then."""
    return SNEAKERSHOP if has_knowledge(SNEAKERSHOP) else FIXTURE


def load(folder: Path) -> Dataset:
    config = read_yaml(folder / "theke.yml").data
    languages = tuple(config.get("languages", ["de"])) if isinstance(config, dict) else ("de",)
    entries = load_knowledge(folder, languages)
    oos = read_yaml(FIXTURES / "out_of_scope.yml").data
    assert isinstance(oos, dict)
    out = tuple(Case(str(t), lang, None) for lang, texts in oos.items() for t in texts)
    queries: tuple[Case, ...] = ()
    if folder.resolve() == FIXTURE.resolve():
        table = read_yaml(FIXTURES / "queries.yml").data
        assert isinstance(table, dict)
        queries = tuple(
            Case(str(t), detect_language(str(t), languages, languages[0]).language, entry_id)
            for entry_id, texts in table.items()
            for t in texts
        )
    return Dataset(folder, languages, entries, out, queries)


def leave_one_out(
    entries: Sequence[Entry], *, strict: bool = False
) -> Iterator[tuple[tuple[Entry, ...], Case]]:
    """Each question variant as a case, with the entries as they are without it.

    ``strict`` also leaves out the entry's questions in its other languages:
    owners write them as translations of each other, and a translation is far
    closer to the held-out question than any customer's message would be.
    """
    for position, entry in enumerate(entries):
        for language, questions in entry.questions.items():
            for index, question in enumerate(questions):
                rest = questions[:index] + questions[index + 1 :]
                asked = {language: rest} if strict else {**entry.questions, language: rest}
                held = replace(entry, questions=MappingProxyType(asked))
                others = (*entries[:position], held, *entries[position + 1 :])
                yield others, Case(question, language, entry.id)


class CachedEncoder:
    """An encoder that encodes each text once (leave-one-out rebuilds the index often)."""

    def __init__(self, encoder: Encoder) -> None:
        self.name = encoder.name
        self.dim = encoder.dim
        self._encoder = encoder
        self._cache: dict[str, npt.NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self._encoder.encode(missing), strict=True):
                self._cache[text] = vector
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._cache[t] for t in texts])


def customer_forms(text: str, seed: int) -> tuple[str, ...]:
    """How a customer might type ``text``: lower case without umlauts and punctuation, and
    just its two longest words with a typo in one ("dauert versnad").

    Training on these as well as on the owner's clean questions calibrates the
    score for the short, sloppy messages customers send.
    """
    words = re.findall(r"\w+", fold(text))
    plain = " ".join(words)
    longest = sorted(words, key=len, reverse=True)[:2]
    keywords = [word for word in words if word in longest]
    rng = random.Random(seed)
    typo_at = rng.randrange(len(keywords)) if keywords else 0
    typed = [_typo(w, rng) if i == typo_at else w for i, w in enumerate(keywords)]
    return tuple(dict.fromkeys(form for form in (plain, " ".join(typed)) if form and form != text))


def _typo(word: str, rng: random.Random) -> str:
    """``word`` with two neighbouring letters swapped or one left out (short words stay)."""
    if len(word) < 5:
        return word
    at = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    return word[:at] + word[at + 1 :]
