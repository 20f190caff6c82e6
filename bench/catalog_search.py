"""Catalog search (theke/commerce/search.py) on 100,000 generated products, one core.

What it measures:

- Build: the time to index the catalog from products in memory (what a process
  does once at start after reading the database).
- Search: p50/p99 per query over a mix of what customers ask — a category and a
  size, brands with a colour and a budget, free text with and without filters,
  queries that find nothing — after a warm-up, each query repeated.
- Stock sync: applying a batch of 100 stock changes (a new snapshot; nothing is
  rebuilt) and replacing 100 products.

Run it from the repository root::

    .venv/bin/python bench/catalog_search.py [--products 100000] [--seed 1]

The results go to ``bench/results/catalog_search.json`` (``--out`` to change).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from _machine import cpu_model, git_commit, now_iso
from _stats import percentile

from theke.commerce import CatalogIndex, Query, generate_products

RESULTS = Path(__file__).resolve().parent / "results" / "catalog_search.json"
REPEAT = 200

QUERIES = {
    "everything": Query(),
    "category + size": Query(category="running", size="43"),
    "half size": Query(category="basketball", size=42.5),
    "brands + colour + budget": Query(
        brands=("Nike", "adidas"), colors=("schwarz",), price_max=120
    ),
    "kids, pink, 40–80 €": Query(category="kids", colors=("pink",), price_min=40, price_max=80),
    "text: one word": Query(text="wasserdicht"),
    "text: name + size": Query(text="Air Zoom", size="44"),
    "text: a long sentence": Query(
        text="leichter Laufschuh mit weicher Dämpfung und griffiger Sohle"
    ),
    "text: brand in a category": Query(text="New Balance", category="lifestyle"),
    "nothing found": Query(brands=("Karhu",), size="36.5", colors=("gold",), price_max=30),
    "unknown word": Query(text="xyzzy"),
}


def timed(work: Callable[[], object], repeat: int) -> list[float]:
    """Seconds per call, sorted."""
    work()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()

    products = generate_products(args.products, args.seed)
    started = time.perf_counter()
    index = CatalogIndex.build(products, seq=1)
    build = time.perf_counter() - started
    print(f"{len(index):,} products indexed in {build:.2f} s")

    rows: dict[str, dict[str, float]] = {}
    every: list[float] = []
    for name, query in QUERIES.items():
        times = timed(partial(index.search, query), REPEAT)
        every += times
        hits = len(index.search(query))
        rows[name] = {"p50_ms": percentile(times, 50) * 1e3, "p99_ms": percentile(times, 99) * 1e3}
        print(f"  {name:28} {hits:3} hits  p50 {rows[name]['p50_ms']:.3f} ms  "
              f"p99 {rows[name]['p99_ms']:.3f} ms")  # fmt: skip
    every.sort()
    mix = {"p50_ms": percentile(every, 50) * 1e3, "p99_ms": percentile(every, 99) * 1e3}
    print(f"query mix: p50 {mix['p50_ms']:.3f} ms, p99 {mix['p99_ms']:.3f} ms")

    rng = random.Random(args.seed)
    skus = [p.sku for p in rng.sample(products, 100)]
    changes = [(sku, "42", rng.randint(0, 5)) for sku in skus]
    stock = timed(lambda: index.with_stock(changes, 2), 20)
    replaced = generate_products(100, args.seed + 1)
    update = timed(lambda: index.with_products(replaced, 3), 5)
    sync = {
        "stock_100_ms": percentile(stock, 50) * 1e3,
        "products_100_ms": percentile(update, 50) * 1e3,
    }
    print(f"100 stock changes: {sync['stock_100_ms']:.1f} ms; "
          f"100 products replaced: {sync['products_100_ms']:.1f} ms")  # fmt: skip

    report = {
        "benchmark": "catalog_search",
        "cores": os.cpu_count(),
        "when": now_iso(),
        "commit": git_commit(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "products": len(index),
        "build_s": build,
        "queries": rows,
        "mix": mix,
        "sync": sync,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
