"""What a customer finds: filters, sold-out products, ranking, text, and snapshots that stay put."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.commerce import (
    CatalogIndex,
    Product,
    Query,
    SizeStock,
    generate_products,
    normalize_colour,
    normalize_size,
)


def _product(sku: str, **kw: object) -> Product:
    values: dict[str, object] = {
        "sku": sku,
        "name": f"Modell {sku}",
        "category": "running",
        "price_cents": 9999,
        "sizes": (SizeStock("42", 1), SizeStock("42.5", 1), SizeStock("43", 1)),
        "brand": "Nike",
        "colors": ("black",),
    }
    values.update(kw)
    return Product(**values)  # type: ignore[arg-type]


CATALOG = [
    _product("RUN-1", name="Pegasus", popularity=50.0, description="Weiche Dämpfung für Läufe."),
    _product(
        "RUN-2", name="Ultraboost", brand="adidas", colors=("white", "black"), price_cents=18999
    ),
    _product(
        "RUN-3",
        name="Gel-Kayano",
        brand="Asics",
        colors=("blue",),
        sizes=(SizeStock("42", 0), SizeStock("43", 4)),
        popularity=90.0,
    ),
    _product("SOLD-1", name="Ausverkauft", sizes=(SizeStock("42", 0), SizeStock("43", 0))),
    _product(
        "KID-1", name="Star Runner Kinder", category="kids", price_cents=3999, colors=("pink",)
    ),
    _product(
        "LIF-1",
        name="Größe Sneaker",
        names={"en": "Big sneaker"},
        category="lifestyle",
        brand="New Balance",
        colors=("grey",),
    ),
]


@pytest.fixture(scope="module")
def index() -> CatalogIndex:
    return CatalogIndex.build(CATALOG, seq=1)


def _skus(index: CatalogIndex, **query: object) -> list[str]:
    return [hit.product.sku for hit in index.search(Query(**query))]  # type: ignore[arg-type]


def test_sold_out_products_are_never_shown(index: CatalogIndex) -> None:
    assert "SOLD-1" not in _skus(index)
    assert "SOLD-1" not in _skus(index, text="Ausverkauft")
    assert "SOLD-1" not in _skus(index, size="43")
    assert len(index) == 6 and index.product("SOLD-1") is not None


def test_the_category_brand_and_colour_filters(index: CatalogIndex) -> None:
    assert sorted(_skus(index, category="running")) == ["RUN-1", "RUN-2", "RUN-3"]
    assert sorted(_skus(index, brands=("ADIDAS", "asics"))) == ["RUN-2", "RUN-3"]
    assert sorted(_skus(index, colors=("schwarz",))) == ["RUN-1", "RUN-2"]
    assert _skus(index, colors=("weiß", "pink"), category="kids") == ["KID-1"]
    assert _skus(index, brands=("Puma",)) == []
    assert _skus(index, category="basketball") == []


def test_the_price_range_is_inclusive(index: CatalogIndex) -> None:
    assert _skus(index, price_max=39.99) == ["KID-1"]
    assert _skus(index, price_min=189.99) == ["RUN-2"]
    assert "RUN-2" not in _skus(index, price_max=189.98)
    assert sorted(_skus(index, price_min=90, price_max=100)) == ["LIF-1", "RUN-1", "RUN-3"]


def test_a_size_shows_only_products_with_that_size_in_stock(index: CatalogIndex) -> None:
    assert "RUN-3" not in _skus(index, size="42")
    assert "RUN-3" in _skus(index, size="43")
    assert _skus(index, size=43.0) == _skus(index, size="43")
    assert sorted(_skus(index, size="42,5")) == ["KID-1", "LIF-1", "RUN-1", "RUN-2"]
    assert _skus(index, size="44") == []


def test_hits_carry_the_sizes_in_stock(index: CatalogIndex) -> None:
    hit = index.search(Query(text="Kayano"))[0]
    assert hit.product.sku == "RUN-3"
    assert hit.sizes_in_stock == ("43",)
    assert hit.score > 0


def test_free_text_is_folded_and_finds_names_brands_and_descriptions(
    index: CatalogIndex,
) -> None:
    assert _skus(index, text="daempfung") == ["RUN-1"]
    assert _skus(index, text="Dämpfung") == ["RUN-1"]
    assert _skus(index, text="groesse") == ["LIF-1"]
    assert _skus(index, text="big sneaker") == ["LIF-1"]
    assert _skus(index, text="new balance") == ["LIF-1"]
    assert _skus(index, text="ultra") == ["RUN-2"]  # the start of a word
    assert _skus(index, text="kinderschuhe aus holz") == []


def test_ranking_is_text_then_sizes_in_stock_then_popularity(index: CatalogIndex) -> None:
    # RUN-3 is the most popular but has one size in stock; the others have three.
    assert _skus(index, category="running") == ["RUN-1", "RUN-2", "RUN-3"]
    assert _skus(index, text="Pegasus Nike")[0] == "RUN-1"  # both words beat one


def test_limit_caps_the_hits(index: CatalogIndex) -> None:
    assert len(index.search(Query(limit=2))) == 2
    assert index.search(Query(limit=0)) == ()


def test_a_stock_change_makes_a_new_snapshot_and_leaves_the_old_one(index: CatalogIndex) -> None:
    changed = index.with_stock([("SOLD-1", "43", 2), ("RUN-1", "42", 0), ("NOPE", "42", 1)], 2)
    assert changed.seq == 2
    assert "SOLD-1" in _skus(changed, size="43")
    assert "RUN-1" not in _skus(changed, size="42")
    assert changed.product("RUN-1").stock("42") == 0  # type: ignore[union-attr]
    assert "SOLD-1" not in _skus(index)  # readers of the old snapshot see the old stock
    assert index.product("RUN-1").stock("42") == 1  # type: ignore[union-attr]
    assert changed.text is index.text and changed.columns is index.columns  # nothing rebuilt


def test_a_stock_change_may_add_a_size_no_product_had(index: CatalogIndex) -> None:
    changed = index.with_stock([("RUN-2", "47", 3)], 2)
    assert _skus(changed, size="47") == ["RUN-2"]
    assert changed.search(Query(size="47"))[0].sizes_in_stock == ("42", "42.5", "43", "47")


def test_replaced_and_removed_products(index: CatalogIndex) -> None:
    renamed = _product("RUN-1", name="Pegasus 42", category="trail")
    changed = index.with_products([renamed, _product("NEW-1", name="Cloud")], 3, removed=["RUN-2"])
    assert _skus(changed, category="trail") == ["RUN-1"]
    assert "RUN-1" not in _skus(changed, category="running")
    assert _skus(changed, text="Cloud") == ["NEW-1"]
    assert "RUN-2" not in _skus(changed) and changed.product("RUN-2") is None
    assert len(changed) == 6 and sorted(p.sku for p in changed)[0] == "KID-1"
    assert _skus(index, text="Ultraboost") == ["RUN-2"]  # the old snapshot is unchanged


def test_many_replacements_compact_the_snapshot() -> None:
    index = CatalogIndex.build(generate_products(40, seed=3), seq=1)
    for seq in range(2, 8):
        index = index.with_products(generate_products(8, seed=seq), seq)
    assert len(index) == 40
    assert len(index.products) <= 40 * 1.25 + 8
    assert {hit.product.sku for hit in index.search(Query(limit=100))} <= {p.sku for p in index}


def test_a_big_generated_catalog_is_searched_the_same_as_by_brute_force() -> None:
    products = generate_products(3000, seed=7)
    index = CatalogIndex.build(products, seq=1)
    query = Query(category="running", colors=("black",), price_max=150, size="42", limit=5)
    expected = sorted(
        (
            p
            for p in products
            if p.category == "running"
            and "black" in p.colors
            and p.price_cents <= 15000
            and p.stock("42") > 0
        ),
        key=lambda p: (-len(p.in_stock), -p.popularity, products.index(p)),
    )
    assert [hit.product.sku for hit in index.search(query)] == [p.sku for p in expected[:5]]
    everything = index.search(Query(limit=5000))
    assert len(everything) == sum(1 for p in products if p.in_stock)


_queries = st.builds(
    Query,
    category=st.none() | st.sampled_from(["running", "kids", "trail"]),
    brands=st.lists(st.sampled_from(["Nike", "adidas", "Puma", "Vans"]), max_size=2).map(tuple),
    colors=st.lists(st.sampled_from(["black", "weiß", "navy", "pink"]), max_size=2).map(tuple),
    price_min=st.none() | st.floats(0, 300),
    price_max=st.none() | st.floats(0, 300),
    size=st.none() | st.sampled_from(["36", "42.5", "44", 45.0]),
    limit=st.integers(0, 20),
)


def _matches(product: Product, query: Query) -> bool:
    colours = {normalize_colour(c) for c in query.colors}
    size = normalize_size(query.size) if query.size is not None else None
    return bool(
        product.in_stock
        and (query.category is None or product.category == query.category)
        and (not query.brands or (product.brand or "").lower() in {b.lower() for b in query.brands})
        and (not query.colors or colours & set(product.colors))
        and (query.price_min is None or product.price_cents >= _cents(query.price_min, math.ceil))
        and (query.price_max is None or product.price_cents <= _cents(query.price_max, math.floor))
        and (size is None or product.stock(size) > 0)
    )


def _cents(price: float, rounding: Callable[[float], int]) -> int:
    """A price bound in cents (``29.99 * 100`` is ``2998.9999…``: cents are meant)."""
    return rounding(round(price * 100, 6))


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 120), _queries)
def test_search_finds_what_a_scan_of_the_catalog_finds(seed: int, count: int, query: Query) -> None:
    products = generate_products(count, seed=seed)
    index = CatalogIndex.build(products, seq=1)
    order = {p.sku: n for n, p in enumerate(products)}
    expected = sorted(
        (p for p in products if _matches(p, query)),
        key=lambda p: (-len(p.in_stock), -p.popularity, order[p.sku]),
    )
    assert [hit.product.sku for hit in index.search(query)] == [
        p.sku for p in expected[: query.limit]
    ]


@pytest.mark.parametrize(
    "text", ["leichter Laufschuh mit Dämpfung und griffiger Sohle", "air zoom cloud", "trail"]
)
def test_text_hits_come_best_match_first(text: str) -> None:
    products = generate_products(12_000, seed=9)
    index = CatalogIndex.build(products, seq=1)
    hits = index.search(Query(text=text, limit=60))
    assert len(hits) == 60
    keys = [(hit.score, len(hit.sizes_in_stock), hit.product.popularity) for hit in hits]
    assert keys == sorted(keys, reverse=True)
    weaker = index.search(Query(text=text, limit=2000))[-1]
    assert weaker.score <= hits[-1].score
