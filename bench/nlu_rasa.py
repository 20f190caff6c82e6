"""Rasa 3.6 NLU (DIET) on the German data Theke's NLU benchmark uses, for BENCHMARKS.md.

What it measures, with Rasa's standard pipeline (WhitespaceTokenizer, RegexFeaturizer,
LexicalSyntacticFeaturizer, word and char_wb 1-4 CountVectorsFeaturizers, DIETClassifier
with 100 epochs, EntitySynonymMapper; language "de"):

- ``xsid_de_cv5``: 5-fold cross-validation over the 300 ``xsid-de`` rows, with the very
  folds of ``nlu_data.folds`` that Theke is measured on: intent accuracy (pooled over all
  test rows, and per fold) and slot F1 in the conlleval way (a predicted entity counts only
  if its character span and its label both match a gold chunk; micro over all test rows).
- ``xsid_en_to_de``: trained on all 300 ``xsid-en`` rows, intent accuracy on all 300
  ``xsid-de`` rows.
- For the fold-0 training run: training wall time, peak resident memory of the training
  process, model load time and per-message parse latency (p50/p99) after a warm-up.

Every training run happens in a fresh subprocess of this very script (``--worker DIR``), so
that TensorFlow's memory and threads of one run never leak into the next and the peak RSS
belongs to one training alone. The worker trains with ``rasa.model_training.train_nlu``,
loads the model with ``Agent.load`` and parses with ``await agent.parse_message(text)``,
the way Rasa's own servers do. The parent only needs the standard library.

Run it from the repository root with Rasa's own virtualenv (see shared/rasa/README.md)::

    .rasa-venv/bin/python bench/nlu_rasa.py            # full run, about 15-20 minutes
    .rasa-venv/bin/python bench/nlu_rasa.py --folds 1  # a quick try on fold 0 only

The results go to ``bench/results/nlu_rasa.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nlu_data
from _stats import percentile

SYSTEM = "rasa-3.6.21 DIET"
K = 5  # folds of the cross-validation, as in Theke's benchmark
RESULTS = Path(__file__).resolve().parent / "results" / "nlu_rasa.json"

# Rasa reads "a/b" intents as retrieval intents and "/" is awkward in entity names,
# so labels travel through Rasa with "/" spelled as this and are mapped back afterwards.
SLASH = "__"

CONFIG_YML = """\
recipe: default.v1
assistant_id: theke-bench
language: de
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
  - name: EntitySynonymMapper
policies: []
"""

# The worker's output goes to a log file that is only searched for Rasa's warnings:
# quiet TensorFlow and deprecation noise; Rasa must not phone home and must not fill a
# training cache (it would otherwise write ./.rasa/cache).
WORKER_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "LOG_LEVEL": "WARNING",
    "LOG_LEVEL_LIBRARIES": "ERROR",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "PYTHONWARNINGS": "ignore::DeprecationWarning",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "RASA_MAX_CACHE_SIZE": "0",
}

Span = tuple[int, int, str]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# --- Data conversion (standard library only) ---------------------------------------------


def to_rasa(label: str) -> str:
    """A Theke intent or slot label as a name Rasa takes literally."""
    if SLASH in label:
        raise ValueError(f"label {label!r} already contains {SLASH!r}")
    return label.replace("/", SLASH)


def from_rasa(label: str) -> str:
    """The original label of a name made by :func:`to_rasa`."""
    return label.replace(SLASH, "/")


def token_offsets(text: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character (start, end) of each token, found in ``text`` in order."""
    offsets = []
    position = 0
    for token in tokens:
        start = text.find(token, position)
        if start < 0:
            raise ValueError(f"token {token!r} not found in {text!r} after {position}")
        position = start + len(token)
        offsets.append((start, position))
    return offsets


