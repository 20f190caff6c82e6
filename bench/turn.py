"""A full bot turn in-process: NLU, flows, FAQ, catalog search over 100,000 products, rendering.

python bench/turn.py                 # 10,000 turns over 100,000 generated products
python bench/turn.py --turns 2000    # shorter

Runs on one core (the process is pinned to CPU 0, BLAS to one thread). Customers follow
scripted conversations of the demo shop — sneaker advice at once and step by step, FAQ
questions, small talk, refinements, things it does not understand — each turn is
``Engine.handle`` plus turning the replies into the JSON a channel sends. Also times the
demo's conversation tests (examples/sneakershop/tests) and reports memory.
Writes bench/results/turn.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from _machine import REPO, cpu_model, git_commit, now_iso
from _stats import percentile

if TYPE_CHECKING:
    from theke.dialogue import Engine

__all__ = ["SCRIPTS", "main"]

DEMO = REPO / "examples" / "sneakershop"
OUT = REPO / "bench" / "results" / "turn.json"

SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("Hallo", "Habt ihr Laufschuhe unter 100 Euro in 43?", "lieber in schwarz", "danke"),
    ("ich suche neue sneaker", "basketball", "so bis 150", "44", "wie lange dauert der versand"),
    ("kann ich mit paypal zahlen", "und wie lange hab ich für die rückgabe", "tschüss"),
    ("hi", "skateschuhe von vans", "egal", "zurück", "bis 90 euro", "42,5"),
    ("wo bleibt meine bestellung", "SC-123456"),
    ("do you ship to austria?", "running shoes under 120 in size 45", "thanks"),
    ("wann habt ihr im laden offen", "wo ist der laden", "mein hamster heißt ludwig"),
    ("trailschuhe für matschige wege", "ist mir egal", "46", "abbrechen", "ok danke"),
)
"""Conversations cycled over customers; every step is one measured turn."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported (in run)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    result = run(args.turns, args.products)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    latency = result["turn_ms"]
    print(
        f"turn: {result['turns']:,} turns over {result['products']:,} products: "
        f"p50 {latency['p50']:.2f} ms, p99 {latency['p99']:.2f} ms, max {latency['max']:.1f} ms; "
        f"RSS {result['rss_mb']:.0f} MB; demo tests {result['demo_tests_s']:.1f} s "
        f"({result['demo_stories']} stories) -> {args.out}"
    )
    return 0


def run(turns: int, products: int) -> dict[str, Any]:
    from theke.bot import load_bot
    from theke.commerce import CatalogIndex, generate_products
    from theke.dialogue import Inbound
    from theke.runtime import build_engine

    folder = Path(tempfile.mkdtemp(prefix="theke-bench-turn-")) / "sneakershop"
    shutil.copytree(DEMO, folder, ignore=shutil.ignore_patterns(".theke"))
    try:
        bot = load_bot(folder)
        index = CatalogIndex()  # empty while the bot's own memory is measured
        engine = build_engine(bot, isolated=False, catalog=lambda: index)
        engine.handle({}, Inbound(text="Hallo"), conversation_key="warm-up")
        bot_mb = _current_rss_mb()
        began = time.perf_counter()
        index = CatalogIndex.build(generate_products(products, seed=7))
        index_s = time.perf_counter() - began
        catalog_mb = _current_rss_mb() - bot_mb
        demo_s, stories = _demo_tests(bot)
        times = _turns(engine, turns)
    finally:
        shutil.rmtree(folder.parent, ignore_errors=True)
    times.sort()
    return {
        "benchmark": "turn",
        "machine": {"cores": os.cpu_count(), "cpu": cpu_model(), "pinned_cores": 1},
        "commit": git_commit(),
        "at": now_iso(),
        "turns": turns,
        "products": products,
        "index_build_s": round(index_s, 2),
        "turn_ms": {
            "p50": round(percentile(times, 50), 3),
            "p90": round(percentile(times, 90), 3),
            "p99": round(percentile(times, 99), 3),
            "max": round(times[-1], 3),
            "mean": round(sum(times) / len(times), 3),
        },
        "target_p99_ms": 10.0,
        "rss_mb": round(_rss_mb(), 1),
        "bot_rss_mb": round(bot_mb, 1),
        "catalog_rss_mb": round(catalog_mb, 1),
        "demo_tests_s": round(demo_s, 2),
        "demo_stories": stories,
        "target_demo_tests_s": 10.0,
    }


def _turns(engine: Engine, count: int) -> list[float]:
    from theke.content import to_json
    from theke.dialogue import Inbound

    times: list[float] = []
    customer = 0
    while len(times) < count:
        script = SCRIPTS[customer % len(SCRIPTS)]
        state: dict[str, Any] = {}
        profile: dict[str, Any] = {}
        for text in script:
            if len(times) == count:
                break
            began = time.perf_counter_ns()
            turn = engine.handle(
                state, Inbound(text=text), conversation_key=f"bench:{customer}", customer=profile
            )
            rendered = [to_json(reply) for reply in turn.replies]
            times.append((time.perf_counter_ns() - began) / 1e6)
            assert rendered, f"no answer to {text!r}"
            state = turn.state
            profile = turn.profile or profile
        customer += 1
    return times


def _demo_tests(bot: Any) -> tuple[float, int]:
    """How long `theke test` takes on the demo (stories only, engine built), and how many."""
    from theke.runtime import build_engine
    from theke.testing import load_stories, run_stories

    stories = load_stories(bot.path)
    engine = build_engine(bot, isolated=False)
    began = time.perf_counter()
    results = run_stories(engine, stories)
    took = time.perf_counter() - began
    failed = [result.story.name for result in results if not result.passed]
    if failed:
        print(f"turn: demo stories failing: {', '.join(failed)}", file=sys.stderr)
    return took, len(stories)


def _current_rss_mb() -> float:
    """The process's resident memory now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return _rss_mb()


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
