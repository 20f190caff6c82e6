"""Open-loop load on the webchat pipeline of a running Theke server.

    python bench/pipeline.py --rate 500 --duration 60 --warmup 10 --customers 1000 --db sqlite

Without ``--url`` the real server is started for the run (``theke run examples/sneakershop``)
on an empty SQLite file or a fresh PostgreSQL database, and stopped afterwards. Customers talk
over the webchat WebSocket, one connection each; generator processes send on a fixed schedule
and time each first reply from the moment its message was due. The result is one JSON file in
bench/results/; ``bench/run_all.py`` turns all of them into BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

import httpx
from _calibrate import calibrate
from _errors import BenchError
from _generators import generators, receive
from _loadgen import Outcome, Plan, run_process
from _machine import (
    REPO,
    cpu_model,
    git_commit,
    machine_cpu_seconds,
    now_iso,
    tree_cpu_seconds,
    tree_peak_rss_bytes,
)
from _server import Database, running_server
from _stats import parse_prometheus
from _summary import QueueSample, Window, summarize, timeline
from _webchat import create_sessions, origin_of, ws_url_of

__all__ = ["DEFAULT_TEXTS", "Config", "main", "run"]

DEFAULT_TEXTS = (
    "Hallo",
    "Hallo Paula!",
    "Moin",
    "Hi",
    "Versand?",
    "Wie lange dauert der Versand?",
    "Was kostet die Lieferung nach Österreich?",
    "Öffnungszeiten",
    "Wann habt ihr geöffnet?",
    "Wie funktioniert die Rücksendung?",
    "Kann ich mit PayPal bezahlen?",
    "Welche Größe brauche ich?",
    "Danke!",
)
"""Questions the demo bot answers the same way whatever came before: greetings and the FAQ.

Never one that changes the conversation (STOP, a human) or starts a flow, whose open
question would add messages to every later answer."""
_QUEUE_METRIC = "theke_queue_depth"


@dataclass(frozen=True, slots=True)
class Config:
    """One benchmark run, as given on the command line."""

    rate: float
    duration: float
    warmup: float
    customers: int
    db: Database
    url: str | None
    server_pid: int | None
    bot: Path
    processes: int
    drain: float
    seed: int
    postgres_url: str
    texts: tuple[str, ...]
    out: Path

    @property
    def window(self) -> Window:
        return Window(self.warmup, self.warmup + self.duration)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one benchmark and write its JSON result; 1 when the run could not be done."""
    config = _parse(argv)
    try:
        result = asyncio.run(run(config))
    except BenchError as exc:
        print(f"pipeline: {exc}", file=sys.stderr)
        return 1
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(_one_line(result, config.out))
    return 0


async def run(config: Config) -> dict[str, Any]:
    """Run the benchmark against ``config.url`` or a server started for it; the result record."""
    async with _target(config) as (base_url, pid):
        return await _measure(config, base_url, pid)


@contextlib.asynccontextmanager
async def _target(config: Config) -> AsyncIterator[tuple[str, int | None]]:
    if config.url is not None:
        yield config.url.rstrip("/"), config.server_pid
        return
    async with running_server(config.bot, config.db, config.postgres_url) as server:
        yield server.base_url, server.pid


async def _measure(config: Config, base_url: str, pid: int | None) -> dict[str, Any]:
    ws_url, origin = ws_url_of(base_url), origin_of(base_url)
    replies = await calibrate(base_url, ws_url, origin, config.texts)
    usable = [(text, count) for text, count in zip(config.texts, replies, strict=True) if count > 0]
    if not usable:
        raise BenchError("the bot answered none of the texts with a steady number of messages")
    tokens = await create_sessions(base_url, config.customers)
    plans = _plans(config, ws_url, origin, tokens, usable)
    queue: list[QueueSample] = []
    async with generators(run_process, plans) as (pipes, start):
        sampler = asyncio.create_task(_sample_queue(base_url, start, queue))
        window_cpu = asyncio.create_task(_window_cpu(pid, start, config.window))
        outcomes = [await receive(pipe) for pipe in pipes]
        sampler.cancel()
        cpu = await window_cpu
    rss = tree_peak_rss_bytes(pid) if pid is not None else None
    return _record(config, outcomes, queue, dict(usable), cpu, rss)