def bio_chunks(slots: Sequence[str]) -> list[tuple[int, int, str]]:
    """Chunks of a BIO sequence as (first token, last token, label), conlleval-style.

    As in conlleval, an ``I-`` tag that follows ``O`` or another label opens a new chunk.
    """
    chunks: list[tuple[int, int, str]] = []
    current: list[Any] | None = None
    for index, tag in enumerate(slots):
        prefix, _, label = tag.partition("-")
        continues = prefix == "I" and current is not None and current[2] == label
        if continues and current is not None:
            current[1] = index
            continue
        if current is not None:
            chunks.append((current[0], current[1], current[2]))
            current = None
        if prefix in ("B", "I"):
            current = [index, index, label]
    if current is not None:
        chunks.append((current[0], current[1], current[2]))
    return chunks


def gold_spans(row: nlu_data.Row) -> set[Span]:
    """The gold slots of an xSID row as character spans with their labels."""
    offsets = token_offsets(row["text"], row["tokens"])
    return {
        (offsets[first][0], offsets[last][1], label)
        for first, last, label in bio_chunks(row["slots"])
    }


def annotated(row: nlu_data.Row) -> str:
    """The row's text with its slots as Rasa inline annotations ``[text](label)``."""
    text: str = row["text"]
    if "\n" in text or "[" in text or "]" in text:
        raise ValueError(f"text cannot be annotated inline: {text!r}")
    if "tokens" not in row:
        return text
    pieces = []
    position = 0
    for start, end, label in sorted(gold_spans(row)):
        pieces.append(text[position:start])
        pieces.append(f"[{text[start:end]}]({to_rasa(label)})")
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def nlu_yaml(rows: Sequence[nlu_data.Row]) -> str:
    """Rasa 3 YAML training data for ``rows``, one block of examples per intent."""
    by_intent: dict[str, list[str]] = {}
    for row in rows:
        by_intent.setdefault(row["intent"], []).append(annotated(row))
    lines = ['version: "3.1"', "nlu:"]
    for intent in sorted(by_intent):
        # A JSON string is a valid YAML scalar; the block literal keeps examples verbatim.
        lines.append(f"- intent: {json.dumps(to_rasa(intent))}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in by_intent[intent])
    return "\n".join(lines) + "\n"


# --- Running one training in a subprocess ------------------------------------------------


def run_job(
    train: Sequence[nlu_data.Row], test: Sequence[nlu_data.Row], parse_rounds: int
) -> dict[str, Any]:
    """Train on ``train`` in a fresh worker process and parse the texts of ``test``."""
    with tempfile.TemporaryDirectory(prefix="theke-rasa-") as tmp:
        workdir = Path(tmp)
        (workdir / "config.yml").write_text(CONFIG_YML, encoding="utf-8")
        (workdir / "nlu.yml").write_text(nlu_yaml(train), encoding="utf-8")
        job = {"texts": [row["text"] for row in test], "parse_rounds": parse_rounds}
        (workdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
        log_path = workdir / "worker.log"
        load_before = os.getloadavg()
        started = time.perf_counter()
        with log_path.open("w", encoding="utf-8") as log:
            process = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--worker", str(workdir)],
                cwd=workdir,
                env={**os.environ, **WORKER_ENV},
                stdout=log,
                stderr=subprocess.STDOUT,
                check=False,
            )
        process_seconds = time.perf_counter() - started
        load_after = os.getloadavg()
        if process.returncode != 0:
            tail = log_path.read_text(encoding="utf-8", errors="replace")[-4000:]
            raise RuntimeError(f"Rasa worker failed ({process.returncode}):\n{tail}")
        result: dict[str, Any] = json.loads((workdir / "result.json").read_text("utf-8"))
        result["process_seconds"] = process_seconds
        # Other work on the machine skews the timings: keep the load averages beside them.
        result["load_average"] = {"before": load_before, "after": load_after}
        result["warnings"] = rasa_warnings(log_path.read_text(encoding="utf-8", errors="replace"))
        return result


def rasa_warnings(log: str) -> list[str]:
    """The distinct user warnings in a worker's log (not deprecations), without colours."""
    seen: list[str] = []
    for line in ANSI.sub("", log).splitlines():
        _, found, message = line.partition("UserWarning: ")
        if found and message.strip() not in seen:
            seen.append(message.strip()[:300])
    return seen


# --- The worker: runs inside Rasa's virtualenv -------------------------------------------


def worker(workdir: Path) -> None:
    """Train, load and parse as described in ``workdir/job.json``; write ``result.json``."""
    import asyncio

    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    job = json.loads((workdir / "job.json").read_text("utf-8"))
    started = time.perf_counter()
    model_path = train_nlu(
        config=str(workdir / "config.yml"),
        nlu_data=str(workdir / "nlu.yml"),
        output=str(workdir / "models"),
        fixed_model_name="nlu",
    )
    train_seconds = time.perf_counter() - started
    if model_path is None:
        raise RuntimeError("rasa train_nlu returned no model")
    peak_kib = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )

    started = time.perf_counter()
    agent = Agent.load(model_path)
    load_seconds = time.perf_counter() - started

    parsed, latencies = asyncio.run(parse_all(agent, job["texts"], job["parse_rounds"]))
    result = {
        "train_seconds": train_seconds,
        "train_peak_rss_mb": peak_kib / 1024,
        "load_seconds": load_seconds,
        "parse_ms": latencies,
        "predictions": [prediction(message) for message in parsed],
    }
    (workdir / "result.json").write_text(json.dumps(result), encoding="utf-8")


