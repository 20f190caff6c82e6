"""Fit the weights that fuse the FAQ search's signals into one score (theke/knowledge/_weights.py).

Training data (bench/_knowledge_data.py), from one or more bot folders:

- every question variant asked of the entries without it (leave-one-out), once
  with the entry's other-language questions (often its translation) and once
  without them, each also in two customer forms ("wie lange dauert der versand",
  "dauert versnad");
- the out-of-scope messages, which no entry answers.

The model (theke/knowledge/index.py): an entry's signals are each the best over
its questions; its relevance is ``signals @ weights + bias``; its score is the
softmax over the most relevant entries and "none of them" (relevance 0). The
fit maximises the likelihood of the right entry (of "none" for out-of-scope
messages) among those candidates, with L2 regularisation and weights ≥ 0 (more
similarity never makes an answer less likely). The candidates depend on the
weights, so the fit alternates a few rounds; the right entry is always one of
them during training.

Two fusions are fitted: words only (no encoder) and with the USE embedding.
``--check`` adds a 5-fold cross-validation of the fit (by message) and the
held-out customer messages of the fixture FAQ.

    .venv/bin/python bench/knowledge_fit.py [--folder BOT ...] [--check] [--write]
"""

from __future__ import annotations

import argparse
import os
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import _knowledge_data as data
import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from theke.knowledge import KnowledgeBase
from theke.knowledge import _weights as current
from theke.knowledge._weights import CANDIDATES, Fusion
from theke.knowledge.index import SIGNALS
from theke.nlu.encoder import Encoder, get_encoder

WEIGHTS = Path(current.__file__)
ROUNDS = 3
C = 1.0
THRESHOLD = 0.5

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Sample:
    """One message's signals per entry (each the best over its rows) and the right entry."""

    signals: Floats
    ids: tuple[str, ...]
    truth: int | None


def samples(dataset: data.Dataset, encoder: Encoder | None) -> list[Sample]:
    """The signals of every training case; with an encoder only those it embeds."""
    found = []
    for strict in (False, True):
        cases = data.leave_one_out(dataset.entries, strict=strict)
        for number, (entries, case) in enumerate(cases):
            kb = KnowledgeBase.build(entries, dataset.languages, encoder)
            found.append(sample(kb, case))
            for form in data.customer_forms(case.text, number):
                found.append(sample(kb, data.Case(form, case.language, case.entry_id)))
    full = KnowledgeBase.build(dataset.entries, dataset.languages, encoder)
    found.extend(sample(full, case) for case in dataset.out_of_scope)
    return [s for s in found if s.signals.shape[1] == _columns(encoder)]


def _columns(encoder: Encoder | None) -> int:
    return len(SIGNALS) if encoder is not None else len(SIGNALS) - 1


def sample(kb: KnowledgeBase, case: data.Case) -> Sample:
    signals = np.maximum.reduceat(kb.signals(case.text), kb.starts)
    truth = None if case.entry_id is None else kb.ids.index(case.entry_id)
    return Sample(signals, kb.ids, truth)


def candidates(found: Sequence[Sample], fusion: Fusion) -> tuple[Floats, Labels]:
    """Per message the signals of its candidates (the right entry always among them) and
    the position of the right one (-1: none)."""
    rows, labels = [], []
    for s in found:
        top = list(np.argsort(-(s.signals @ fusion.vector))[:CANDIDATES])
        if s.truth is not None and s.truth not in top:
            top[-1] = s.truth
        rows.append(s.signals[top])
        labels.append(top.index(s.truth) if s.truth is not None else -1)
    return np.stack(rows), np.array(labels)


def likelihood(theta: Floats, x: Floats, y: Labels) -> tuple[float, Floats]:
    """The negative log-likelihood (plus L2) of the labels and its gradient."""
    weights, bias = theta[:-1], theta[-1]
    logits = x @ weights + bias  # messages × candidates; "none" is 0
    shift = np.maximum(logits.max(axis=1), 0.0)
    exp = np.exp(logits - shift[:, None])
    total = exp.sum(axis=1) + np.exp(-shift)
    p = exp / total[:, None]
    inside = y >= 0
    rows = np.arange(len(y))
    chosen = np.where(inside, logits[rows, np.maximum(y, 0)], 0.0)
    value = -(chosen - shift - np.log(total)).sum() + 0.5 / C * weights @ weights
    target = np.zeros_like(p)
    target[rows[inside], y[inside]] = 1.0
    error = target - p
    gradient = -np.einsum("nk,nkf->f", error, x) + weights / C
    return float(value), np.append(gradient, -error.sum())


