"""Fit the weights that fuse the knowledge base's signals into one score (theke/knowledge/_weights.py).

Training data (bench/_knowledge_data.py), from one or more bot folders:

- every question variant asked of the entries without it (leave-one-out), once
  with the entry's other-language questions (often its translation) and once
  without them, each also in two customer forms ("wie lange dauert der versand",
  "dauert versnad");
- the out-of-scope messages, which no entry answers.

Stage 1, relevance: for each message, the best rows of the three best entries
and of the right one are examples, labelled 1 for the right entry's row. The
weights are not negative (more similarity never makes an answer less likely);
since an entry's row is its best under the current weights, the fit alternates
between picking rows and fitting a few rounds.

Stage 2, calibration: the score is a logistic function of the entry's relevance
and of its margin to the best other entry, fitted on the same examples.

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
from theke.knowledge._weights import Fusion
from theke.knowledge.index import SIGNALS
from theke.nlu.encoder import Encoder, get_encoder

WEIGHTS = Path(current.__file__)
ROUNDS = 5
TOP = 3
C = 1.0
THRESHOLD = 0.5

Floats = npt.NDArray[np.float64]
Labels = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Sample:
    """One message's signals against every row, and where each entry's rows start."""

    signals: Floats
    starts: npt.NDArray[np.intp]
    ids: tuple[str, ...]
    truth: str | None


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
    return Sample(kb.signals(case.text, case.language), kb.starts, kb.ids, case.entry_id)


def relevance(found: Sample, weights: Floats, bias: float) -> tuple[Floats, Floats]:
    """Each entry's best row (its signals) and that row's relevance."""
    logits = found.signals @ weights + bias
    ends = [*found.starts[1:], len(logits)]
    picks = [a + int(np.argmax(logits[a:b])) for a, b in zip(found.starts, ends, strict=True)]
    return found.signals[picks], logits[picks]


def _chosen(found: Sample, logits: Floats) -> list[int]:
    """The entries that make examples: the best few and the right one."""
    chosen = set(np.argsort(-logits)[:TOP].tolist())
    if found.truth is not None:
        chosen.add(found.ids.index(found.truth))
    return sorted(chosen)


def stage1(found: Sequence[Sample], weights: Floats, bias: float) -> tuple[Floats, Labels]:
    rows, labels = [], []
    for s in found:
        signals, logits = relevance(s, weights, bias)
        for index in _chosen(s, logits):
            rows.append(signals[index])
            labels.append(int(s.ids[index] == s.truth))
    return np.array(rows), np.array(labels)


def margins(logits: Floats, bias: float) -> Floats:
    """Each entry's relevance minus the best other entry's (or the bias, if higher)."""
    order = np.argsort(-logits)
    first = logits[order[0]]
    runner_up = max(float(logits[order[1]]) if len(logits) > 1 else bias, bias)
    result = logits - first
    result[order[0]] = first - runner_up
    return result


def stage2(found: Sequence[Sample], weights: Floats, bias: float) -> tuple[Floats, Labels]:
    rows, labels = [], []
    for s in found:
        _, logits = relevance(s, weights, bias)
        margin = margins(logits, bias)
        for index in _chosen(s, logits):
            rows.append((logits[index], margin[index]))
            labels.append(int(s.ids[index] == s.truth))
    return np.array(rows), np.array(labels)


def logistic(x: Floats, y: Labels, start: Floats) -> Floats:
    """L2-regularised logistic regression with weights ≥ 0; the last entry is the intercept."""

    def loss(theta: Floats) -> tuple[float, Floats]:
        logits = x @ theta[:-1] + theta[-1]
        p = 1 / (1 + np.exp(-logits))
        w = theta[:-1]
        value = np.logaddexp(0, logits).sum() - y @ logits + 0.5 / C * w @ w
        return float(value), np.append(x.T @ (p - y) + w / C, (p - y).sum())

    bounds = [(0.0, None)] * x.shape[1] + [(None, None)]
    theta0 = np.append(np.clip(start[:-1], 0.0, None), start[-1])
    result = minimize(loss, theta0, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x, dtype=np.float64)


def fit(found: Sequence[Sample], start: Fusion) -> Fusion:
    theta = np.append(start.vector, start.bias)
    for _ in range(ROUNDS):
        theta = logistic(*stage1(found, theta[:-1], float(theta[-1])), theta)
    weights, bias = theta[:-1], float(theta[-1])
    calibration = logistic(
        *stage2(found, weights, bias), np.array([start.scale, start.margin, start.offset])
    )
    scale, margin, offset = (float(v) for v in calibration)
    return Fusion(tuple(float(w) for w in weights), bias, scale, margin, offset)


def score(found: Sample, fusion: Fusion) -> tuple[str, float]:
    """The best entry and its score, as ``KnowledgeBase.search`` computes them."""
    _, logits = relevance(found, fusion.vector, fusion.bias)
    best = int(np.argmax(logits))
    margin = margins(logits, fusion.bias)[best]
    logit = fusion.scale * logits[best] + fusion.margin * margin + fusion.offset
    return found.ids[best], float(1 / (1 + np.exp(-logit)))


def evaluate(found: Sequence[Sample], fusion: Fusion) -> dict[str, float]:
    inside = [s for s in found if s.truth is not None]
    outside = [s for s in found if s.truth is None]
    results = [(s.truth, *score(s, fusion)) for s in inside]
    rejected = [score(s, fusion)[1] < THRESHOLD for s in outside]
    return {
        "top1": float(np.mean([truth == best for truth, best, _ in results])) if results else 0.0,
        "at_threshold": float(np.mean([t == b and p >= THRESHOLD for t, b, p in results]))
        if results
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
        numbers = ", ".join(f"{w:.4f}" for w in fusion.weights)
        line = (
            f"{name} = Fusion(weights=({numbers}{',' if len(fusion.weights) == 1 else ''}),"
            f" bias={fusion.bias:.4f}, scale={fusion.scale:.4f}, margin={fusion.margin:.4f},"
            f" offset={fusion.offset:.4f})"
        )
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
        report(
            f"{name}: {named}, bias={fusion.bias:+.2f}; score: scale={fusion.scale:.2f}, "
            f"margin={fusion.margin:.2f}, offset={fusion.offset:+.2f}"
        )
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
