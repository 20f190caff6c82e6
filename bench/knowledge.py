"""The FAQ search (theke/knowledge) on a bot folder's knowledge base, for BENCHMARKS.md.

What it measures, words only and with the USE embedding, at the default threshold:

- ``loo``: leave-one-out over the question variants — each variant is asked of the
  knowledge base without it: top-1 accuracy, and accuracy at the threshold (right
  *and* confident enough to answer). ``loo_strict`` also leaves out the entry's
  questions in its other languages, which are often translations of the held-out one.
- ``out_of_scope``: the share of the out-of-scope messages
  (tests/knowledge/fixtures/out_of_scope.yml) whose best score stays below the threshold.
- ``customer``: the fixture FAQ's customer-style messages
  (tests/knowledge/fixtures/queries.yml: typos, no umlauts, colloquial, mixed
  languages), which the weights were not fitted on.
- time: building the index (the bot's entries, and ~300 entries), searching
  (p50/p99 per message, one thread; with USE the message's embedding is given, as the
  engine passes the one the NLU computed).

Run it from the repository root (default folder: examples/sneakershop, or the fixture
FAQ while the example has no knowledge base)::

    .venv/bin/python bench/knowledge.py [--folder BOT]

The results go to ``bench/results/knowledge.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import _knowledge_data as data
from _machine import cpu_model, git_commit, now_iso
from _stats import percentile

from theke.knowledge import Entry, KnowledgeBase, KnowledgeSettings
from theke.nlu.encoder import Encoder, get_encoder

RESULTS = Path(__file__).resolve().parent / "results" / "knowledge.json"
THRESHOLD = KnowledgeSettings().threshold
SYNTHETIC = 300


def accuracy(
    pairs: Sequence[tuple[KnowledgeBase, data.Case]], encoder: Encoder | None
) -> dict[str, float]:
    """Top-1 and at-threshold accuracy (in-scope cases), rejection (out-of-scope cases)."""
    right = confident = rejected = inside = 0
    for kb, case in pairs:
        matches = kb.search(case.text, case.language)
        best = matches[0] if matches else None
        score = best.score if best else 0.0
        if case.entry_id is None:
            rejected += score < THRESHOLD
            continue
        inside += 1
        hit = best is not None and best.entry_id == case.entry_id
        right += hit
        confident += hit and score >= THRESHOLD
    outside = len(pairs) - inside
    if not inside:
        return {"n": outside, "rejected": round(rejected / max(outside, 1), 4)}
    return {
        "n": inside,
        "top1": round(right / inside, 4),
        "at_threshold": round(confident / inside, 4),
    }


def leave_one_out(
    dataset: data.Dataset, encoder: Encoder | None, *, strict: bool
) -> dict[str, float]:
    pairs = [
        (KnowledgeBase.build(entries, dataset.languages, encoder), case)
        for entries, case in data.leave_one_out(dataset.entries, strict=strict)
    ]
    return accuracy(pairs, encoder)


def with_full(
    dataset: data.Dataset, cases: Sequence[data.Case], encoder: Encoder | None
) -> dict[str, float]:
    kb = KnowledgeBase.build(dataset.entries, dataset.languages, encoder)
    return accuracy([(kb, case) for case in cases], encoder)


def synthetic(entries: Sequence[Entry], count: int) -> list[Entry]:
    """``count`` entries: copies of ``entries`` under new ids (for timing only)."""
    return [
        replace(entries[n % len(entries)], id=f"{entries[n % len(entries)].id}_{n}", follow_up=())
        for n in range(count)
    ]


def build_ms(entries: Sequence[Entry], languages: Sequence[str], encoder: Encoder | None) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        KnowledgeBase.build(entries, languages, encoder)
        runs.append((time.perf_counter() - start) * 1000)
    return round(min(runs), 1)


def search_ms(
    kb: KnowledgeBase, cases: Sequence[data.Case], encoder: Encoder | None
) -> dict[str, float]:
    vectors = encoder.encode([case.text for case in cases]) if encoder is not None else None
    for case in cases[:20]:  # warm up
        kb.search(case.text, case.language)
    times = []
    for index, case in enumerate(cases):
        vector = vectors[index] if vectors is not None else None
        start = time.perf_counter()
        kb.search(case.text, case.language, embedding=vector)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return {"p50": round(percentile(times, 50), 3), "p99": round(percentile(times, 99), 3)}


def measure(
    dataset: data.Dataset, fixture: data.Dataset, encoder: Encoder | None, raw: Encoder | None
) -> dict[str, Any]:
    """Every number of one mode; ``raw`` is ``encoder`` without its cache (for build times)."""
    questions = [case for _, case in data.leave_one_out(dataset.entries)]
    messages = [*questions, *dataset.out_of_scope, *fixture.queries]
    many = synthetic(dataset.entries, SYNTHETIC)
    return {
        "loo": leave_one_out(dataset, encoder, strict=False),
        "loo_strict": leave_one_out(dataset, encoder, strict=True),
        "out_of_scope": with_full(dataset, dataset.out_of_scope, encoder),
        "customer": with_full(fixture, fixture.queries, encoder),
        "build_ms": build_ms(dataset.entries, dataset.languages, raw),
        f"build_{SYNTHETIC}_entries_ms": build_ms(many, dataset.languages, raw),
        "search_ms": search_ms(
            KnowledgeBase.build(dataset.entries, dataset.languages, encoder), messages, encoder
        ),
        f"search_{SYNTHETIC}_entries_ms": search_ms(
            KnowledgeBase.build(many, dataset.languages, encoder), messages, encoder
        ),
    }


def table(results: dict[str, Any]) -> str:
    modes = results["modes"]
    rows = [
        ("leave-one-out top-1", "loo", "top1"),
        ("leave-one-out at threshold", "loo", "at_threshold"),
        ("  without translations: top-1", "loo_strict", "top1"),
        ("  without translations: at threshold", "loo_strict", "at_threshold"),
        ("out-of-scope rejected", "out_of_scope", "rejected"),
        ("customer messages top-1", "customer", "top1"),
        ("customer messages at threshold", "customer", "at_threshold"),
        ("build (ms)", "build_ms", None),
        (f"build {SYNTHETIC} entries (ms)", f"build_{SYNTHETIC}_entries_ms", None),
        ("search p50 (ms)", "search_ms", "p50"),
        ("search p99 (ms)", "search_ms", "p99"),
        (f"search p50, {SYNTHETIC} entries (ms)", f"search_{SYNTHETIC}_entries_ms", "p50"),
    ]
    lines = [f"{'':38}" + "".join(f"{mode:>12}" for mode in modes)]
    for label, key, sub in rows:
        cells = [modes[mode][key] if sub is None else modes[mode][key][sub] for mode in modes]
        lines.append(f"{label:38}" + "".join(f"{cell:>12}" for cell in cells))
    return "\n".join(lines)


def run(folder: Path) -> dict[str, Any]:
    dataset, fixture = data.load(folder), data.load(data.FIXTURE)
    use = get_encoder("use")
    assert use is not None
    use.encode(["warm up"])  # loading the model is not building the index
    encoder = data.CachedEncoder(use)
    return {
        "benchmark": "knowledge",
        "folder": str(folder.resolve().relative_to(data.REPO)),
        "entries": len(dataset.entries),
        "questions": sum(len(q) for entry in dataset.entries for q in entry.questions.values()),
        "languages": list(dataset.languages),
        "threshold": THRESHOLD,
        "modes": {
            "words": measure(dataset, fixture, None, None),
            "words+use": measure(dataset, fixture, encoder, use),
        },
        "machine": {"cpu": cpu_model(), "python": platform.python_version()},
        "commit": git_commit(),
        "date": now_iso(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = run(args.folder or data.default_folder())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"{results['folder']}: {results['entries']} entries, {results['questions']} questions")
    print(table(results))


if __name__ == "__main__":
    main()