async def parse_all(
    agent: Any, texts: Sequence[str], rounds: int
) -> tuple[list[dict[str, Any]], list[float]]:
    """Parse every text ``rounds`` times after a warm-up; the first round's results."""
    for text in texts[:10]:
        await agent.parse_message(text)
    first: list[dict[str, Any]] = []
    latencies: list[float] = []
    for round_number in range(rounds):
        for text in texts:
            started = time.perf_counter()
            message = await agent.parse_message(text)
            latencies.append((time.perf_counter() - started) * 1000)
            if round_number == 0:
                first.append(message)
    return first, latencies


def prediction(message: dict[str, Any]) -> dict[str, Any]:
    """The intent and entity spans of one parsed message, with original labels."""
    intent = (message.get("intent") or {}).get("name")
    return {
        "intent": from_rasa(intent) if intent else None,
        "entities": [
            [entity["start"], entity["end"], from_rasa(entity["entity"])]
            for entity in message.get("entities", [])
        ],
    }


# --- Scoring and the report --------------------------------------------------------------


def score(test: Sequence[nlu_data.Row], predictions: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Counts for intent accuracy and conlleval-style span F1 over one test set."""
    counts = {"n": len(test), "intent_correct": 0, "gold": 0, "predicted": 0, "matched": 0}
    for row, predicted in zip(test, predictions, strict=True):
        counts["intent_correct"] += predicted["intent"] == row["intent"]
        if "tokens" not in row:
            continue
        gold = gold_spans(row)
        spans = {(start, end, label) for start, end, label in predicted["entities"]}
        counts["gold"] += len(gold)
        counts["predicted"] += len(spans)
        counts["matched"] += len(gold & spans)
    return counts


def f1(matched: int, predicted: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from match counts (0.0 where undefined)."""
    precision = matched / predicted if predicted else 0.0
    recall = matched / gold if gold else 0.0
    both = precision + recall
    return precision, recall, (2 * precision * recall / both if both else 0.0)


def cross_validation(
    rows: Sequence[nlu_data.Row], k: int, n_folds: int, rounds: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The first ``n_folds`` of the k folds: the scores, and each fold's raw worker result."""
    totals = {"n": 0, "intent_correct": 0, "gold": 0, "predicted": 0, "matched": 0}
    per_fold: list[float] = []
    results: list[dict[str, Any]] = []
    for fold, (train, test) in enumerate(nlu_data.folds(rows, k)):
        if fold >= n_folds:
            break
        result = run_job(train, test, rounds)
        counts = score(test, result["predictions"])
        for key, value in counts.items():
            totals[key] += value
        per_fold.append(counts["intent_correct"] / counts["n"])
        print(f"  fold {fold}: intent {per_fold[-1]:.3f}, train {result['train_seconds']:.0f} s")
        results.append(result)
    precision, recall, entity_f1 = f1(totals["matched"], totals["predicted"], totals["gold"])
    scores = {
        "intent_accuracy": totals["intent_correct"] / totals["n"],
        "intent_accuracy_mean": statistics.fmean(per_fold),
        "intent_accuracy_per_fold": per_fold,
        "entity_f1": entity_f1,
        "entity_precision": precision,
        "entity_recall": recall,
        "n_test": totals["n"],
        "n_gold_entities": totals["gold"],
        "n_predicted_entities": totals["predicted"],
        "folds_run": len(per_fold),
        "train_seconds_per_fold": [result["train_seconds"] for result in results],
    }
    return scores, results


def cross_lingual(
    source: Sequence[nlu_data.Row], target: Sequence[nlu_data.Row]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Train on all of ``source``, intent accuracy on all of ``target``; and the raw result."""
    result = run_job(source, target, parse_rounds=1)
    counts = score(target, result["predictions"])
    scores = {"intent_accuracy": counts["intent_correct"] / counts["n"], "n_test": counts["n"]}
    return scores, result


def report(args: argparse.Namespace) -> dict[str, Any]:
    """Run every measurement and put the figures together."""
    german = nlu_data.load("xsid-de")
    english = nlu_data.load("xsid-en")
    print(f"{SYSTEM}: xsid-de {K}-fold cross-validation ({args.folds} folds run)")
    cv, runs = cross_validation(german, K, args.folds, args.parse_rounds)
    print("cross-lingual: train xsid-en, test xsid-de")
    xl, xl_run = cross_lingual(english, german)
    first = runs[0]  # the timings are those of the fold-0 run
    warnings = dict.fromkeys(w for run in [*runs, xl_run] for w in run["warnings"])
    latencies = sorted(first["parse_ms"])
    return {
        "benchmark": "nlu_rasa",
        "system": SYSTEM,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
        f"xsid_de_cv{K}": cv,
        "xsid_en_to_de": xl,
        "load_average_fold0": first["load_average"],
        "train_seconds": first["train_seconds"],
        "train_process_seconds": first["process_seconds"],
        "train_peak_rss_mb": first["train_peak_rss_mb"],
        "load_seconds": first["load_seconds"],
        "parse_ms": {
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "mean": statistics.fmean(latencies),
            "n": len(latencies),
        },
        "rasa_warnings": list(warnings),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def summary(results: dict[str, Any]) -> str:
    """A few lines for the terminal."""
    cv = results[f"xsid_de_cv{K}"]
    parse = results["parse_ms"]
    return "\n".join(
        [
            f"{results['system']} on {results['machine']['cores']} cores",
            f"  xsid-de cv{K}: intent {cv['intent_accuracy']:.1%} "
            f"(folds {', '.join(f'{a:.1%}' for a in cv['intent_accuracy_per_fold'])}), "
            f"slot F1 {cv['entity_f1']:.1%} (P {cv['entity_precision']:.1%}, "
            f"R {cv['entity_recall']:.1%})",
            f"  xsid-en -> de: intent {results['xsid_en_to_de']['intent_accuracy']:.1%}",
            f"  fold 0: train {results['train_seconds']:.1f} s, "
            f"peak RSS {results['train_peak_rss_mb']:.0f} MB, "
            f"load {results['load_seconds']:.2f} s, "
            f"parse p50 {parse['p50']:.1f} ms / p99 {parse['p99']:.1f} ms",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=K, help="how many of the k folds to run")
    parser.add_argument("--parse-rounds", type=int, default=5, help="timed passes over fold 0")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker)
        return 0
    if not 1 <= args.folds <= K:
        parser.error(f"--folds must be between 1 and {K}")
    results = report(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(summary(results))
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
