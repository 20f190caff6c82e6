"""NLU benchmark: accuracy, training time, parse latency and memory on ../shared/data/nlu.

python bench/nlu.py                 # everything (about 10 minutes on 2 cores)
python bench/nlu.py --quick         # xSID only, and the speed figures
python bench/nlu.py --only speed    # one step; the others keep their last figures

Systems: Theke's NLU as shipped (n-grams + the USE encoder, calibrated
logistic regression, rules + catalog + CRF entities) and a plain baseline
(scikit-learn TF-IDF over character 2–5-grams within words, sublinear term
frequency, + LogisticRegression with C=10: the strongest plain TF-IDF set-up
on the xSID folds). Rasa 3.6 is measured separately in its own virtualenv
(bench/nlu_rasa.py) on the same folds (bench/nlu_data.py).

Protocols (the issue's targets):
- xSID German / English: stratified 5-fold cross-validation over the 300;
  cross-lingual: train on all 300 of one language, test on all 300 of the other.
- CLINC150: train on `train`, in-scope accuracy on `test` with out-of-scope
  detection off; out-of-scope recall on `oos_test` at the confidence threshold
  that costs at most 1 point of in-scope accuracy.
- BANKING77: train on `train`, accuracy on `test`.
- Speed: training a bot of 50 intents × 30 examples (CLINC150's first 50
  intents), model load from its file, parse p50/p99 pinned to one core
  (`taskset -c 0`) after a warm-up over the xSID German texts, and that
  process's peak resident memory.
Writes bench/results/nlu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nlu_data
from _machine import REPO, now_iso

from theke.nlu.data import Example, TrainingData
from theke.nlu.evaluation import OUT_OF_SCOPE, Evaluation, evaluate
from theke.nlu.readers import bio_to_spans

RESULT = REPO / "bench" / "results" / "nlu.json"


def examples(rows: Sequence[nlu_data.Row]) -> tuple[Example, ...]:
    """Rows of the benchmark data as training examples (with their BIO slots as spans)."""
    result = []
    for row in rows:
        spans = bio_to_spans(row["text"], row["tokens"], row["slots"]) if "slots" in row else ()
        result.append(Example(row["text"], row["intent"], spans))
    return tuple(result)


def theke(train: Sequence[nlu_data.Row], test: Sequence[nlu_data.Row], language: str) -> Evaluation:
    return evaluate([TrainingData(language, examples(train))], examples(test), language=language)


def baseline(train: Sequence[nlu_data.Row], test: Sequence[nlu_data.Row]) -> dict[str, float]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
    model = LogisticRegression(C=10, max_iter=1000)
    model.fit(vectorizer.fit_transform([r["text"] for r in train]), [r["intent"] for r in train])
    seconds = time.perf_counter() - started
    predicted = model.predict(vectorizer.transform([r["text"] for r in test]))
    right = sum(p == r["intent"] for p, r in zip(predicted, test, strict=True))
    return {"intent_accuracy": right / len(test), "train_seconds": seconds}


def cross_validated(name: str, language: str) -> dict[str, Any]:
    rows = nlu_data.load(name)
    predictions = []
    seconds = 0.0
    base_right = 0
    for train, test in nlu_data.folds(rows, 5):
        run = theke(train, test, language)
        predictions += run.predictions
        seconds += run.train_seconds
        base_right += round(baseline(train, test)["intent_accuracy"] * len(test))
    pooled = Evaluation(predictions, seconds / 5, run.entity_labels).figures
    return {
        "theke": _short(pooled),
        "baseline": {"intent_accuracy": base_right / len(rows)},
    }


def learning_curve(name: str, language: str) -> dict[str, Any]:
    """Accuracy by training-set size: k-fold for k = 3, 5, 10, 20 (trained on 2/3 … 19/20)."""
    rows = nlu_data.load(name)
    curve = {}
    for k in (3, 5, 10, 20):
        right = 0
        for train, test in nlu_data.folds(rows, k):
            run = theke(train, test, language)
            right += sum(p.gold == p.predicted for p in run.predictions)
        curve[f"train_{len(rows) - len(rows) // k}"] = right / len(rows)
    return curve


def cross_lingual(source: str, target: str, language: str) -> dict[str, Any]:
    train, test = nlu_data.load(source), nlu_data.load(target)
    return {
        "theke": _short(theke(train, test, language).figures),
        "baseline": baseline(train, test),
    }


def train_test(
    name: str, train_splits: tuple[str, ...], test_splits: tuple[str, ...]
) -> dict[str, Any]:
    rows = nlu_data.load(name)
    train, test = nlu_data.split(rows, *train_splits), nlu_data.split(rows, *test_splits)
    scoped = [r for r in test if r["intent"] != OUT_OF_SCOPE]
    return {"theke": _short(theke(train, test, "en").figures), "baseline": baseline(train, scoped)}


def _short(figures: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "intent_accuracy",
        "macro_f1",
        "entity_f1",
        "train_seconds",
        "n_test",
        "oos_recall",
        "oos_threshold",
        "in_scope_accuracy_at_threshold",
    )
    result = {key: figures[key] for key in keys if key in figures}
    if "entities" in figures:
        result["entity_precision"] = figures["entities"]["precision"]
        result["entity_recall"] = figures["entities"]["recall"]
    return result


def speed() -> dict[str, Any]:
    """Train 50 × 30, save, then load and parse in a process pinned to one core."""
    from theke.nlu.artifact import save_model
    from theke.nlu.training import train_nlu

    rows = nlu_data.split(nlu_data.load("clinc150"), "train")
    intents = sorted({r["intent"] for r in rows})[:50]
    chosen = [r for intent in intents for r in [x for x in rows if x["intent"] == intent][:30]]
    started = time.perf_counter()
    model = train_nlu([TrainingData("en", examples(chosen))])
    train_seconds = time.perf_counter() - started
    folder = Path(tempfile.mkdtemp(prefix="theke-nlu-bench-"))
    try:
        save_model(model, folder)
        texts = [r["text"] for r in nlu_data.load("xsid-de")]
        command = [sys.executable, __file__, "--parse-worker", str(folder)]
        if shutil.which("taskset"):
            command = ["taskset", "-c", "0", *command]
        worker = subprocess.run(
            command, input=json.dumps(texts), capture_output=True, text=True, check=True
        )
        measured = json.loads(worker.stdout)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {
        "train_50x30_seconds": train_seconds,
        "pinned_to_one_core": bool(shutil.which("taskset")),
        **measured,
    }


def parse_worker(folder: str) -> None:
    """In the pinned process: load the model, warm up, time every parse, report peak memory."""
    texts = json.loads(sys.stdin.read())
    started = time.perf_counter()
    from theke.nlu.artifact import load_model

    model = load_model(Path(folder))
    model.parse(texts[0])  # the encoder and the tagger's tables load on first use
    load_seconds = time.perf_counter() - started
    for text in texts[:100]:
        model.parse(text)
    timings = []
    for _ in range(3):
        for text in texts:
            started = time.perf_counter()
            model.parse(text)
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    print(
        json.dumps(
            {
                "load_seconds": load_seconds,
                "parse_ms": {
                    "p50": timings[len(timings) // 2],
                    "p99": timings[int(len(timings) * 0.99)],
                    "n": len(timings),
                },
                "peak_rss_mb": _peak_rss_mb(),
            }
        )
    )


def _peak_rss_mb() -> float:
    """VmHWM of this process (ru_maxrss would carry over the parent's peak across fork and exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="xSID and speed only")
    parser.add_argument("--only", help="run one step (xsid_de_cv5, speed, clinc150, ...)")
    parser.add_argument("--parse-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse_worker:
        parse_worker(args.parse_worker)
        return 0
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    previous = json.loads(RESULT.read_text()) if RESULT.is_file() else {}
    result: dict[str, Any] = {**previous, "benchmark": "nlu", "measured_at": now_iso()}
    result["cores"] = os.cpu_count()
    steps = [
        ("xsid_de_cv5", lambda: cross_validated("xsid-de", "de")),
        ("xsid_en_cv5", lambda: cross_validated("xsid-en", "en")),
        ("xsid_de_learning_curve", lambda: learning_curve("xsid-de", "de")),
        ("xsid_en_to_de", lambda: cross_lingual("xsid-en", "xsid-de", "de")),
        ("xsid_de_to_en", lambda: cross_lingual("xsid-de", "xsid-en", "en")),
        ("speed", speed),
    ]
    if not args.quick or args.only:
        steps += [
            ("clinc150", lambda: train_test("clinc150", ("train",), ("test", "oos_test"))),
            ("banking77", lambda: train_test("banking77", ("train",), ("test",))),
        ]
    for name, step in steps:
        if args.only and name != args.only:
            continue
        started = time.perf_counter()
        result[name] = step()
        print(
            f"nlu: {name} ({time.perf_counter() - started:.0f} s): {json.dumps(result[name])}",
            flush=True,
        )
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
