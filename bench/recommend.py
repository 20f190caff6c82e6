"""Personal recommendations (theke/commerce/recommend.py): hit rate at 10 against popularity.

python bench/recommend.py                         # 10,000 customers on both catalogs below
python bench/recommend.py --customers 1000        # a quick run
python bench/recommend.py --scenario long_tail    # one catalog: flat, long_tail or both

A catalog comes from ``generate_products(products, seed)``; then synthetic customers, each
with a hidden taste and a shopping history drawn from it. Every customer's last purchase
is hidden, a Taste is read from a profile of the rest (``Taste.from_profile``), and the
benchmark counts how often the hidden product is among the 10 products of
``recommend``, of ``popular`` with the same size filter (and without what they bought),
and of plain ``popular`` (no size). It also times each recommendation (profile parsing
included) on one core and writes bench/results/recommend.json; the markdown section for
BENCHMARKS.md is printed.

Two scenarios differ only in the products' popularity:

- flat popularity: the generator's own, integers 0–100 drawn uniformly (about 1 % of
  products share the top value). A product at 100 pulls customers e^4 ≈ 55 times as hard
  as one at 0 (below), but the few most popular sell hardly more than the next hundreds.
- long-tail popularity (``long_tail``): retail sales are long-tailed, a few products
  selling most, so the products are put in a random order (numpy PCG64 seeded with
  ``[seed, 1]``) and the one at rank r of N gets popularity 25 × ln(N / r). Customers
  are drawn to a product by exp(popularity / 25) (below), so this pull is N / r: sales
  follow Zipf's law with exponent 1, and popularity runs from 0 to 25 × ln N (213 for
  5,000 products). Zipf popularity scaled linearly to 0–100 would leave all but a few
  products near 0, where the pull is about 1, and purchases would hardly concentrate.

Each scenario also records the share of the hidden purchases on the 1 % and the 20 % most
popular products, and whether the most popular product is in stock (with Zipf's law it
alone draws about a ninth of the pull; sold out, no popularity list can show it).

The customers (seeded numpy PCG64; the same seed gives the same customers):

- Taste: 1 favourite category (60 %) or 2, drawn by the categories' summed product
  popularity; 1–3 favourite brands (uniform count), drawn by the brands' summed
  popularity; 1–3 favourite colours out of the 16, uniformly; a shoe size from a normal
  around 42 (sd 2.5), rounded to a whole size (80 %) or to the half size above the whole
  one below, within 36–47; a comfort price from a log-normal (median 90 €, sigma 0.45),
  clipped to 35–230 €.
- Appeal of a product: 2.0 for a favourite category + 1.0 for a favourite brand + 0.7
  for any favourite colour − |ln(price / comfort price)| / 0.35 + 2.0 × popularity / 100;
  a product is drawn with probability ∝ exp(appeal / 0.5). Exploration draws a product
  with probability ∝ exp(popularity / 25). Both multiply a product's chance by
  exp(popularity / 25), its pull.
- History: 3–15 events (uniform), each a view (68 %), a cart add (18 %) or a purchase
  (14 %); when none of them is a purchase, one is added at the end. A view is drawn from
  the appeal (80 %) or is exploration over the whole catalog (20 %). A cart add is one
  of the products viewed so far (50 %, when one is in stock in the size) or drawn from
  the appeal. A purchase is one of the products viewed or carted so far (40 %, when one
  is in stock in the size and not bought), else exploration (10 %), else drawn from the
  appeal. Cart adds and purchases are always of products in stock in the customer's
  size, and within the stated budget when there is one.
- Profile: ``viewed``, ``carted`` and ``bought`` (newest first, each sku once), the
  ``size`` slot for 80 % of customers, and for some the slots a conversation would fill:
  one favourite brand (25 %), the favourite colours (20 %), the favourite categories
  (20 %), a budget of 0.6–1.5 × the comfort price in whole euros (25 %, when a product
  in their size fits it).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import textwrap
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import numpy.typing as npt
from _machine import REPO, cpu_model, git_commit, now_iso
from _stats import percentile

from theke.commerce.generate import BRANDS, CATEGORIES, generate_products
from theke.commerce.products import COLOUR_KEYS, Product
from theke.commerce.recommend import Taste, popular, recommend
from theke.commerce.search import CatalogIndex

__all__ = ["SCENARIOS", "Shopper", "long_tail", "main", "markdown", "run", "shoppers"]

OUT = REPO / "bench" / "results" / "recommend.json"
K = 10
TARGET_RATIO = 1.5
"""Hit rate of ``recommend`` against ``popular`` with the same size filter."""

_TWO_CATEGORIES, _WHOLE_SIZE = 0.4, 0.8
_SIZE_MEAN, _SIZE_SD = 42.0, 2.5
_PRICE_MEDIAN, _PRICE_SIGMA, _PRICE_RANGE = 90.0, 0.45, (35.0, 230.0)
_APPEAL = {"category": 2.0, "brand": 1.0, "colour": 0.7, "price_scale": 0.35, "popularity": 2.0}
_TEMPERATURE = 0.5
_EVENTS = (3, 15)
_KINDS = ("view", "cart", "buy")
_KIND_SHARES = (0.68, 0.18, 0.14)
_EXPLORE_VIEW, _EXPLORE_BUY, _EXPLORE_SCALE = 0.2, 0.1, 25.0
_CART_FROM_VIEWS, _BUY_FROM_SEEN = 0.5, 0.4
_STATED = {"size": 0.8, "brand": 0.25, "colors": 0.2, "categories": 0.2, "budget": 0.25}
_BUDGET = (0.6, 1.5)


@dataclass(frozen=True, slots=True)
class Shopper:
    """One synthetic customer: the profile we keep, and the purchase we hid from it."""

    profile: dict[str, Any]
    size: str
    hidden: str
    seen_before: bool
    """Whether the hidden purchase had been viewed or carted before it was bought."""


@dataclass(frozen=True, slots=True)
class _Catalog:
    """The generated products as arrays the customer model draws from."""

    products: Sequence[Product]
    category: npt.NDArray[np.intp]
    brand: npt.NDArray[np.intp]
    colours: npt.NDArray[np.bool_]
    price: npt.NDArray[np.float64]
    popularity: npt.NDArray[np.float64]
    stock: dict[str, npt.NDArray[np.bool_]]
    """Per size (and "any"): in stock or not."""
    category_shares: npt.NDArray[np.float64]
    brand_shares: npt.NDArray[np.float64]
    """The categories' and brands' shares of the summed popularity."""

    @classmethod
    def of(cls, products: Sequence[Product]) -> _Catalog:
        colour = {key: i for i, key in enumerate(COLOUR_KEYS)}
        colours = np.zeros((len(products), len(COLOUR_KEYS)), dtype=np.bool_)
        stock: dict[str, npt.NDArray[np.bool_]] = {}
        for row, product in enumerate(products):
            colours[row, [colour[c] for c in product.colors]] = True
            for entry in product.sizes:
                column = stock.setdefault(entry.size, np.zeros(len(products), dtype=np.bool_))
                column[row] = entry.stock > 0
        stock["any"] = np.array([bool(p.in_stock) for p in products], dtype=np.bool_)
        category = np.array([CATEGORIES.index(p.category) for p in products], dtype=np.intp)
        brand = np.array([BRANDS.index(p.brand or "") for p in products], dtype=np.intp)
        popularity = np.array([p.popularity for p in products], dtype=np.float64)
        return cls(
            products=products,
            category=category,
            brand=brand,
            colours=colours,
            price=np.array([p.price_cents / 100 for p in products], dtype=np.float64),
            popularity=popularity,
            stock=stock,
            category_shares=_share(np.bincount(category, popularity, len(CATEGORIES))),
            brand_shares=_share(np.bincount(brand, popularity, len(BRANDS))),
        )


@dataclass(frozen=True, slots=True)
class _Taste:
    """A customer's hidden taste."""

    categories: npt.NDArray[np.intp]
    brands: npt.NDArray[np.intp]
    colours: npt.NDArray[np.intp]
    size: str
    comfort: float


