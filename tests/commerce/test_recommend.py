"""Personal recommendations: what a customer is shown, and what they are never shown."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.commerce.generate import generate_products
from theke.commerce.products import Product, SizeStock
from theke.commerce.recommend import Taste, popular, recommend, similar
from theke.commerce.search import CatalogIndex

BRAND = "Puma"  # the brand with the most running shoes in stock in 43 in this catalog


@pytest.fixture(scope="module")
def catalog() -> list[Product]:
    return generate_products(3000, seed=5)


@pytest.fixture(scope="module")
def index(catalog: list[Product]) -> CatalogIndex:
    return CatalogIndex.build(catalog, seq=1)


def _running(catalog: list[Product], *, in_43: bool) -> list[str]:
    return [
        p.sku
        for p in catalog
        if p.category == "running" and p.brand == BRAND and (p.stock("43") > 0) == in_43
    ]


@pytest.fixture(scope="module")
def runner(catalog: list[Product]) -> dict[str, Any]:
    """A profile: viewed and carted running shoes of one brand, bought one, size 43."""
    in_43, not_in_43 = _running(catalog, in_43=True), _running(catalog, in_43=False)
    return {
        "viewed": [in_43[0], not_in_43[0], in_43[1], in_43[2]],
        "carted": [in_43[1]],
        "bought": [in_43[3]],
        "size": "43",
    }


def test_a_runner_gets_running_shoes_of_their_brand_in_stock_in_43_first(
    index: CatalogIndex, runner: dict[str, Any]
) -> None:
    shown = recommend(index, Taste.from_profile(runner))
    assert len(shown) == 10
    assert all(p.category == "running" and p.brand == BRAND for p in shown[:5])
    assert sum(p.category == "running" for p in shown) >= 8
    assert all(p.stock("43") > 0 for p in shown)
    assert runner["bought"][0] not in {p.sku for p in shown}
    assert runner["viewed"][1] not in {p.sku for p in shown}  # viewed, but not in 43
    assert shown[0].sku == runner["carted"][0]  # carted and viewed: the strongest signal


def test_what_they_bought_comes_back_only_when_asked(
    index: CatalogIndex, runner: dict[str, Any]
) -> None:
    taste = Taste.from_profile(runner)
    every = recommend(index, taste, limit=3000)
    again = recommend(index, taste, limit=3000, keep_bought=True)
    assert runner["bought"][0] not in {p.sku for p in every}
    assert runner["bought"][0] in {p.sku for p in again}
    first = recommend(index, taste)[0].sku
    assert first not in {p.sku for p in recommend(index, taste, exclude=[first])}


def test_a_product_sold_out_in_their_size_leaves_the_recommendations(
    index: CatalogIndex, runner: dict[str, Any]
) -> None:
    taste = Taste.from_profile(runner)
    first = recommend(index, taste)[0]
    sold = index.with_stock([(first.sku, "43", 0)], seq=2)
    assert first.sku not in {p.sku for p in recommend(sold, taste)}
    assert recommend(index, taste)[0].sku == first.sku  # the old snapshot is unchanged


def test_a_stated_budget_keeps_the_prices_within_it(
    index: CatalogIndex, runner: dict[str, Any]
) -> None:
    shown = recommend(index, Taste.from_profile({**runner, "budget": {"min": 40, "max": 80}}))
    assert len(shown) == 10
    assert all(4000 <= p.price_cents <= 8000 for p in shown)
    assert any(not 4000 <= p.price_cents <= 8000 for p in recommend(index, Taste(size="43")))


def test_stated_preferences_alone_are_a_taste(index: CatalogIndex) -> None:
    taste = Taste.from_profile({"brands": ["vans"], "categories": ["Skate"], "colors": ["Rot"]})
    assert not taste.empty
    shown = recommend(index, taste)
    assert all(p.brand == "Vans" and p.category == "skate" for p in shown[:3])
    assert all(p.in_stock for p in shown)


def test_an_empty_taste_gets_the_popular_products(index: CatalogIndex) -> None:
    assert Taste.from_profile({}).empty
    assert recommend(index, Taste()) == popular(index)
    assert recommend(index, Taste(size="43"), limit=7) == popular(index, size="43", limit=7)
    unknown = Taste(viewed=("NOT-IN-THE-CATALOG",))
    assert recommend(index, unknown) == popular(index)


def test_popular_is_by_popularity_then_sku_and_in_stock(
    index: CatalogIndex, catalog: list[Product]
) -> None:
    shown = popular(index, limit=20, size="44.5")
    expected = sorted(
        (p for p in catalog if p.stock("44.5") > 0), key=lambda p: (-p.popularity, p.sku)
    )
    assert shown == expected[:20]
    assert popular(index, size="99") == []  # nobody has that size in stock
    assert popular(index, limit=0) == []


def test_similar_products_to_a_sold_out_one() -> None:
    def shoe(sku: str, euros: int, **kw: Any) -> Product:
        values: dict[str, Any] = {
            "sku": sku,
            "name": sku,
            "category": "running",
            "price_cents": euros * 100,
            "sizes": (SizeStock("43", 2), SizeStock("44", 1)),
            "brand": "Asics",
            "colors": ("blue",),
            "popularity": 50.0,
        }
        values.update(kw)
        return Product(**values)

    sold_out = shoe("SOLD", 100, brand="Nike", sizes=(SizeStock("43", 0),))
    index = CatalogIndex.build(
        [
            sold_out,
            shoe("CHEAP", 35, brand="Nike", colors=("blue", "white"), popularity=100.0),
            shoe("PRICEY", 240, brand="Nike", popularity=100.0),
            shoe("NEAR-LOW", 95),
            shoe("ASICS-130", 130),
            shoe("NEAR-HIGH", 105),
            shoe("SAME-BRAND", 112, brand="Nike"),
            shoe("TRAIL", 100, category="trail", brand="Nike"),
            shoe("NOT-IN-43", 100, brand="Nike", sizes=(SizeStock("43", 0), SizeStock("44", 3))),
            shoe("GONE", 100, brand="Nike", sizes=(SizeStock("43", 0),)),
        ]
    )
    found = similar(index, sold_out, size="43", limit=3)
    assert [p.sku for p in found] == ["SAME-BRAND", "NEAR-HIGH", "NEAR-LOW"]
    assert all(p.category == "running" and p.stock("43") > 0 for p in found)
    assert all(abs(math.log(p.price_cents / sold_out.price_cents)) < 0.15 for p in found)
    anywhere = [p.sku for p in similar(index, sold_out, limit=10)]
    assert anywhere[0] == "NOT-IN-43"  # without a size: same brand, same price
    assert {"SOLD", "GONE", "TRAIL"}.isdisjoint(anywhere)
    assert anywhere[4] == "ASICS-130"
    assert anywhere[-2:] in (["CHEAP", "PRICEY"], ["PRICEY", "CHEAP"])


def test_a_profile_is_read_tolerantly() -> None:
    taste = Taste.from_profile(
        {
            "viewed": [None, "A-1", "A-1", 3, {"sku": "X"}, " B-2 ", ""],
            "carted": "C-3",
            "bought": {"not": "a list"},
            "size": "42,5",
            "colors": ["Schwarz", "kariert", 7],
            "brands": "Nike",
            "categories": ["Running", "running"],
            "budget": {"min": "120", "max": 50},
        }
    )
    assert taste == Taste(
        viewed=("A-1", "B-2"),
        carted=("C-3",),
        size="42.5",
        brands=("Nike",),
        colors=("black",),
        categories=("running",),
        budget_min=50.0,
        budget_max=120.0,
    )


@pytest.mark.parametrize(
    "profile",
    [
        None,
        [],
        "viewed",
        {"viewed": 5, "size": True},
        {"size": 10**400, "budget": "cheap"},
        {"size": float("nan"), "budget": {"min": float("inf"), "max": [1]}},
        {"size": "EU 43", "budget": 10**400, "colors": {"black": 1}},
        {"brands": [None, ""], "categories": 4.5, "carted": [[["deep"]]]},
    ],
)
def test_junk_profiles_give_a_taste_and_recommendations(index: CatalogIndex, profile: Any) -> None:
    taste = Taste.from_profile(profile)
    assert taste.empty and taste.size is None
    assert recommend(index, taste, limit=5) == popular(index, limit=5)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)
_KEYS = ["viewed", "carted", "bought", "size", "brands", "colors", "categories", "budget"]


@st.composite
def _profiles(draw: st.DrawFn, skus: list[str]) -> dict[str, Any]:
    """Profiles as found in the wild: real skus, plausible slots, and junk anywhere."""
    sku_lists = st.lists(st.sampled_from(skus) | st.text(max_size=8), max_size=12)
    plausible = {
        "viewed": sku_lists,
        "carted": sku_lists,
        "bought": sku_lists,
        "size": st.sampled_from(["42", "43", "42,5", "44.5", "99", "", 41, 45.0]),
        "brands": st.lists(st.sampled_from(["Nike", "puma", "Vans", "Unbekannt"]), max_size=3),
        "colors": st.lists(st.sampled_from(["schwarz", "white", "navy", "lila"]), max_size=3),
        "categories": st.lists(st.sampled_from(["running", "Kids", "golf"]), max_size=2),
        "budget": st.fixed_dictionaries({"min": st.integers(0, 300), "max": st.integers(0, 300)}),
    }
    profile: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(_KEYS), unique=True)):
        profile[key] = draw(plausible[key] | _json)
    profile.update(draw(st.dictionaries(st.text(max_size=8), _json, max_size=2)))
    return profile


@settings(max_examples=150, deadline=None)
@given(data=st.data(), limit=st.integers(0, 25))
def test_any_profile_gives_at_most_limit_distinct_products_in_stock(
    index: CatalogIndex, catalog: list[Product], data: st.DataObject, limit: int
) -> None:
    profile = data.draw(_profiles([p.sku for p in catalog[:60]]))
    taste = Taste.from_profile(profile)
    shown = recommend(index, taste, limit=limit)
    assert len(shown) <= limit
    assert len({p.sku for p in shown}) == len(shown)
    assert all(p.in_stock for p in shown)
    assert taste.size is None or all(p.stock(taste.size) > 0 for p in shown)
    assert not {p.sku for p in shown} & set(taste.bought)


def test_the_taste_reads_what_conversations_leave_in_a_profile() -> None:
    profile = {
        "likes": {
            "category": {"running": 3, "trail": 1},
            "brand": {"Nike": 2},
            "color": {"schwarz": 1},
        },
        "remembered": {"size": 43.0, "budget": {"min": None, "max": 100.0}},
        "viewed": ["SC-RUN-002"],
    }
    taste = Taste.from_profile(profile)
    assert taste.categories == ("running", "trail")  # most chosen first
    assert taste.brands == ("Nike",)
    assert taste.colors == ("black",)
    assert taste.size == "43"
    assert taste.budget_max == 100.0
