"""The generated catalog benchmarks use: the same for the same seed, and shaped like a shop's."""

from __future__ import annotations

from theke.commerce import generate_products, parse_row, to_row
from theke.commerce.generate import BRANDS, CATEGORIES


def test_the_same_seed_gives_the_same_catalog() -> None:
    assert generate_products(50, seed=4) == generate_products(50, seed=4)
    assert generate_products(50, seed=4) != generate_products(50, seed=5)


def test_the_catalog_looks_like_a_sneaker_shops() -> None:
    products = generate_products(2000, seed=1)
    assert len({p.sku for p in products}) == 2000
    assert {p.category for p in products} == set(CATEGORIES)
    assert len({p.brand for p in products}) >= 25 and len(BRANDS) == 30
    assert min(p.price_cents for p in products) >= 2999
    assert max(p.price_cents for p in products) <= 24999
    sizes = {s.size for p in products for s in p.sizes}
    assert {"36", "42.5", "47"} <= sizes
    assert 0.02 < sum(not p.in_stock for p in products) / 2000 < 0.1
    assert len({c for p in products for c in p.colors}) >= 4


def test_generated_products_are_valid_catalog_rows() -> None:
    for product in generate_products(100, seed=2):
        assert parse_row(to_row(product)) == product
