"""Theke's slot tagger (theke/nlu/tagger.py) on the xSID slot data, for BENCHMARKS.md.

What it measures:

- ``xsid-de`` and ``xsid-en``: 5-fold cross-validation over the 300 rows with the very
  folds of ``nlu_data.folds`` (the ones Rasa is measured on), slot F1 in the conlleval
  way: a predicted span counts only if its character start, end and label all match a
  gold chunk, micro over all spans of all test rows. ``reachable`` is the share of gold
  spans whose edges fall on the tagger's own token edges (the ceiling of recall).
- Training time: the one-off load of the word clusters (USE's tokenizer and table,
  once per process), the mean warm training time of the CV folds, and a synthetic shop
  bot of 50 intents × 30 examples (1,500 messages, 1,000 of them with entities).
- Tagging time: p50/p99 per message over every test row, after a warm-up, one thread.

Run it from the repository root::

    .venv/bin/python bench/nlu_tagger.py

The results go to ``bench/results/nlu_tagger.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import nlu_data
from _machine import cpu_model, git_commit, now_iso
from _stats import percentile

from theke.nlu._subword_clusters import get_clusters
from theke.nlu.scoring import span_f1, span_f1_by_label
from theke.nlu.tagger import SlotTagger, TaggedText, tokenize

K = 5
DATASETS = ("xsid-de", "xsid-en")
RESULTS = Path(__file__).resolve().parent / "results" / "nlu_tagger.json"


def tagged(row: nlu_data.Row) -> TaggedText:
    """A row's BIO slots over its tokens as character spans of its text."""
    text, offsets, position = row["text"], [], 0
    for token in row["tokens"]:
        start = text.index(token, position)
        position = start + len(token)
        offsets.append((start, position))
    spans: list[list[Any]] = []
    previous = "O"
    for (start, end), tag in zip(offsets, row["slots"], strict=True):
        continues = tag.startswith("I-") and previous != "O" and previous[2:] == tag[2:]
        if continues:
            spans[-1][1] = end
        elif tag != "O":
            spans.append([start, end, tag[2:]])
        previous = tag
    return TaggedText(text, tuple((a, b, label) for a, b, label in spans))


def reachable(examples: Sequence[TaggedText]) -> float:
    """The share of gold spans that start and end on the tagger's token edges."""
    total = hits = 0
    for example in examples:
        edges = {edge for token in tokenize(example.text) for edge in token}
        total += len(example.spans)
        hits += sum(start in edges and end in edges for start, end, _ in example.spans)
    return hits / total if total else 0.0


def cross_validate(name: str) -> dict[str, Any]:
    rows = nlu_data.load(name)
    gold: list[set[tuple[int, int, str]]] = []
    predicted: list[set[tuple[int, int, str]]] = []
    train_seconds, latencies = [], []
    for train, test in nlu_data.folds(rows, K):
        started = time.perf_counter()
        tagger = SlotTagger.train([tagged(row) for row in train])
        train_seconds.append(time.perf_counter() - started)
        tagger.tag(test[0]["text"])  # warm-up
        for row in test:
            started = time.perf_counter()
            entities = tagger.tag(row["text"])
            latencies.append((time.perf_counter() - started) * 1000)
            predicted.append({(e.start, e.end, e.entity) for e in entities})
            gold.append(set(tagged(row).spans))
    latencies.sort()
    return {
        **span_f1(gold, predicted),
        "reachable": reachable([tagged(row) for row in rows]),
        "per_label": span_f1_by_label(gold, predicted),
        "train_seconds_mean": sum(train_seconds) / len(train_seconds),
        "tag_ms": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99)},
    }


_CATEGORIES = ("Laufschuhe", "Sneaker", "Winterjacke", "Jeans", "Rucksack", "T-Shirt", "Mütze")
_COLOURS = ("blau", "rot", "schwarz", "weiß", "dunkelgrün", "beige", "navy")
_BRANDS = ("Adidas", "Nike", "Puma", "Jack Wolfskin", "Levi's", "New Balance", "Vaude")
_TEMPLATES = (
    "Ich suche [{category}](category) in [{colour}](colour)",
    "Habt ihr [{category}](category) von [{brand}](brand) in Größe [{size}](size)?",
    "Gibt es die [{category}](category) auch in [{colour}](colour)?",
    "Zeig mir [{brand}](brand) [{category}](category) unter {price} Euro",
    "[{category}](category) in [{size}](size) bitte",
    "Wo ist meine Bestellung SC-{order}?",
    "Kann ich [{category}](category) von [{brand}](brand) zurückschicken?",
    "Hallo, wann habt ihr morgen geöffnet?",
    "Do you have [{category}](category) in [{colour}](colour) by [{brand}](brand)?",
)


def synthetic_bot(seed: int = 7, size: int = 1500) -> list[TaggedText]:
    """A shop bot's examples, 50 intents × 30, about two thirds with entities."""
    rng = random.Random(seed)
    examples = []
    for index in range(size):
        template = rng.choice(_TEMPLATES) if index % 3 else "Frage {n} zu Thema {m}, danke!"
        filled = template.format(
            category=rng.choice(_CATEGORIES),
            colour=rng.choice(_COLOURS),
            brand=rng.choice(_BRANDS),
            size=rng.choice(("38", "42", "44,5", "XL", "M")),
            price=rng.randrange(20, 300),
            order=rng.randrange(100000, 999999),
            n=index,
            m=index % 50,
        )
        examples.append(_parse_marks(filled))
    return examples


def _parse_marks(marked: str) -> TaggedText:
    text, spans, rest = "", [], marked
    while "[" in rest:
        before, _, rest = rest.partition("[")
        value, _, rest = rest.partition("](")
        label, _, rest = rest.partition(")")
        text += before
        spans.append((len(text), len(text) + len(value), label))
        text += value
    return TaggedText(text + rest, tuple(spans))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    started = time.perf_counter()
    get_clusters()
    load_seconds = time.perf_counter() - started
    results: dict[str, Any] = {"clusters_load_seconds": load_seconds}
    for name in DATASETS:
        results[name] = cross_validate(name)
        r = results[name]
        print(
            f"{name}: F1 {r['f1']:.1%}  P {r['precision']:.1%}  R {r['recall']:.1%}  "
            f"(reachable {r['reachable']:.1%}, train {r['train_seconds_mean']:.2f} s, "
            f"tag p50 {r['tag_ms']['p50']:.3f} ms p99 {r['tag_ms']['p99']:.3f} ms)"
        )
    bot = synthetic_bot()
    started = time.perf_counter()
    SlotTagger.train(bot)
    results["shop_bot_1500"] = {"train_seconds": time.perf_counter() - started}
    print(f"clusters load {load_seconds:.2f} s (once per process)")
    print(f"shop bot, 1,500 examples: train {results['shop_bot_1500']['train_seconds']:.2f} s")
    results["benchmark"] = "nlu_tagger"
    results["meta"] = {
        "system": "theke SlotTagger (crfsuite, subword clusters)",
        "folds": K,
        "when": now_iso(),
        "commit": git_commit(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
