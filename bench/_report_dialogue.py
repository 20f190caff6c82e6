"""The conversation section of BENCHMARKS.md: a full turn, the catalog search and the FAQ."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["DIALOGUE_BENCHMARKS", "dialogue_section"]

DIALOGUE_BENCHMARKS = frozenset({"turn", "catalog_search", "knowledge"})

_INTRO = """\
## Conversations: a full turn, the catalog and the FAQ

`python bench/turn.py` runs scripted conversations with the demo shop in-process on one core
(the process pinned to one CPU, BLAS on one thread): every turn is the NLU, the flow engine,
the FAQ search, a catalog search over 100,000 generated products where a flow asks for one,
and the replies turned into the JSON a channel sends. It also times the demo's conversation
tests. `python bench/catalog_search.py` measures the catalog index alone,
`python bench/knowledge.py` the FAQ search on the demo's 33 entries.
"""


def dialogue_section(results: Sequence[dict[str, Any]]) -> str:
    """The table, or a note that nothing has been measured yet."""
    by_name = {str(result.get("benchmark")): result for result in results}
    rows = [*_turn_rows(by_name.get("turn")), *_catalog_rows(by_name.get("catalog_search"))]
    rows += _knowledge_rows(by_name.get("knowledge"))
    if not rows:
        return _INTRO + "\nNo results yet: run `python bench/turn.py`.\n"
    header = ("measure", "value", "target", "verdict")
    lines = [_INTRO, _row(header), _row(tuple("---" for _ in header))]
    lines.extend(_row(row) for row in rows)
    return "\n".join(lines) + "\n"


def _turn_rows(turn: dict[str, Any] | None) -> list[tuple[str, ...]]:
    if turn is None:
        return []
    latency = turn["turn_ms"]
    p99, tests = latency["p99"], turn["demo_tests_s"]
    return [
        (
            f"full turn, p50 / p99 / max ({turn['turns']:,} turns, {turn['products']:,} products)",
            f"{latency['p50']:.2f} / {p99:.2f} / {latency['max']:.1f} ms",
            f"p99 ≤ {turn['target_p99_ms']:.0f} ms on one core",
            _verdict(p99 <= turn["target_p99_ms"]),
        ),
        (
            "memory: the bot (NLU, encoder, FAQ) / the catalog index / peak",
            f"{turn.get('bot_rss_mb', 0):.0f} / {turn.get('catalog_rss_mb', 0):.0f} / "
            f"{turn['rss_mb']:.0f} MB",
            "",
            "",
        ),
        (
            f"the demo's conversation tests ({turn['demo_stories']} stories)",
            f"{tests:.1f} s",
            f"< {turn['target_demo_tests_s']:.0f} s",
            _verdict(tests < turn["target_demo_tests_s"]),
        ),
    ]


def _catalog_rows(catalog: dict[str, Any] | None) -> list[tuple[str, ...]]:
    if catalog is None:
        return []
    mix, sync = catalog["mix"], catalog["sync"]
    size = f"{catalog['products']:,} products"
    return [
        (f"catalog search, query mix, p50 / p99 ({size})",
         f"{mix['p50_ms']:.2f} / {mix['p99_ms']:.2f} ms", "", ""),
        (f"catalog index build ({size})", f"{catalog['build_s']:.1f} s", "", ""),
        ("100 stock changes applied to the index", f"{sync['stock_100_ms']:.0f} ms", "", ""),
    ]  # fmt: skip


def _knowledge_rows(knowledge: dict[str, Any] | None) -> list[tuple[str, ...]]:
    if knowledge is None:
        return []
    mode = knowledge["modes"].get("words+use") or next(iter(knowledge["modes"].values()))
    customer, outside = mode["customer"], mode["out_of_scope"]
    return [
        (
            f"FAQ: customer-style questions (fixture shop, not fitted on), right / answered "
            f"({customer['n']})",
            f"{customer['top1']:.1%} / {customer['at_threshold']:.1%}",
            "",
            "",
        ),
        (f"FAQ: out-of-scope questions not answered ({outside['n']})",
         f"{outside['rejected']:.1%}", "", ""),
        ("FAQ search p50 (33 entries)", f"{mode['search_ms']['p50']:.2f} ms", "", ""),
    ]  # fmt: skip


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"
