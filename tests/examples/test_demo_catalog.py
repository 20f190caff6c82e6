"""The demo shop's catalog: enough sneakers, sensible prices and stock, and a picture for each.

The rows are read with the csv module on purpose: these tests check the
demo's data, not the catalog reader.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import struct
import sys
import zlib
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import ROOT

CATALOG = ROOT / "examples" / "sneakershop" / "catalog"
HEADER = (
    "sku,name,name_en,brand,category,price,currency,sizes,colors,"
    "description,description_en,image,url,popularity"
).split(",")
CATEGORIES = {"running", "basketball", "lifestyle", "skate", "trail", "kids"}
COLOUR_KEYS = {
    "black", "white", "grey", "blue", "red", "green", "yellow",
    "orange", "pink", "purple", "brown", "beige", "navy",
}  # fmt: skip
Row = dict[str, str]


def _rows() -> list[Row]:
    with (CATALOG / "products.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _stock(row: Row) -> dict[str, int]:
    pairs = (pair.split(":") for pair in row["sizes"].split())
    return {size: int(count) for size, count in pairs}


def _price(row: Row) -> Decimal:
    return Decimal(row["price"])


def _image_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_images", CATALOG / "make_images.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_images"] = module
    spec.loader.exec_module(module)
    return module


ROWS = _rows()


def test_the_header_is_the_agreed_one() -> None:
    with (CATALOG / "products.csv").open(encoding="utf-8", newline="") as file:
        assert next(csv.reader(file)) == HEADER


def test_a_full_shop_of_sneakers_from_many_brands() -> None:
    categories = Counter(row["category"] for row in ROWS)
    assert len(ROWS) >= 80
    assert set(categories) == CATEGORIES
    assert min(categories.values()) >= 14
    assert len({row["brand"] for row in ROWS}) >= 8


def test_skus_are_unique_and_name_their_page() -> None:
    skus = [row["sku"] for row in ROWS]
    assert len(set(skus)) == len(skus)
    for row in ROWS:
        assert re.fullmatch(r"SC-[A-Z]{3}-\d{3}", row["sku"]), row["sku"]
        assert row["url"] == f"https://sohle-und-co.de/p/{row['sku']}"
        assert row["name"] and row["name_en"] and row["brand"]
        assert row["description"] and row["description_en"]
        assert 0 <= int(row["popularity"]) <= 100


def test_prices_run_from_29_99_to_249_99_euros_and_kids_pay_less() -> None:
    for row in ROWS:
        assert re.fullmatch(r"\d+\.\d\d", row["price"]), row["price"]
        assert row["currency"] == "EUR"
    prices = [_price(row) for row in ROWS]
    assert min(prices) == Decimal("29.99")
    assert max(prices) == Decimal("249.99")
    kids = max(_price(row) for row in ROWS if row["category"] == "kids")
    adults = sorted(_price(row) for row in ROWS if row["category"] != "kids")
    assert kids < adults[len(adults) // 2]


def test_colours_are_known_keys_and_varied() -> None:
    used = Counter(colour for row in ROWS for colour in row["colors"].split(","))
    assert set(used) <= COLOUR_KEYS
    assert len(used) >= 4


def test_stock_has_sold_out_sizes_and_sold_out_models() -> None:
    stocks = [_stock(row) for row in ROWS]
    counts = [count for stock in stocks for count in stock.values()]
    assert all(0 <= count <= 12 for count in counts)
    assert 0.08 <= counts.count(0) / len(counts) <= 0.25
    sold_out = [stock for stock in stocks if not any(stock.values())]
    assert len(sold_out) >= 6
    only_43_missing = [s for s in stocks if s.get("43") == 0 and any(s.values())]
    assert len(only_43_missing) >= 10


def test_running_shoes_have_half_sizes_and_kids_overlap_adults() -> None:
    running = [_stock(row) for row in ROWS if row["category"] == "running"]
    assert any(size.endswith(".5") for stock in running for size in stock)
    kids = {size for row in ROWS if row["category"] == "kids" for size in _stock(row)}
    assert {"28", "35", "36"} <= kids


def test_running_shoes_under_100_euros_in_size_43() -> None:
    """The advice flow's example, "Laufschuhe unter 100 Euro in Größe 43", has an answer."""
    running = [row for row in ROWS if row["category"] == "running"]
    fitting = [r for r in running if _price(r) < 100 and _stock(r).get("43", 0) > 0]
    assert 3 <= len(fitting) <= 10
    assert len([row for row in running if _price(row) > 100]) >= 3


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row["sku"])
def test_every_product_has_its_picture(row: Row) -> None:
    assert row["image"] == f"images/{row['sku']}.png"
    data = (CATALOG / row["image"]).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, kind = struct.unpack(">IIBB", data[16:26])
    assert (width, height, kind) == (573, 300, 3)  # 1.91:1, indexed colour
    assert depth <= 8
    assert len(data) < 8 * 1024


def test_pictures_show_the_shoe_in_its_colours() -> None:
    script = _image_script()
    for row in ROWS:
        main = script.COLORS[row["colors"].split(",")[0]]
        assert bytes(main) in _chunks((CATALOG / row["image"]).read_bytes())[b"PLTE"]


def test_the_script_draws_the_committed_pictures(tmp_path: Path) -> None:
    """The pictures are the script's output: same catalog, same bytes."""
    sample = [next(r for r in ROWS if r["category"] == key) for key in sorted(CATEGORIES)]
    with (tmp_path / "products.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=HEADER)
        writer.writeheader()
        writer.writerows(sample)
    assert _image_script().main(tmp_path / "products.csv") == 0
    for row in sample:
        assert (tmp_path / row["image"]).read_bytes() == (CATALOG / row["image"]).read_bytes()


def test_a_picture_is_mostly_background_with_a_shoe_in_the_middle() -> None:
    data = _chunks((CATALOG / ROWS[0]["image"]).read_bytes())
    pixels = _indices(zlib.decompress(data[b"IDAT"]), 573, 300)
    background = pixels[0][0]
    assert pixels[0].count(background) == 573 and pixels[-1].count(background) > 500
    covered = sum(index != background for row in pixels for index in row) / (573 * 300)
    assert 0.2 < covered < 0.6
    assert pixels[200][286] != background  # the shoe stands in the middle


def _chunks(png: bytes) -> dict[bytes, bytes]:
    found: dict[bytes, bytes] = {}
    at = 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        found[kind] = found.get(kind, b"") + png[at + 8 : at + 8 + length]
        at += 12 + length
    return found


def _indices(raw: bytes, width: int, height: int) -> list[list[int]]:
    """Palette indices of a 4-bit PNG without filters, row by row."""
    stride = (width + 1) // 2 + 1
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        nibbles = [n for byte in line[1:] for n in (byte >> 4, byte & 15)]
        rows.append(nibbles[:width])
    return rows
