"""One step of the webhook benchmark: a fixed rate, warm-up, measured window, drain.

The generators post on a schedule fixed before the step; the Send API sink's records are
taken every second (small handfuls, so the sink never pauses long to hand them over); after
the last webhook was due the step waits up to ``drain`` seconds for the answers still
missing. CPU is measured over the window for the server, the generators, the sink and the
whole machine, in % of one core.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from _generators import generators, receive
from _graph_sink import GraphSink
from _machine import machine_cpu_seconds, tree_cpu_seconds
from _server import ServerProcess
from _summary import Window
from _webhook_load import LoadOutcome, LoadPlan, run_generator
from _webhook_summary import Posted, SendCall, first_replies, summarize_step

__all__ = ["Step", "run_step"]

_POLL_S = 1.0
_DRAIN_POLL_S = 0.25
_POST_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Step:
    """One rate of the ramp; ``first_customer`` continues the round-robin of the steps before."""

    index: int
    rate: float
    warmup: float
    duration: float
    drain: float
    processes: int
    connections: int
    first_customer: int

    @property
    def window(self) -> Window:
        return Window(self.warmup, self.warmup + self.duration)


async def run_step(
    step: Step,
    server: ServerProcess,
    sink: GraphSink,
    page_id: str,
    app_secret: str,
    psids: tuple[str, ...],
    texts: tuple[str, ...],
    rng: random.Random,
) -> dict[str, Any]:
    """Run ``step`` against the server; its figures (``summarize_step``) and CPU use."""
    plans = _plans(step, server.base_url, page_id, app_secret, psids, texts, rng)
    await sink.take()  # what is left of the step before is not this step's
    calls: list[SendCall] = []
    async with generators(run_generator, plans) as (pipes, start):
        collector = asyncio.create_task(_collect(sink, start, calls))
        cpu = asyncio.create_task(_window_cpu(step.window, start, server.pid, sink.pid))
        outcomes: list[LoadOutcome] = [await receive(pipe) for pipe in pipes]
        use = await cpu
        collector.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await collector
    posted = sorted((w for outcome in outcomes for w in outcome.posted), key=lambda w: w.due)
    last_due = posted[-1].due if posted else 0.0
    await _drain(sink, start, posted, calls, start + last_due + step.drain)
    summary = summarize_step(step.rate, step.window, posted, calls)
    generator_cpu = sum(outcome.cpu_s for outcome in outcomes) / step.duration * 100
    use["generator_percent"] = round(generator_cpu, 1)
    known = sum(use[key] or 0.0 for key in ("server_percent", "sink_percent", "generator_percent"))
    use["other_percent"] = round(max(0.0, use["machine_percent"] - known), 1)
    counters: dict[str, int] = {}
    for outcome in outcomes:
        for key, count in outcome.counters.items():
            counters[key] = counters.get(key, 0) + count
    return {
        **summary,
        "customer_gap_s": round(len(psids) / step.rate, 2),
        "cpu": use,
        "generator": {"processes": len(plans), "counters": dict(sorted(counters.items()))},
    }


def _plans(
    step: Step,
    base_url: str,
    page_id: str,
    app_secret: str,
    psids: tuple[str, ...],
    texts: tuple[str, ...],
    rng: random.Random,
) -> list[LoadPlan]:
    url = urlsplit(base_url)
    count = round(step.rate * (step.warmup + step.duration))
    sends = [
        (i / step.rate, (step.first_customer + i) % len(psids), rng.randrange(len(texts)))
        for i in range(count)
    ]
    return [
        LoadPlan(
            host=url.hostname or "127.0.0.1",
            port=url.port or 80,
            page_id=page_id,
            app_secret=app_secret,
            mid_prefix=f"m_bench{step.index}p{p}n",
            psids=psids,
            texts=texts,
            sends=tuple(sends[p :: step.processes]),
            window=(step.window.start, step.window.end),
            connections=step.connections,
            timeout_s=_POST_TIMEOUT_S,
        )
        for p in range(step.processes)
    ]


async def _take(sink: GraphSink, start: float) -> list[SendCall]:
    """The sink's new records, their times made seconds from the step's start."""
    return [SendCall(c.psid, c.kind, c.at - start) for c in await sink.take()]


async def _collect(sink: GraphSink, start: float, calls: list[SendCall]) -> None:
    while True:
        await asyncio.sleep(_POLL_S)
        calls.extend(await _take(sink, start))


async def _drain(
    sink: GraphSink,
    start: float,
    posted: Sequence[Posted],
    calls: list[SendCall],
    deadline: float,
) -> None:
    """Take records until every webhook has its answer or the deadline passed."""
    while True:
        calls.extend(await _take(sink, start))
        if math.inf not in first_replies(posted, calls) or time.monotonic() >= deadline:
            return
        await asyncio.sleep(_DRAIN_POLL_S)


async def _window_cpu(window: Window, start: float, server: int, sink: int) -> dict[str, Any]:
    await asyncio.sleep(max(0.0, start + window.start - time.monotonic()))
    before = (tree_cpu_seconds(server), tree_cpu_seconds(sink), machine_cpu_seconds())
    await asyncio.sleep(max(0.0, start + window.end - time.monotonic()))
    after = (tree_cpu_seconds(server), tree_cpu_seconds(sink), machine_cpu_seconds())
    server_s, sink_s, machine_s = (b - a for a, b in zip(before, after, strict=True))
    return {
        "server_percent": round(server_s / window.seconds * 100, 1),
        "sink_percent": round(sink_s / window.seconds * 100, 1),
        "machine_percent": round(machine_s / window.seconds * 100, 1),
    }