def fit(found: Sequence[Sample], start: Fusion) -> Fusion:
    fusion = start
    for _ in range(ROUNDS):
        x, y = candidates(found, fusion)
        theta0 = np.append(np.clip(fusion.vector, 0.0, None), fusion.bias)
        bounds = [(0.0, None)] * x.shape[2] + [(None, None)]
        result = minimize(
            likelihood, theta0, args=(x, y), jac=True, method="L-BFGS-B", bounds=bounds
        )
        fusion = Fusion(tuple(float(w) for w in result.x[:-1]), float(result.x[-1]))
    return fusion


def score(found: Sample, fusion: Fusion) -> tuple[int, float]:
    """The best entry and its score, as ``KnowledgeBase.search`` computes them."""
    relevance = found.signals @ fusion.vector + fusion.bias
    top = np.argsort(-relevance)[:CANDIDATES]
    shift = max(float(relevance[top[0]]), 0.0)
    total = np.exp(-shift) + np.exp(relevance[top] - shift).sum()
    return int(top[0]), float(np.exp(relevance[top[0]] - shift) / total)


def evaluate(found: Sequence[Sample], fusion: Fusion) -> dict[str, float]:
    inside = [(s.truth, *score(s, fusion)) for s in found if s.truth is not None]
    rejected = [score(s, fusion)[1] < THRESHOLD for s in found if s.truth is None]
    return {
        "top1": float(np.mean([t == b for t, b, _ in inside])) if inside else 0.0,
        "at_threshold": float(np.mean([t == b and p >= THRESHOLD for t, b, p in inside]))
        if inside
        else 0.0,
        "oos_rejection": float(np.mean(rejected)) if rejected else 0.0,
    }


def cross_validate(found: Sequence[Sample], start: Fusion, folds: int = 5) -> dict[str, float]:
    order = list(range(len(found)))
    random.Random(7).shuffle(order)
    totals: dict[str, float] = {}
    for fold in range(folds):
        test = [found[i] for i in order[fold::folds]]
        train = [found[i] for n, i in enumerate(order) if n % folds != fold]
        for key, value in evaluate(test, fit(train, start)).items():
            totals[key] = totals.get(key, 0.0) + value / folds
    return totals


def write(fusions: dict[str, Fusion], folders: Sequence[Path]) -> None:
    text = WEIGHTS.read_text()
    for name, fusion in fusions.items():
        numbers = ", ".join(f"{w:.3f}" for w in fusion.weights)
        line = f"{name} = Fusion(weights=({numbers}), bias={fusion.bias:.3f})"
        text = re.sub(rf"^{name} = Fusion\(.*?\)$", line, text, flags=re.M | re.S)
    where = ", ".join(str(folder.resolve().relative_to(data.REPO)) for folder in folders)
    text = re.sub(
        r"^# fitted: .*$", f"# fitted: on {where} and the out-of-scope set", text, flags=re.M
    )
    WEIGHTS.write_text(text)


def fit_all(
    folders: Sequence[Path], report: Callable[[str], None], check: bool
) -> dict[str, Fusion]:
    datasets = [data.load(folder) for folder in folders]
    encoder = data.CachedEncoder(get_encoder("use"))  # type: ignore[arg-type]
    fusions = {}
    for name, enc, start in (("LEXICAL", None, current.LEXICAL), ("DENSE", encoder, current.DENSE)):
        found = [s for dataset in datasets for s in samples(dataset, enc)]
        fusion = fusions[name] = fit(found, start)
        named = ", ".join(f"{s}={w:.2f}" for s, w in zip(SIGNALS, fusion.weights, strict=False))
        report(f"{name}: {named}, bias={fusion.bias:+.2f}")
        report("  training data: " + _fmt(evaluate(found, fusion)))
        if check:
            report("  5-fold:        " + _fmt(cross_validate(found, start)))
            for dataset in datasets:
                if dataset.queries:
                    full = KnowledgeBase.build(dataset.entries, dataset.languages, enc)
                    held = [sample(full, case) for case in dataset.queries]
                    report("  customer msgs: " + _fmt(evaluate(held, fusion)))
    return fusions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, action="append", help="bot folder (repeatable)")
    parser.add_argument("--check", action="store_true", help="also cross-validate the fit")
    parser.add_argument("--write", action="store_true", help="write theke/knowledge/_weights.py")
    args = parser.parse_args()
    folders = args.folder or [
        folder for folder in (data.SNEAKERSHOP, data.FIXTURE) if data.has_knowledge(folder)
    ]
    fusions = fit_all(folders, print, args.check)
    if args.write:
        write(fusions, folders)
        print(f"wrote {WEIGHTS}")


def _fmt(values: dict[str, float]) -> str:
    return "  ".join(f"{key} {value:.3f}" for key, value in values.items())


if __name__ == "__main__":
    main()
