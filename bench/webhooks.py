"""Signed Messenger webhooks at increasing rates; the answers go to a loopback Send API.

    python bench/webhooks.py                 # 100 ... 800 webhooks/s, 10 s warm-up + 30 s each
    python bench/webhooks.py --quick         # the same steps, 2 s + 10 s each
    python bench/webhooks.py --rates 300,500 --duration 60

The real server (``theke run examples/sneakershop``, the demo bot with its NLU) is started on
an empty database with the Messenger channel configured and its Graph API base pointing at
a recording Send API in its own process (``_graph_sink``). Generator processes post one
signed webhook per message on a fixed schedule (``_webhook_load``); a step measures
acknowledgements (the 200 comes only after the commit) and the time from each webhook to
its answer at the Send API (``_webhook_summary``). The result is
bench/results/webhooks_<db>.json; ``bench/run_all.py`` puts it into BENCHMARKS.md.

Theke's own Send API limit (``THEKE_MESSENGER_RATE``, Meta's 300 calls/s per Page) is set to
100,000 by default: every webhook costs about three calls (``mark_seen``, ``typing_on``, the
answer), so at 300 calls/s the benchmark would measure the limiter, not Theke.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, get_args

from _errors import BenchError
from _graph_sink import GraphSink, graph_sink
from _machine import REPO, cpu_model, git_commit, now_iso, tree_peak_rss_bytes
from _server import Database, ServerProcess, running_server
from _webhook_preflight import answered_texts
from _webhook_step import Step, run_step
from _webhook_summary import KEEP_UP_P99_S, sustained_replies_per_s
from pipeline import DEFAULT_TEXTS

__all__ = ["DEFAULT_RATES", "Config", "main", "run"]

DEFAULT_RATES = (50.0, 100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 800.0)
PAGE_ID = "104020112349876"
APP_ID = "1357924680135792"
_FIRST_PSID = 6_100_000_000_000_000
"""PSIDs are 16-digit numbers, one per customer, scoped to the Page."""
_SEND_RATE = 100_000.0
_HTTP_STACK = ("aiohttp", "httpx", "httpcore", "sniffio")


@dataclass(frozen=True, slots=True)
class Config:
    """One benchmark run, as given on the command line."""

    rates: tuple[float, ...]
    warmup: float
    duration: float
    drain: float
    customers: int
    db: Database
    bot: Path
    processes: int
    connections: int
    send_rate: float
    all_steps: bool
    seed: int
    postgres_url: str
    texts: tuple[str, ...]
    out: Path
    server_log: Path | None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the steps and write the JSON result; 1 when the run could not be done."""
    config = _parse(argv)
    try:
        result = asyncio.run(run(config))
    except BenchError as exc:
        print(f"webhooks: {exc}", file=sys.stderr)
        return 1
    config.out.parent.mkdir(parents=True, exist_ok=True)
    config.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"webhooks: sustained {result['sustained_replies_per_s']} replies/s -> {config.out}")
    return 0


async def run(config: Config) -> dict[str, Any]:
    """Start the sink and the server, run the steps; the result record."""
    app_secret = secrets.token_hex(16)
    token = "EAAB" + secrets.token_urlsafe(32)
    async with graph_sink(PAGE_ID, token) as sink:
        env = _messenger_env(sink, token, app_secret, config.send_rate)
        async with running_server(config.bot, config.db, config.postgres_url, env) as server:
            base = server.base_url
            texts = await answered_texts(base, sink, PAGE_ID, app_secret, config.texts)
            try:
                steps, stopped = await _steps(config, server, sink, app_secret, texts)
                rss = tree_peak_rss_bytes(server.pid)
            finally:
                if config.server_log is not None:
                    shutil.copyfile(server.log, config.server_log)
    return _record(config, steps, stopped, texts, rss)


def _messenger_env(sink: GraphSink, token: str, app_secret: str, rate: float) -> dict[str, str]:
    return {
        "THEKE_MESSENGER_API_BASE": sink.base_url,
        "THEKE_MESSENGER_PAGE_ACCESS_TOKEN": token,
        "THEKE_MESSENGER_APP_SECRET": app_secret,
        "THEKE_MESSENGER_VERIFY_TOKEN": secrets.token_urlsafe(16),
        "THEKE_MESSENGER_PAGE_ID": PAGE_ID,
        "THEKE_MESSENGER_APP_ID": APP_ID,
        "THEKE_MESSENGER_RATE": f"{rate:g}",
    }


