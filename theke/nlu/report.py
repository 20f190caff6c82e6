"""The HTML report of an evaluation: figures, per intent, confusions, a confusion-matrix picture.

One self-contained file (inline SVG and CSS, no scripts, no CDN), so it opens
anywhere and can be attached to a ticket.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from theke.nlu.evaluation import Evaluation

__all__ = ["render_report"]

_CELL = 18
_LABEL = 180


def render_report(run: Evaluation, title: str) -> str:
    """The report as HTML text."""
    f = run.figures
    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{s['precision']:.3f}</td><td>{s['recall']:.3f}</td>"
        f"<td>{s['f1']:.3f}</td><td>{s['support']}</td></tr>"
        for name, s in sorted(f["per_intent"].items(), key=lambda item: item[1]["f1"])
    )
    confusions = (
        "".join(
            f"<li>{escape(c['gold'])} → {escape(c['predicted'])}: {c['count']}</li>"
            for c in f["confusions"]
        )
        or "<li>none</li>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font:14px system-ui,sans-serif;margin:2em;color:#222}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:2px 8px}}
td,th{{text-align:right}} td:first-child{{text-align:left}}</style>
</head><body><h1>{escape(title)}</h1>
<table>{_summary(f)}</table>
<h2>Confusion matrix</h2>{_matrix(run)}
<h2>Worst confusions</h2><ul>{confusions}</ul>
<h2>Per intent (worst first)</h2>
<table><tr><th>intent</th><th>precision</th><th>recall</th><th>F1</th><th>support</th></tr>{rows}</table>
</body></html>
"""


def _summary(f: dict[str, Any]) -> str:
    keys = (
        "intent_accuracy",
        "macro_f1",
        "entity_f1",
        "oos_recall",
        "oos_threshold",
        "train_seconds",
        "n_test",
    )
    return "".join(f"<tr><td>{key}</td><td>{_number(f[key])}</td></tr>" for key in keys if key in f)


def _number(value: object) -> str:
    if value is None:
        return "–"
    return f"{value:.4f}" if isinstance(value, float) else escape(str(value))


def _matrix(run: Evaluation) -> str:
    """An SVG heat map: rows are the true intents, columns the predicted ones, darker is more."""
    pairs = Counter((p.gold, p.predicted) for p in run.predictions)
    names = sorted({g for g, _ in pairs} | {p for _, p in pairs})
    if len(names) > 80:
        return f"<p>{len(names)} intents: too many to draw; see the tables.</p>"
    totals = Counter(p.gold for p in run.predictions)
    size = _LABEL + _CELL * len(names)
    cells = []
    for i, gold in enumerate(names):
        y = _LABEL + i * _CELL
        cells.append(
            f'<text x="{_LABEL - 4}" y="{y + 13}" text-anchor="end">{escape(gold[:28])}</text>'
        )
        for j, predicted in enumerate(names):
            count = pairs.get((gold, predicted), 0)
            if not count:
                continue
            share = count / max(totals[gold], 1)
            colour = "33,102,172" if gold == predicted else "203,24,29"
            cells.append(
                f'<rect x="{_LABEL + j * _CELL}" y="{y}" width="{_CELL}" height="{_CELL}" '
                f'fill="rgba({colour},{0.15 + 0.85 * share:.2f})"><title>{escape(gold)} → '
                f"{escape(predicted)}: {count}</title></rect>"
            )
    for j, predicted in enumerate(names):
        x = _LABEL + j * _CELL + 13
        label = escape(predicted[:28])
        cells.append(f'<text transform="translate({x},{_LABEL - 4}) rotate(-60)">{label}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size + _LABEL}" height="{size}" '
        f'font-size="11" font-family="sans-serif">{"".join(cells)}</svg>'
    )