def _plans(
    config: Config,
    ws_url: str,
    origin: str,
    tokens: Sequence[str],
    texts: Sequence[tuple[str, int]],
) -> list[Plan]:
    rng = random.Random(config.seed)
    order = list(range(len(tokens)))
    rng.shuffle(order)
    count = round(config.rate * (config.warmup + config.duration))
    sends = [
        (i / config.rate, order[i % len(order)], rng.randrange(len(texts))) for i in range(count)
    ]
    processes = max(1, min(config.processes, len(tokens)))
    return [
        Plan(
            ws_url=ws_url,
            origin=origin,
            tokens=tuple(tokens[p::processes]),
            texts=tuple(text for text, _ in texts),
            replies=tuple(replies for _, replies in texts),
            sends=tuple((o, c // processes, t) for o, c, t in sends if c % processes == p),
            window=(config.window.start, config.window.end),
            drain_s=config.drain,
        )
        for p in range(processes)
    ]


async def _sample_queue(base_url: str, start: float, samples: list[QueueSample]) -> None:
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=0.9) as client:
        second = 0
        while True:
            await asyncio.sleep(max(0.0, start + second - time.monotonic()))
            samples.append(await _queue_sample(client, time.monotonic() - start))
            second += 1


async def _queue_sample(client: httpx.AsyncClient, offset: float) -> QueueSample:
    try:
        response = await client.get("/metrics")
    except httpx.HTTPError:
        return QueueSample(offset, None, None)
    samples = parse_prometheus(response.text) if response.is_success else {}

    def depth(queue: str) -> float | None:
        return samples.get((_QUEUE_METRIC, frozenset({("queue", queue)})))

    return QueueSample(offset, depth("inbound"), depth("outbox"))


@dataclass(frozen=True, slots=True)
class _CpuUse:
    """CPU use over the window, in % of one core: the server's and the whole machine's."""

    server: float | None
    machine: float


async def _window_cpu(pid: int | None, start: float, window: Window) -> _CpuUse:
    await asyncio.sleep(max(0.0, start + window.start - time.monotonic()))
    server_before = tree_cpu_seconds(pid) if pid is not None else None
    machine_before = machine_cpu_seconds()
    await asyncio.sleep(max(0.0, start + window.end - time.monotonic()))
    machine = (machine_cpu_seconds() - machine_before) / window.seconds * 100
    if pid is None or server_before is None:
        return _CpuUse(None, machine)
    return _CpuUse((tree_cpu_seconds(pid) - server_before) / window.seconds * 100, machine)


def _record(
    config: Config,
    outcomes: Sequence[Outcome],
    queue: Sequence[QueueSample],
    texts: dict[str, int],
    cpu: _CpuUse,
    server_rss: int | None,
) -> dict[str, Any]:
    summary = summarize(config.rate, config.window, outcomes, queue)
    counters: Counter[str] = Counter()
    for outcome in outcomes:
        counters.update(outcome.counters)
    generator_cpu = sum(outcome.cpu_s for outcome in outcomes) / config.duration * 100
    others = cpu.machine - generator_cpu - (cpu.server or 0.0)
    return {
        "benchmark": "pipeline",
        "name": config.out.stem,
        "db": config.db,
        "bot": str(config.bot),
        "rate_offered": config.rate,
        "warmup_s": config.warmup,
        "duration_s": config.duration,
        "customers": config.customers,
        **{key: value for key, value in summary.items() if key != "send_lag_p99_ms"},
        "server": {
            "cpu_percent": None if cpu.server is None else round(cpu.server, 1),
            "rss_peak_mb": None if server_rss is None else round(server_rss / 2**20, 1),
        },
        "generator": {
            "processes": len(outcomes),
            "cpu_percent": round(generator_cpu, 1),
            "send_lag_p99_ms": summary["send_lag_p99_ms"],
        },
        "texts": texts,
        "counters": dict(sorted(counters.items())),
        "machine": {
            "cores": os.cpu_count(),
            "cpu_model": cpu_model(),
            "cpu_percent": round(cpu.machine, 1),
            "other_cpu_percent": round(max(0.0, others), 1) if cpu.server is not None else None,
        },
        "timestamp": now_iso(),
        "git_commit": git_commit(),
        "timeline": timeline(outcomes, queue),
    }


def _one_line(result: dict[str, Any], out: Path) -> str:
    latency = result["latency_ms"]
    return (
        f"{result['name']}: offered {result['rate_offered']:g}/s, "
        f"answered {result['answered_per_s']:.1f}/s, "
        f"within 1 s {result['answered_within_1s_share']:.2%}, "
        f"p50/p95/p99 {latency['p50']}/{latency['p95']}/{latency['p99']} ms, "
        f"growing backlog: {result['backlog']['growing']} -> {out}"
    )


def _parse(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, required=True, help="messages per second offered")
    parser.add_argument("--duration", type=float, default=60.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=10.0, help="unmeasured seconds first")
    parser.add_argument("--customers", type=int, default=1000, help="WebSocket customers")
    parser.add_argument("--db", choices=get_args(Database), default="sqlite")
    parser.add_argument("--url", help="a running server's base URL instead of starting one")
    parser.add_argument("--server-pid", type=int, help="with --url: its pid, for CPU and RSS")
    parser.add_argument("--bot", type=Path, default=REPO / "examples" / "sneakershop")
    parser.add_argument("--processes", type=int, default=1, help="generator processes")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to await late replies")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--text", action="append", help="a text to send (repeat); has defaults")
    parser.add_argument("--out", type=Path, help="result file; default bench/results/NAME.json")
    args = parser.parse_args(argv)
    if args.rate <= 0 or args.duration <= 0 or args.warmup < 0 or args.customers < 1:
        parser.error("--rate, --duration and --customers must be positive, --warmup not negative")
    name = f"pipeline-{args.db}-{args.rate:g}"
    return Config(
        rate=args.rate,
        duration=args.duration,
        warmup=args.warmup,
        customers=args.customers,
        db=args.db,
        url=args.url,
        server_pid=args.server_pid,
        bot=args.bot,
        processes=args.processes,
        drain=args.drain,
        seed=args.seed,
        postgres_url=args.postgres_url,
        texts=tuple(args.text or DEFAULT_TEXTS),
        out=args.out or REPO / "bench" / "results" / f"{name}.json",
    )


if __name__ == "__main__":
    sys.exit(main())