def shoppers(products: Sequence[Product], count: int, seed: int) -> list[Shopper]:
    """``count`` customers with histories over ``products``; the same for the same seed."""
    rng = np.random.default_rng(seed)
    catalog = _Catalog.of(products)
    return [_shopper(rng, catalog) for _ in range(count)]


def _taste(rng: np.random.Generator, catalog: _Catalog) -> _Taste:
    categories = 2 if rng.random() < _TWO_CATEGORIES else 1
    x = rng.normal(_SIZE_MEAN, _SIZE_SD)
    whole = rng.random() < _WHOLE_SIZE
    size = str(int(np.clip(round(x), 36, 47))) if whole else f"{int(np.clip(x // 1, 36, 46))}.5"
    comfort = math.exp(rng.normal(math.log(_PRICE_MEDIAN), _PRICE_SIGMA))
    return _Taste(
        categories=rng.choice(
            len(CATEGORIES), categories, replace=False, p=catalog.category_shares
        ),
        brands=rng.choice(len(BRANDS), rng.integers(1, 4), replace=False, p=catalog.brand_shares),
        colours=rng.choice(len(COLOUR_KEYS), rng.integers(1, 4), replace=False),
        size=size,
        comfort=float(np.clip(comfort, *_PRICE_RANGE)),
    )


