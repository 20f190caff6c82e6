"""The figures of one webhook step, from what the generators and the Send API sink recorded.

No I/O: the inputs are plain records, all times in seconds from the step's start.

A webhook is *acknowledged* when its 200 arrived (Theke answers only after the commit); its
acknowledgement time runs from the moment it was due, so a generator that fell behind
cannot hide the wait. It is *answered* by the first Send API ``message`` call (not a sender
action: ``mark_seen`` and ``typing_on`` go out for every webhook) to its PSID at or after its
due time. Customers are taken round-robin from a pool large enough that a customer's next
webhook is due seconds after the previous one (``customer_gap_s``), far longer than an
answer takes in a step that keeps up; only in a step that falls behind that far could a late
answer to a customer's previous webhook be taken for the answer to the next one.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from _stats import percentile
from _summary import Window

__all__ = [
    "KEEP_UP_P99_S",
    "Posted",
    "SendCall",
    "first_replies",
    "summarize_step",
    "sustained_replies_per_s",
]

KEEP_UP_P99_S = 1.0
"""A step keeps up when every webhook was acknowledged and answered and the p99 from
webhook to answer stayed within this (the pipeline benchmark's bar, too)."""
OK = 200
_PERCENTILES = {"p50": 50.0, "p99": 99.0, "max": 100.0}


@dataclass(frozen=True, slots=True)
class Posted:
    """One signed webhook the generator posted."""

    psid: str
    due: float
    acked: float
    """When the HTTP answer arrived; ``math.inf`` when none did."""
    status: int
    """The HTTP status; 0 when no answer came (connection error or timeout)."""
    lag: float
    """How late the generator started the POST: its own queue."""


@dataclass(frozen=True, slots=True)
class SendCall:
    """One Send API call: the PSID it addressed, ``message`` or ``sender_action``, and when."""

    psid: str
    kind: str
    at: float


def first_replies(posted: Sequence[Posted], calls: Sequence[SendCall]) -> list[float]:
    """For each webhook, when the first ``message`` to its PSID at or after its due time
    arrived at the Send API; ``math.inf`` when none did."""
    arrivals: dict[str, list[float]] = {}
    for call in calls:
        if call.kind == "message":
            arrivals.setdefault(call.psid, []).append(call.at)
    for times in arrivals.values():
        times.sort()
    replies = []
    for webhook in posted:
        times = arrivals.get(webhook.psid, [])
        index = bisect.bisect_left(times, webhook.due)
        replies.append(times[index] if index < len(times) else math.inf)
    return replies


def summarize_step(
    rate: float, window: Window, posted: Sequence[Posted], calls: Sequence[SendCall]
) -> dict[str, Any]:
    """Throughput and latency of one step; the webhooks due in ``window`` are measured,
    the warm-up's only count towards the unanswered and the errors."""
    replies = first_replies(posted, calls)
    measured = [i for i, webhook in enumerate(posted) if webhook.due in window]
    ack = sorted(_ack_time(posted[i]) for i in measured)
    e2e = sorted(replies[i] - posted[i].due for i in measured)
    acknowledged = sum(1 for w in posted if w.status == OK and w.acked in window)
    answered = sum(1 for reply in replies if reply in window)
    messages = sum(1 for c in calls if c.kind == "message" and c.at in window)
    actions = sum(1 for c in calls if c.kind == "sender_action" and c.at in window)
    errors = _errors(posted)
    unanswered = sum(1 for reply in replies if reply == math.inf)
    answered_all = bool(posted) and unanswered == 0 and not errors
    e2e_ms = _percentiles_ms(e2e)
    p99 = e2e_ms["p99"]
    return {
        "rate_offered": rate,
        "webhooks": len(posted),
        "webhooks_measured": len(measured),
        "acknowledged_per_s": round(acknowledged / window.seconds, 3),
        "ack_ms": _percentiles_ms(ack),
        "answered_per_s": round(answered / window.seconds, 3),
        "e2e_ms": e2e_ms,
        "replies_per_s": round(messages / window.seconds, 3),
        "sender_actions_per_s": round(actions / window.seconds, 3),
        "unanswered": unanswered,
        "errors": errors,
        "every_message_answered": answered_all,
        "keeps_up": answered_all and p99 is not None and p99 <= KEEP_UP_P99_S * 1000,
        "send_lag_p99_ms": _ms(percentile(sorted(posted[i].lag for i in measured), 99.0))
        if measured
        else None,
    }


def sustained_replies_per_s(steps: Sequence[dict[str, Any]]) -> float | None:
    """The most replies per second of a step that kept up; None when none did."""
    kept = [float(step["replies_per_s"]) for step in steps if step["keeps_up"]]
    return max(kept, default=None)


def _ack_time(webhook: Posted) -> float:
    return webhook.acked - webhook.due if webhook.status == OK else math.inf


def _errors(posted: Sequence[Posted]) -> dict[str, int]:
    counts = Counter(
        "no answer" if w.status == 0 else f"HTTP {w.status}" for w in posted if w.status != OK
    )
    return dict(sorted(counts.items()))


def _percentiles_ms(values: Sequence[float]) -> dict[str, float | None]:
    if not values:
        return dict.fromkeys(_PERCENTILES)
    return {name: _ms(percentile(values, q)) for name, q in _PERCENTILES.items()}


def _ms(seconds: float) -> float | None:
    return None if seconds == math.inf else round(seconds * 1000, 2)