async def _steps(
    config: Config,
    server: ServerProcess,
    sink: GraphSink,
    app_secret: str,
    texts: tuple[str, ...],
) -> tuple[list[dict[str, Any]], str | None]:
    rng = random.Random(config.seed)
    psids = [str(_FIRST_PSID + n) for n in range(config.customers)]
    rng.shuffle(psids)
    results: list[dict[str, Any]] = []
    sent = 0
    for index, rate in enumerate(config.rates):
        step = Step(
            index=index,
            rate=rate,
            warmup=config.warmup,
            duration=config.duration,
            drain=config.drain,
            processes=config.processes,
            connections=config.connections,
            first_customer=sent,
        )
        print(f"webhooks: {rate:g}/s", flush=True)
        result = await run_step(step, server, sink, PAGE_ID, app_secret, tuple(psids), texts, rng)
        print(f"webhooks: {_one_line(result)}", flush=True)
        results.append(result)
        sent += result["webhooks"]
        if result["unanswered"] and not config.all_steps:
            rest = ", ".join(f"{r:g}" for r in config.rates[index + 1 :])
            if rest:
                return results, f"{result['unanswered']} unanswered at {rate:g}/s; not run: {rest}"
        await asyncio.sleep(1.0)
    return results, None


def _one_line(step: dict[str, Any]) -> str:
    ack, e2e = step["ack_ms"], step["e2e_ms"]
    return (
        f"offered {step['rate_offered']:g}/s, acknowledged {step['acknowledged_per_s']:.1f}/s, "
        f"ack p50/p99 {ack['p50']}/{ack['p99']} ms, e2e p50/p99 {e2e['p50']}/{e2e['p99']} ms, "
        f"replies {step['replies_per_s']:.1f}/s, unanswered {step['unanswered']}, "
        f"errors {step['errors'] or 0}"
    )


def _record(
    config: Config,
    steps: list[dict[str, Any]],
    stopped: str | None,
    texts: tuple[str, ...],
    server_rss: int,
) -> dict[str, Any]:
    return {
        "benchmark": "webhooks",
        "name": config.out.stem,
        "db": config.db,
        "bot": str(config.bot),
        "warmup_s": config.warmup,
        "duration_s": config.duration,
        "drain_s": config.drain,
        "customers": config.customers,
        "send_api_rate_limit": config.send_rate,
        "keep_up_p99_ms": KEEP_UP_P99_S * 1000,
        "texts": list(texts),
        "steps": steps,
        "stopped": stopped,
        "sustained_replies_per_s": sustained_replies_per_s(steps),
        "server": {"rss_peak_mb": round(server_rss / 2**20, 1)},
        "environment": _versions(),
        "machine": {"cores": os.cpu_count(), "cpu_model": cpu_model()},
        "timestamp": now_iso(),
        "git_commit": git_commit(),
    }


def _versions() -> dict[str, str | None]:
    """The HTTP stack as installed: the Send API client is aiohttp (theke.channels._http);
    httpx (media downloads) without sniffio repeats a failed import on every request
    (encode/httpcore#1103), which cost the server most of its CPU before."""
    versions: dict[str, str | None] = {}
    for name in _HTTP_STACK:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _parse(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rates", help="webhooks/s of the steps, comma-separated")
    parser.add_argument("--quick", action="store_true", help="2 s warm-up + 10 s per step")
    parser.add_argument("--warmup", type=float, help="unmeasured seconds per step (10)")
    parser.add_argument("--duration", type=float, help="measured seconds per step (30)")
    parser.add_argument("--drain", type=float, default=10.0, help="seconds to await late answers")
    parser.add_argument("--customers", type=int, default=5000, help="PSIDs, taken round-robin")
    parser.add_argument("--db", choices=get_args(Database), default="sqlite")
    parser.add_argument("--bot", type=Path, default=REPO / "examples" / "sneakershop")
    parser.add_argument("--processes", type=int, default=1, help="generator processes")
    parser.add_argument("--connections", type=int, default=256, help="per generator process")
    parser.add_argument("--send-rate", type=float, default=_SEND_RATE, help="THEKE_MESSENGER_RATE")
    parser.add_argument("--all-steps", action="store_true", help="go on after a step fell behind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--text", action="append", help="a text to send (repeat); has defaults")
    parser.add_argument("--out", type=Path, help="result file; default bench/results/NAME.json")
    parser.add_argument("--server-log", type=Path, help="keep a copy of the server's log here")
    args = parser.parse_args(argv)
    rates = tuple(float(r) for r in args.rates.split(",")) if args.rates else DEFAULT_RATES
    warmup = args.warmup if args.warmup is not None else (2.0 if args.quick else 10.0)
    duration = args.duration if args.duration is not None else (10.0 if args.quick else 30.0)
    if min(rates) <= 0 or duration <= 0 or warmup < 0 or args.customers < 1:
        parser.error("rates, --duration and --customers must be positive, --warmup not negative")
    return Config(
        rates=rates,
        warmup=warmup,
        duration=duration,
        drain=args.drain,
        customers=args.customers,
        db=args.db,
        bot=args.bot,
        processes=max(1, args.processes),
        connections=max(1, args.connections),
        send_rate=args.send_rate,
        all_steps=args.all_steps,
        seed=args.seed,
        postgres_url=args.postgres_url,
        texts=tuple(args.text or DEFAULT_TEXTS),
        out=args.out or REPO / "bench" / "results" / f"webhooks_{args.db}.json",
        server_log=args.server_log,
    )


if __name__ == "__main__":
    sys.exit(main())