def _share(weights: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    total = float(weights.sum())
    if total <= 0:
        return np.full(weights.size, 1.0 / weights.size)
    shares: npt.NDArray[np.float64] = weights.astype(np.float64) / total
    return shares


def _appeal(catalog: _Catalog, taste: _Taste) -> npt.NDArray[np.float64]:
    """exp(appeal / temperature) of every product: unnormalised draw weights."""
    appeal = _APPEAL["category"] * np.isin(catalog.category, taste.categories)
    appeal += _APPEAL["brand"] * np.isin(catalog.brand, taste.brands)
    appeal += _APPEAL["colour"] * catalog.colours[:, taste.colours].any(axis=1)
    appeal -= np.abs(np.log(catalog.price / taste.comfort)) / _APPEAL["price_scale"]
    appeal += _APPEAL["popularity"] * catalog.popularity / 100
    weights: npt.NDArray[np.float64] = np.exp((appeal - appeal.max()) / _TEMPERATURE)
    return weights


@dataclass(slots=True)
class _Draws:
    """The customer's draw weights and the history as it grows (oldest first)."""

    rng: np.random.Generator
    appeal: npt.NDArray[np.float64]
    explore: npt.NDArray[np.float64]
    buyable: npt.NDArray[np.bool_]
    events: list[tuple[str, int]]

    def pick(self, weights: npt.NDArray[np.float64]) -> int:
        cumulative = np.cumsum(weights)
        at = np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right")
        return int(min(at, weights.size - 1))

    def earlier(self, kinds: tuple[str, ...]) -> list[int]:
        """Products of earlier events of ``kinds`` that can be bought and were not."""
        bought = {row for kind, row in self.events if kind == "buy"}
        rows = dict.fromkeys(row for kind, row in self.events if kind in kinds)
        return [row for row in rows if self.buyable[row] and row not in bought]

    def event(self, kind: str) -> None:
        self.events.append((kind, self._row(kind)))

    def _row(self, kind: str) -> int:
        rng = self.rng
        if kind == "view":
            return self.pick(self.explore if rng.random() < _EXPLORE_VIEW else self.appeal)
        funnel = self.earlier(("view",) if kind == "cart" else ("view", "cart"))
        share = _CART_FROM_VIEWS if kind == "cart" else _BUY_FROM_SEEN
        if funnel and rng.random() < share:
            return funnel[int(rng.integers(len(funnel)))]
        explore = kind == "buy" and rng.random() < _EXPLORE_BUY
        return self.pick((self.explore if explore else self.appeal) * self.buyable)


def _shopper(rng: np.random.Generator, catalog: _Catalog) -> Shopper:
    taste = _taste(rng, catalog)
    stated = {slot: rng.random() < share for slot, share in _STATED.items()}
    budget = (round(taste.comfort * _BUDGET[0]), round(taste.comfort * _BUDGET[1]))
    buyable = catalog.stock.get(taste.size, catalog.stock["any"])
    affordable = buyable & (catalog.price >= budget[0]) & (catalog.price <= budget[1])
    stated["budget"] = stated["budget"] and bool(affordable.any())
    buyable = affordable if stated["budget"] else buyable
    explore = np.exp(catalog.popularity / _EXPLORE_SCALE)
    draws = _Draws(rng, _appeal(catalog, taste), explore, buyable, [])
    for kind in rng.choice(_KINDS, int(rng.integers(_EVENTS[0], _EVENTS[1] + 1)), p=_KIND_SHARES):
        draws.event(str(kind))
    if all(kind != "buy" for kind, _ in draws.events):
        draws.event("buy")
    last = max(i for i, (kind, _) in enumerate(draws.events) if kind == "buy")
    hidden = draws.events[last][1]
    seen = any(row == hidden and kind != "buy" for kind, row in draws.events[:last])
    history = draws.events[:last] + draws.events[last + 1 :]
    profile = _profile(catalog, taste, history, stated, budget)
    return Shopper(profile, taste.size, catalog.products[hidden].sku, seen)


def _profile(
    catalog: _Catalog,
    taste: _Taste,
    history: list[tuple[str, int]],
    stated: dict[str, bool],
    budget: tuple[int, int],
) -> dict[str, Any]:
    """The profile a shop would keep: history lists newest first, and the stated slots."""
    profile: dict[str, Any] = {}
    for kind, key in (("view", "viewed"), ("cart", "carted"), ("buy", "bought")):
        rows = [row for event, row in reversed(history) if event == kind]
        profile[key] = list(dict.fromkeys(catalog.products[row].sku for row in rows))
    if stated["size"]:
        profile["size"] = taste.size
    if stated["brand"]:
        profile["brands"] = [BRANDS[int(taste.brands[0])]]
    if stated["colors"]:
        profile["colors"] = [COLOUR_KEYS[int(c)] for c in taste.colours]
    if stated["categories"]:
        profile["categories"] = [CATEGORIES[int(c)] for c in taste.categories]
    if stated["budget"]:
        profile["budget"] = {"min": budget[0], "max": budget[1]}
    return profile


# --- the two catalogs ----------------------------------------------------------------------

SCENARIOS = {"long_tail": "long-tail popularity", "flat": "flat popularity"}
"""Scenario names (``--scenario``), in the order they are run and reported, and labels."""
_ZIPF_EXPONENT = 1.0
_PERMUTATION_STREAM = 1  # the permutation's numpy seed is [seed, 1]: not the customers' stream


def long_tail(products: Sequence[Product], seed: int) -> list[Product]:
    """``products`` with Zipf popularity: rank r of N (a random order) gets 25 × ln(N / r).

    A customer's pull to a product, exp(popularity / 25), is then N / r; the order is
    the same for the same ``seed``.
    """
    count = len(products)
    rng = np.random.default_rng([seed, _PERMUTATION_STREAM])
    rank = rng.permutation(count) + 1.0
    # exp(popularity / 25) is the pull of exploration and of the appeal (2.0 / 100 / 0.5)
    popularity = _EXPLORE_SCALE * _ZIPF_EXPONENT * np.log(count / rank)
    return [
        replace(product, popularity=float(value))
        for product, value in zip(products, popularity.tolist(), strict=True)
    ]


def _with_popularity(scenario: str, flat: list[Product], seed: int) -> list[Product]:
    return long_tail(flat, seed) if scenario == "long_tail" else flat


# --- measuring -------------------------------------------------------------------------------

_METHODS = ("recommend", "popular_in_size", "popular")
_TOP_SHARES = {"top_1_percent": 0.01, "top_20_percent": 0.2}
"""Shares of the catalog, most popular first, whose share of hidden purchases is reported."""


def run(
    customers: int = 10_000,
    products: int = 5_000,
    seed: int = 1,
    scenarios: Sequence[str] = tuple(SCENARIOS),
) -> dict[str, Any]:
    """Generate, hide, recommend and count per scenario; the result as in recommend.json."""
    started = time.perf_counter()
    flat = generate_products(products, seed)
    measured = [
        _scenario(name, _with_popularity(name, flat, seed), customers, seed) for name in scenarios
    ]
    return {
        "benchmark": "recommend",
        "cores": os.cpu_count(),
        "when": now_iso(),
        "commit": git_commit(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "products": products,
        "customers": customers,
        "k": K,
        "seed": seed,
        "target_ratio": TARGET_RATIO,
        "scenarios": measured,
        "total_s": time.perf_counter() - started,
    }


def _scenario(name: str, catalog: list[Product], customers: int, seed: int) -> dict[str, Any]:
    """One catalog's customers, hit rates, split, ratio, concentration and times."""
    started = time.perf_counter()
    index = CatalogIndex.build(catalog, seq=1)
    people = shoppers(catalog, customers, seed)
    generated = time.perf_counter() - started
    first = time.perf_counter()
    recommend(index, Taste(viewed=(catalog[0].sku,)), limit=K)  # builds the derived arrays
    first_ms = (time.perf_counter() - first) * 1e3
    hits, times, shown = _evaluate(index, people)
    return {
        "scenario": name,
        "label": SCENARIOS[name],
        "max_popularity": max(product.popularity for product in catalog),
        "top_product_in_stock": bool(max(catalog, key=lambda p: p.popularity).in_stock),
        "purchase_share": _concentration(catalog, people),
        **_result(people, hits, times, shown, len(index)),
        "first_call_ms": first_ms,
        "generate_s": generated,
    }


def _concentration(catalog: Sequence[Product], people: Sequence[Shopper]) -> dict[str, float]:
    """Shares of the hidden purchases among the most popular products (ties by sku)."""
    skus = [product.sku for product in catalog]
    popularity = np.array([product.popularity for product in catalog], dtype=np.float64)
    order = np.lexsort((np.array(skus), -popularity))
    place = dict(zip((skus[row] for row in order.tolist()), range(len(skus)), strict=True))
    return {
        name: _rate([place[person.hidden] < round(share * len(skus)) for person in people])
        for name, share in _TOP_SHARES.items()
    }


def _evaluate(
    index: CatalogIndex, people: Sequence[Shopper]
) -> tuple[dict[str, list[bool]], list[float], set[str]]:
    """Hits per method and customer, seconds per recommendation (sorted), skus shown."""
    plain = {product.sku for product in popular(index, limit=K)}
    hits: dict[str, list[bool]] = {method: [] for method in _METHODS}
    times: list[float] = []
    shown: set[str] = set()
    for person in people:
        began = time.perf_counter()
        taste = Taste.from_profile(person.profile)
        found = [product.sku for product in recommend(index, taste, limit=K)]
        times.append(time.perf_counter() - began)
        shown.update(found)
        baseline = popular(index, limit=K, size=taste.size, exclude=taste.bought)
        hits["recommend"].append(person.hidden in found)
        hits["popular_in_size"].append(person.hidden in {p.sku for p in baseline})
        hits["popular"].append(person.hidden in plain)
    return hits, sorted(times), shown


def _result(
    people: Sequence[Shopper],
    hits: dict[str, list[bool]],
    times: list[float],
    shown: set[str],
    products: int,
) -> dict[str, Any]:
    rates = {method: _rate(hits[method]) for method in _METHODS}
    baseline = rates["popular_in_size"]
    ratio = rates["recommend"] / baseline if baseline else None
    return {
        "hit_rate": rates,
        "by_history": _split(people, hits),
        "ratio_vs_popular_in_size": ratio,
        "target_met": ratio is not None and ratio >= TARGET_RATIO,
        "coverage": len(shown) / products if products else 0.0,
        "latency_ms": {
            q: percentile(times, n) * 1e3 for q, n in (("p50", 50), ("p95", 95), ("p99", 99))
        }
        | {"max": times[-1] * 1e3},
    }


def _rate(hits: Sequence[bool]) -> float:
    return sum(hits) / len(hits) if hits else 0.0


def _split(people: Sequence[Shopper], hits: dict[str, list[bool]]) -> dict[str, Any]:
    """Hit rates for hidden purchases viewed or carted before ("seen") and the others ("new")."""
    split: dict[str, Any] = {}
    for name, seen in (("seen", True), ("new", False)):
        chosen = [i for i, person in enumerate(people) if person.seen_before is seen]
        rates = {method: _rate([hits[method][i] for i in chosen]) for method in _METHODS}
        split[name] = {"customers": len(chosen), **rates}
    return split


# --- reporting -------------------------------------------------------------------------------

_TITLE = "## Recommendations: hit rate at 10"
_INTRO = """\
`python bench/recommend.py` generates {products:,} products (`generate_products`, seed {seed})
and measures {versions}. With
*flat popularity* (the generator's own) popularity is an integer 0–100 drawn uniformly; about
1 % of the products share the top value. Retail sales are long-tailed, a few products selling
most, so *long-tail popularity* re-assigns it: in a random order, the product at rank r of N
gets 25 × ln(N / r). In both catalogs customers are drawn to a product by exp(popularity / 25),
its pull; under the long tail the pull is N / r, Zipf's law with exponent 1. {concentration}
Each customer has a hidden taste — 1–2 favourite categories and 1–3 brands drawn by
popularity, 1–3 colours, a shoe size from a normal around 42 (sd 2.5), a comfort price from a
log-normal around 90 € — and 3–15 events drawn from the taste and the pull, with some
exploration by the pull alone: views, cart adds and purchases; cart adds and purchases are
often of something viewed before, and always in stock in their size. Some profiles also hold
the slots a conversation fills (size, a brand, colours, categories, a budget). Each customer's
last purchase is hidden, the rest becomes their profile; the hit rate is the share of
customers whose hidden purchase is among the 10 products shown. The module's docstring spells
out the distribution. One core; the time includes reading the profile.
"""
_WIDTH = 95
_HEADER = (
    "| popularity | measure | recommend | popular, same size | popular | target | verdict |\n"
    "| --- | --- | --- | --- | --- | --- | --- |"
)


def markdown(result: dict[str, Any]) -> str:
    """The BENCHMARKS.md section for ``result``: every scenario in one table."""
    scenarios = result["scenarios"]
    customers = f"{result['customers']:,} synthetic customers"
    versions = (
        f"two versions of that catalog with {customers} each"
        if len(scenarios) > 1
        else f"it with {scenarios[0]['label']} on {customers}"
    )
    concentration = _concentration_text(scenarios)
    intro = _INTRO.format(**result, versions=versions, concentration=concentration)
    lines = [_TITLE, "", textwrap.fill(" ".join(intro.split()), _WIDTH), "", _HEADER]
    for scenario in scenarios:
        lines += _scenario_rows(scenario, result)
    return "\n".join(lines) + "\n"


def _concentration_text(scenarios: Sequence[dict[str, Any]]) -> str:
    def shares(key: str) -> str:
        return " and ".join(f"{s['purchase_share'][key]:.1%} with {s['label']}" for s in scenarios)

    sold_out = [s["label"] for s in scenarios if not s["top_product_in_stock"]]
    note = (
        f" With {' and '.join(sold_out)} the most popular product is sold out." if sold_out else ""
    )
    return (
        f"Of the hidden purchases, the 1 % most popular products took {shares('top_1_percent')};"
        f" the 20 % most popular {shares('top_20_percent')}.{note}"
    )


def _scenario_rows(scenario: dict[str, Any], result: dict[str, Any]) -> list[str]:
    rates, split, latency = scenario["hit_rate"], scenario["by_history"], scenario["latency_ms"]
    verdict = "met" if scenario["target_met"] else "**not met**"
    target = f"≥ {result['target_ratio']:.1f}×"
    ratio = _times(scenario["ratio_vs_popular_in_size"])
    speed = f"{latency['p50']:.2f} / {latency['p95']:.2f} ms"
    return [
        _rates_row(scenario["label"], "hit rate at 10, all customers", rates, result["customers"]),
        _rates_row("", "… hidden purchase viewed or carted before", split["seen"]),
        _rates_row("", "… hidden purchase new to them", split["new"]),
        _row("", "recommend / popular with the same size", ratio, "", "", target, verdict),
        _row("", f"time per recommendation, p50 / p95 ({result['products']:,} products)", speed),
        _row("", "catalog shown to someone (coverage)", f"{scenario['coverage']:.1%}"),
    ]


def _rates_row(
    scenario: str, label: str, rates: dict[str, Any], customers: int | None = None
) -> str:
    count = customers if customers is not None else rates["customers"]
    return _row(scenario, f"{label} ({count:,})", *(f"{rates[m]:.1%}" for m in _METHODS))


def _row(*cells: str) -> str:
    """A table row of seven columns, the missing ones empty."""
    return "| " + " | ".join((*cells, *[""] * (7 - len(cells)))) + " |"


def _times(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio:.1f}×"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", choices=(*SCENARIOS, "both"), default="both")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    scenarios = tuple(SCENARIOS) if args.scenario == "both" else (args.scenario,)
    result = run(args.customers, args.products, args.seed, scenarios)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(markdown(result))
    print(f"wrote {args.out} in {result['total_s']:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    if hasattr(os, "sched_setaffinity"):  # one core, as the time per recommendation says
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    sys.exit(main())
