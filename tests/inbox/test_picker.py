"""The product picker: an agent finds a product by name, brand or SKU and sends its card
(SQLite only)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theke.commerce import Product, SizeStock
from theke.commerce._records import to_record
from theke.content import Card, from_json
from theke.inbox.picker import QUERY_MAX, Pick, card_for, find_products
from theke.store import catalog
from theke.store.database import Database
from theke.store.migrate import upgrade

PUBLIC_URL = "https://bot.sohle.example"


def _product(sku: str, name: str, brand: str | None = None, **kw: object) -> Product:
    values: dict[str, object] = {
        "sku": sku,
        "name": name,
        "brand": brand,
        "category": "running",
        "price_cents": 8999,
        "sizes": (SizeStock("41", 2), SizeStock("42", 0), SizeStock("43", 1), SizeStock("44", 3)),
    }
    values.update(kw)
    return Product(**values)  # type: ignore[arg-type]


CATALOG = (
    _product(
        "SC-001",
        "Pegasus 41 Laufschuh",
        "Nike",
        popularity=9.0,
        image="images/sc-001.png",
        url="https://sohle.example/p/sc-001",
    ),
    _product("SC-0011", "Pegasus Trail", "Nike", popularity=5.0),
    _product("SC-002", "Gel-Kayano 30", "Asics", popularity=7.0, price_cents=15990),
    _product("WB-7", "Wanderstiefel LÖWE Pro", "Löwa", popularity=1.0),
    _product("SO_1", "100% Wolle Socke", None, popularity=0.5, price_cents=1299),
    _product("CL-9", "Straßenschuh Classic", "Puma", sizes=(SizeStock("42", 0),)),
    _product("OLD-1", "Pegasus 39", "Nike", popularity=99.0),
)
INACTIVE = "OLD-1"


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    database = Database(url)
    database.write_now(lambda conn: catalog.upsert_products(conn, [to_record(p) for p in CATALOG]))
    database.write_now(lambda conn: catalog.deactivate_products(conn, [INACTIVE]))
    try:
        yield database
    finally:
        database.engine.dispose()


def _skus(db: Database, query: str, limit: int = 8) -> list[str]:
    return [pick.sku for pick in db.read_now(lambda conn: find_products(conn, query, limit))]


# --- finding -------------------------------------------------------------------------------


def test_a_product_is_found_by_name_in_any_case_with_what_the_picker_shows(
    db: Database,
) -> None:
    [pick] = db.read_now(lambda conn: find_products(conn, "laufSCHUH"))
    assert pick == Pick(
        sku="SC-001",
        title="Pegasus 41 Laufschuh",
        brand="Nike",
        price="89,99 €",
        image_url="/catalog/images/sc-001.png",
        url="https://sohle.example/p/sc-001",
        sizes_in_stock=("41", "43", "44"),
    )


def test_every_word_must_match_somewhere_in_name_brand_or_sku(db: Database) -> None:
    assert _skus(db, "nike pegasus") == ["SC-001", "SC-0011"]
    assert _skus(db, "nike trail") == ["SC-0011"]
    assert _skus(db, "asics 30") == ["SC-002"]
    assert _skus(db, "asics trail") == []
    assert _skus(db, "wb-7") == ["WB-7"]


def test_an_exact_sku_comes_first_then_the_most_popular(db: Database) -> None:
    assert _skus(db, "sc-001") == ["SC-001", "SC-0011"]
    assert _skus(db, "SC-0011") == ["SC-0011"]
    assert _skus(db, "sc-") == ["SC-001", "SC-002", "SC-0011"]
    assert _skus(db, "sc-", limit=2) == ["SC-001", "SC-002"]


def test_umlauts_match_in_any_case(db: Database) -> None:
    for query in ("löwe", "LÖWE", "Löwe pro", "löwa", "LÖWA"):
        assert _skus(db, query) == ["WB-7"], query
    assert _skus(db, "straßen") == ["CL-9"]
    assert _skus(db, "STRASSEN") == []  # "ß" is not "ss": the agent types what the shop wrote


def test_percent_and_underscore_are_searched_for_as_they_are(db: Database) -> None:
    assert _skus(db, "100%") == ["SO_1"]
    assert _skus(db, "so_1") == ["SO_1"]
    assert _skus(db, "%") == ["SO_1"]
    assert _skus(db, "_") == ["SO_1"]


def test_inactive_products_and_empty_queries_find_nothing(db: Database) -> None:
    assert _skus(db, "pegasus 39") == []
    assert _skus(db, "old-1") == []
    assert _skus(db, "") == []
    assert _skus(db, "   \n") == []
    assert _skus(db, "nike", limit=0) == []


def test_a_sold_out_product_is_found_without_sizes(db: Database) -> None:
    [pick] = db.read_now(lambda conn: find_products(conn, "classic"))
    assert (pick.sku, pick.sizes_in_stock) == ("CL-9", ())


def test_sizes_held_by_unpaid_orders_are_not_listed(db: Database) -> None:
    db.write_now(lambda conn: catalog.reserve(conn, [catalog.Line("SC-001", "43", 1)]))
    [pick] = db.read_now(lambda conn: find_products(conn, "laufschuh"))
    assert pick.sizes_in_stock == ("41", "44")


def test_only_the_first_characters_of_a_long_query_count(db: Database) -> None:
    assert _skus(db, "nike " + " " * QUERY_MAX + "asics") == ["SC-001", "SC-0011"]


_FRAGMENTS = ["pegasus", "NIKE", "sc-00", "löwe", "LÖ", "ß", "ö", "%", "_", "1", "o", "x", "é"]


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=3))
def test_found_is_exactly_what_matches_every_word(db: Database, words: list[str]) -> None:
    query = " ".join(words)
    expected = {
        product.sku
        for product in CATALOG
        if product.sku != INACTIVE
        and all(
            any(w.lower() in f.lower() for f in (product.name, product.brand or "", product.sku))
            for w in words
        )
    }
    assert set(_skus(db, query, limit=100)) == expected


# --- the card ------------------------------------------------------------------------------


def test_the_card_is_the_one_the_bot_shows_with_the_picture_on_this_server(
    db: Database,
) -> None:
    stored = db.read_now(lambda conn: card_for(conn, "SC-001", PUBLIC_URL))
    assert stored == {
        "type": "card",
        "title": "Pegasus 41 Laufschuh",
        "subtitle": "89,99 € · Größen 41, 43–44",
        "image_url": f"{PUBLIC_URL}/catalog/images/sc-001.png",
        "url": "https://sohle.example/p/sc-001",
        "buttons": [
            {"type": "url", "title": "Details", "url": "https://sohle.example/p/sc-001"},
            {"type": "postback", "title": "In den Warenkorb", "payload": "theke:cart:SC-001"},
        ],
    }
    assert isinstance(from_json(stored), Card)


def test_without_a_public_url_the_picture_keeps_its_server_path(db: Database) -> None:
    stored = db.read_now(lambda conn: card_for(conn, "SC-001", ""))
    assert stored is not None
    assert stored["image_url"] == "/catalog/images/sc-001.png"


def test_a_card_in_english_and_one_for_a_sold_out_product(db: Database) -> None:
    english = db.read_now(lambda conn: card_for(conn, "SC-002", PUBLIC_URL, language="en"))
    assert english is not None
    assert english["subtitle"] == "€159.90 · Sizes 41, 43–44"
    assert english["buttons"][0] == {
        "type": "postback",
        "title": "Details",
        "payload": "theke:product:SC-002",
    }
    assert english["buttons"][1]["title"] == "Add to cart"
    assert "image_url" not in english
    sold_out = db.read_now(lambda conn: card_for(conn, "CL-9", PUBLIC_URL))
    assert sold_out is not None
    assert sold_out["subtitle"] == "89,99 €"


def test_no_card_for_an_unknown_or_inactive_product(db: Database) -> None:
    assert db.read_now(lambda conn: card_for(conn, "NOPE", PUBLIC_URL)) is None
    assert db.read_now(lambda conn: card_for(conn, INACTIVE, PUBLIC_URL)) is None
    assert db.read_now(lambda conn: card_for(conn, "sc-001", PUBLIC_URL)) is None
