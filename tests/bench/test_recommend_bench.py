"""The recommendation benchmark on a few hundred customers: its catalogs, customers and result."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import recommend as bench

from theke.commerce.generate import generate_products
from theke.commerce.recommend import popular
from theke.commerce.search import CatalogIndex

CUSTOMERS, PRODUCTS, SEED = 300, 1500, 3


@pytest.fixture(scope="module")
def result() -> dict[str, Any]:
    return bench.run(CUSTOMERS, PRODUCTS, SEED)


def _scenarios(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {scenario["scenario"]: scenario for scenario in result["scenarios"]}


def test_the_result_has_every_figure_the_report_needs(result: dict[str, Any]) -> None:
    assert result["benchmark"] == "recommend"
    assert (result["customers"], result["products"], result["seed"]) == (300, 1500, 3)
    assert result["cores"] >= 1 and result["k"] == 10 and result["target_ratio"] == 1.5
    assert [s["scenario"] for s in result["scenarios"]] == ["long_tail", "flat"]
    for scenario in result["scenarios"]:
        rates = scenario["hit_rate"]
        assert set(rates) == {"recommend", "popular_in_size", "popular"}
        assert all(0.0 <= rate <= 1.0 for rate in rates.values())
        split = scenario["by_history"]
        assert split["seen"]["customers"] + split["new"]["customers"] == CUSTOMERS
        assert split["seen"]["customers"] > 0 and split["new"]["customers"] > 0
        latency = scenario["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
        assert 0 < scenario["coverage"] <= 1
        assert scenario["target_met"] == (scenario["ratio_vs_popular_in_size"] >= 1.5)
        share = scenario["purchase_share"]
        assert 0 < share["top_1_percent"] <= share["top_20_percent"] <= 1
    assert json.loads(json.dumps(result)) == result


def test_on_a_long_tail_purchases_concentrate_and_popularity_predicts_more(
    result: dict[str, Any],
) -> None:
    long_tail, flat = _scenarios(result)["long_tail"], _scenarios(result)["flat"]
    assert flat["max_popularity"] <= 100 < long_tail["max_popularity"]
    top, flat_top = long_tail["purchase_share"], flat["purchase_share"]
    assert top["top_1_percent"] > 3 * flat_top["top_1_percent"]
    assert top["top_20_percent"] > flat_top["top_20_percent"]
    assert long_tail["hit_rate"]["popular"] > 2 * flat["hit_rate"]["popular"]
    assert long_tail["hit_rate"]["popular_in_size"] > 2 * flat["hit_rate"]["popular_in_size"]


def test_personal_recommendations_find_more_hidden_purchases_than_popularity(
    result: dict[str, Any],
) -> None:
    long_tail, flat = _scenarios(result)["long_tail"], _scenarios(result)["flat"]
    rates = flat["hit_rate"]
    assert rates["recommend"] > 2 * max(rates["popular_in_size"], rates["popular"], 0.01)
    new = flat["by_history"]["new"]  # not only what they looked at before
    assert new["recommend"] > new["popular_in_size"]
    rates = long_tail["hit_rate"]
    assert rates["recommend"] > 1.5 * max(rates["popular_in_size"], rates["popular"])
    seen = long_tail["by_history"]["seen"]
    assert seen["recommend"] > 2 * seen["popular_in_size"]


def test_long_tail_popularity_follows_zipf_in_a_random_order() -> None:
    products = generate_products(800, seed=2)
    shifted = bench.long_tail(products, seed=2)
    assert [replace(p, popularity=0.0) for p in shifted] == [
        replace(p, popularity=0.0) for p in products
    ]
    ranked = sorted((p.popularity for p in shifted), reverse=True)
    assert ranked[0] == pytest.approx(25 * math.log(800)) and ranked[-1] == pytest.approx(0)
    for rank in (2, 10, 100, 800):  # the pull exp(popularity / 25) of rank r is 1 / r of the top
        assert math.exp((ranked[rank - 1] - ranked[0]) / 25) == pytest.approx(1 / rank)
    assert shifted == bench.long_tail(products, seed=2)
    assert [p.popularity for p in shifted] != [p.popularity for p in bench.long_tail(products, 3)]
    assert shifted[:50] != sorted(shifted[:50], key=lambda p: -p.popularity)


def test_the_index_ranks_by_the_long_tail_popularity() -> None:
    shifted = bench.long_tail(generate_products(800, seed=2), seed=2)
    in_stock = [p for p in shifted if p.in_stock]
    expected = sorted(in_stock, key=lambda p: -p.popularity)[:5]
    assert popular(CatalogIndex.build(shifted, seq=1), limit=5) == expected


def test_the_markdown_section_shows_both_catalogs_in_one_table(result: dict[str, Any]) -> None:
    text = bench.markdown(result)
    assert text.startswith("## Recommendations: hit rate at 10\n")
    assert text.count("| popularity | measure |") == 1
    for scenario in result["scenarios"]:
        rates = scenario["hit_rate"]
        row = (
            f"| {scenario['label']} | hit rate at 10, all customers (300) | "
            f"{rates['recommend']:.1%} | {rates['popular_in_size']:.1%} | {rates['popular']:.1%} |"
        )
        assert row in text
        assert f"{scenario['purchase_share']['top_1_percent']:.1%} with {scenario['label']}" in text
    sold_out = not all(scenario["top_product_in_stock"] for scenario in result["scenarios"])
    assert ("the most popular product is sold out" in " ".join(text.split())) == sold_out
    verdicts = ["| met |" if s["target_met"] else "| **not met** |" for s in result["scenarios"]]
    assert sum(text.count(verdict) for verdict in set(verdicts)) == len(verdicts)


def test_customers_are_the_same_for_a_seed_and_buy_what_is_in_stock_in_their_size() -> None:
    products = generate_products(800, seed=2)
    first = bench.shoppers(products, 40, seed=9)
    assert first == bench.shoppers(products, 40, seed=9)
    assert first != bench.shoppers(products, 40, seed=10)
    by_sku = {product.sku: product for product in products}
    for shopper in first:
        assert by_sku[shopper.hidden].stock(shopper.size) > 0
        assert shopper.profile.get("size", shopper.size) == shopper.size
        history = shopper.profile["viewed"] + shopper.profile["carted"]
        if shopper.seen_before:
            assert shopper.hidden in history
        assert len(history) + len(shopper.profile["bought"]) <= 15


def test_the_command_writes_its_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "recommend.json"
    args = ["--customers", "30", "--products", "400", "--seed", "4", "--out", str(out)]
    assert bench.main(args) == 0
    written = json.loads(out.read_text())
    assert written["customers"] == 30 and written["products"] == 400
    assert [s["scenario"] for s in written["scenarios"]] == ["long_tail", "flat"]
    printed = capsys.readouterr().out
    assert printed.count("| recommend / popular with the same size |") == 2
    assert bench.main([*args, "--scenario", "flat"]) == 0
    assert [s["scenario"] for s in json.loads(out.read_text())["scenarios"]] == ["flat"]
    assert "| flat popularity |" in capsys.readouterr().out
