"""The BENCHMARKS.md section of ``bench/webhooks.py``: one row per step, then the targets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["WEBHOOK_TARGETS", "WebhookTarget", "webhooks_section"]

_TARGET_CORES = 2
_FULL_DURATION_S = 30.0
_BUSY_OTHERS_PERCENT = 20.0

_INTRO = """\
## Messenger webhooks: acknowledgement and answer

`bench/webhooks.py`: the real server with the demo bot (NLU included) and the Messenger
channel configured; its Send API base points at a recording Send API on loopback
(`bench/_graph_sink.py`, its own process). A generator process posts signed webhooks
(`X-Hub-Signature-256`), one message each, open loop on a fixed schedule, at rising
rates: each step a warm-up, then the measured window, then up to the drain time for
late answers. Customers (PSIDs) are taken round-robin from a pool, so a customer's
next message is due many seconds after its previous one ("gap"); the texts are the
greetings and FAQ questions of the pipeline benchmark. *Acknowledgement* runs from
the moment a webhook was due to its 200, which Theke sends only after the commit.
*End to end* runs from the moment it was due to the first Send API `message` call
(not `mark_seen` or `typing_on`) for that customer. *Replies/s* counts Send API
`message` calls in the window (an answer is one or two messages, a new customer's
first one also the bot's introduction); *answered/s* counts webhooks whose first
reply came in the window. A step *keeps up* when every webhook got its 200 and its
answer and the end-to-end p99 stayed within 1 s; the ramp stops after a step that
left messages unanswered. CPU is % of one core over the window.
"""

_COLUMNS = (
    "offered/s",
    "acknowledged/s",
    "ack p50 / p99 / max ms",
    "answered/s",
    "end to end p50 / p99 / max ms",
    "replies/s",
    "unanswered",
    "errors",
    "keeps up",
    "server CPU",
    "generator + sink CPU",
    "other CPU",
)


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A goal from the issue, and how a webhook result is judged against it."""

    goal: str
    judge: Callable[[dict[str, Any]], tuple[bool, str]]
    step: Callable[[dict[str, Any]], dict[str, Any] | None]
    """The step the verdict rests on (for its caveats): the one at the goal's rate, else
    the one that stopped the ramp; for the sustained rate the step that gave it."""


def _step(result: dict[str, Any], rate: float) -> dict[str, Any] | None:
    return next((s for s in result["steps"] if s["rate_offered"] == rate), None)


def _not_run(result: dict[str, Any], rate: float) -> str:
    last = result["steps"][-1]["rate_offered"] if result["steps"] else None
    where = f"the ramp stopped at {last:g}/s" if last is not None else "no step ran"
    return f"{rate:g}/s not run: {where}"


def _ack_at_500(result: dict[str, Any]) -> tuple[bool, str]:
    step = _step(result, 500)
    if step is None:
        return False, _not_run(result, 500)
    p99 = step["ack_ms"]["p99"]
    answered = step["every_message_answered"]
    shown = "never acknowledged" if p99 is None else f"p99 {p99:,.1f} ms"
    detail = shown + ("" if answered else f", {step['unanswered']:,} unanswered")
    return p99 is not None and p99 <= 20 and answered, detail


def _sustained(result: dict[str, Any]) -> tuple[bool, str]:
    sustained = result["sustained_replies_per_s"]
    if sustained is None:
        return False, "no step kept up"
    return sustained >= 600, f"{sustained:,.0f} replies/s"


def _e2e_at_300(result: dict[str, Any]) -> tuple[bool, str]:
    step = _step(result, 300)
    if step is None:
        return False, _not_run(result, 300)
    p99 = step["e2e_ms"]["p99"]
    if p99 is None:
        return False, "p99 unanswered"
    return p99 <= 50, f"p99 {p99:,.1f} ms"


def _at(rate: float) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    def step(result: dict[str, Any]) -> dict[str, Any] | None:
        found = _step(result, rate)
        return found if found is not None or not result["steps"] else result["steps"][-1]

    return step


def _sustaining_step(result: dict[str, Any]) -> dict[str, Any] | None:
    kept = [step for step in result["steps"] if step["keeps_up"]]
    return max(kept, key=lambda step: float(step["replies_per_s"]), default=None)


WEBHOOK_TARGETS = (
    WebhookTarget(
        "p99 acknowledgement ≤ 20 ms at 500 webhooks/s, every message answered",
        _ack_at_500,
        _at(500),
    ),
    WebhookTarget(
        "≥ 600 replies/s sustained (5 × Rasa 3.6's ~120/s)", _sustained, _sustaining_step
    ),
    WebhookTarget("end-to-end p99 ≤ 50 ms at 300 webhooks/s", _e2e_at_300, _at(300)),
)


def webhooks_section(results: Sequence[dict[str, Any]]) -> str:
    """The section for the newest webhook result of each database ('' when there is none)."""
    latest: dict[str, dict[str, Any]] = {}
    for result in results:
        if result["benchmark"] == "webhooks":
            latest[result["db"]] = result
    if not latest:
        return ""
    parts = [_INTRO]
    for db in sorted(latest, key=lambda name: (name != "sqlite", name)):
        parts.append(_result_section(latest[db]))
    return "\n".join(parts)


def _result_section(result: dict[str, Any]) -> str:
    lines = [f"{result['db']}: {_measured(result)}", ""]
    lines += [_row(_COLUMNS), _row(tuple("---" for _ in _COLUMNS))]
    lines += [_row(_cells(step)) for step in result["steps"]]
    if result.get("stopped"):
        lines += ["", f"Stopped: {result['stopped']}."]
    lines += ["", _row(("target", "verdict")), _row(("---", "---"))]
    for target in WEBHOOK_TARGETS:
        met, detail = target.judge(result)
        caveats = _caveats(result, target.step(result))
        lines.append(_row((target.goal, f"{'met' if met else 'not met'} ({detail}{caveats})")))
    if result.get("analysis"):
        lines += ["", str(result["analysis"])]
    return "\n".join(lines) + "\n"


def _measured(result: dict[str, Any]) -> str:
    limit = result["send_api_rate_limit"]
    versions = result.get("environment") or {}
    shown = ", ".join(f"{name} {version or 'not installed'}" for name, version in versions.items())
    return (
        f"{result['warmup_s']:g} + {result['duration_s']:g} s per step, drain ≤ "
        f"{result['drain_s']:g} s, {result['customers']:,} customers, "
        f"`THEKE_MESSENGER_RATE={limit:g}` (Meta allows 300 Send API calls/s per Page; raised "
        f"so the limiter is not what is measured), {result['machine']['cores']} cores, "
        f"{result['timestamp'][:10]}, `{result['git_commit']}`"
        + (f"; {shown}" if shown else "")
        + "."
    )


def _cells(step: dict[str, Any]) -> tuple[str, ...]:
    cpu = step["cpu"]
    errors = ", ".join(f"{name}: {count:,}" for name, count in step["errors"].items())
    return (
        f"{step['rate_offered']:,.0f}",
        f"{step['acknowledged_per_s']:,.1f}",
        _triple(step["ack_ms"]),
        f"{step.get('answered_per_s', 0.0):,.1f}",
        _triple(step["e2e_ms"]),
        f"{step['replies_per_s']:,.1f}",
        f"{step['unanswered']:,}",
        errors or "0",
        "yes" if step["keeps_up"] else "no",
        _percent(cpu.get("server_percent")),
        _percent((cpu.get("generator_percent") or 0.0) + (cpu.get("sink_percent") or 0.0)),
        _percent(cpu.get("other_percent")),
    )


def _triple(latency: dict[str, float | None]) -> str:
    return " / ".join("—" if latency[key] is None else f"{latency[key]:,.1f}" for key in latency)


def _caveats(result: dict[str, Any], step: dict[str, Any] | None) -> str:
    notes = []
    if result["machine"]["cores"] != _TARGET_CORES:
        notes.append(f"target is for {_TARGET_CORES} cores")
    others = step["cpu"].get("other_percent") if step is not None else None
    if others is not None and others > _BUSY_OTHERS_PERCENT:
        notes.append(f"other processes used {others:.0f} % CPU")
    if result["duration_s"] < _FULL_DURATION_S:
        notes.append("short run")
    return "".join(f"; {note}" for note in notes)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} %"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"
