"""Hypothesis strategies for catalog products that a shop could write."""

from __future__ import annotations

from hypothesis import strategies as st

from theke.commerce import COLOUR_KEYS, Product, SizeStock, normalize_size
from theke.commerce.products import size_sort_key

__all__ = ["products", "texts"]

_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))


def texts(max_size: int) -> st.SearchStrategy[str]:
    """Text as a cell holds it: no surrounding spaces, not empty."""
    return st.text(_CHARACTERS, min_size=1, max_size=max_size).map(str.strip).filter(bool)


_sizes = st.builds(
    lambda whole, decimals: normalize_size(f"{whole}.{decimals:02d}"),
    st.integers(1, 99),
    st.sampled_from([0, 0, 0, 50, 5, 33]),
)


@st.composite
def _size_stock(draw: st.DrawFn) -> tuple[SizeStock, ...]:
    sizes = draw(st.sets(_sizes.filter(bool), min_size=1, max_size=8))
    ordered = sorted((size for size in sizes if size), key=size_sort_key)
    stocks = draw(
        st.lists(st.integers(0, 1_000_000_000), min_size=len(ordered), max_size=len(ordered))
    )
    return tuple(SizeStock(size, stock) for size, stock in zip(ordered, stocks, strict=True))


_languages = st.sampled_from(["en", "fr", "it", "nl"])


@st.composite
def products(draw: st.DrawFn) -> Product:
    """A valid product, in the normalised form the row parser gives."""
    sku = draw(st.from_regex(r"[A-Za-z0-9._-]{1,64}", fullmatch=True))
    return Product(
        sku=sku,
        name=draw(texts(200)),
        category=draw(st.from_regex(r"[a-z0-9_-]{1,64}", fullmatch=True)),
        price_cents=draw(st.integers(1, 9_999_999_999)),
        currency=draw(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
        sizes=draw(_size_stock()),
        brand=draw(st.none() | texts(100)),
        colors=tuple(draw(st.lists(st.sampled_from(COLOUR_KEYS), unique=True, max_size=4))),
        description=draw(st.none() | texts(300)),
        names=draw(st.dictionaries(_languages, texts(200), max_size=2)),
        descriptions=draw(st.dictionaries(_languages, texts(300), max_size=2)),
        image=draw(st.none() | st.just(f"images/{sku.lstrip('._-') or 'x'}.png")),
        url=draw(st.none() | st.just(f"https://shop.example/p/{sku}")),
        popularity=draw(st.floats(0, 1e12, allow_nan=False, allow_infinity=False)),
    )
