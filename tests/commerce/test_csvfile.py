"""Catalog files as spreadsheets and shop systems write them, and the errors their owners see."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.commerce.strategies import products
from tests.conftest import DEMO_BOT
from theke.commerce import Product, RejectedRow, read_products, write_products
from theke.errors import BotFolderError

HEADER = "sku,name,category,price,sizes,colors,description"


def _write(tmp_path: Path, text: str, name: str = "products.csv", bom: bool = False) -> Path:
    path = tmp_path / name
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_the_demo_catalog_reads_without_a_rejected_row() -> None:
    file = read_products(DEMO_BOT / "catalog" / "products.csv")
    assert len(file.products) > 50
    assert file.rejected == ()
    assert {product.category for product in file.products} >= {"running", "kids", "trail"}


def test_a_semicolon_file_with_a_bom_and_decimal_commas_is_read(tmp_path: Path) -> None:
    text = (
        "sku;name;category;price;sizes;colors\r\n"
        'SC-1;Samba;lifestyle;99,95;"40:1, 42,5:2";weiß\r\n'
        "SC-2;Gazelle;lifestyle;89;41:0 42:3;grün\r\n"
    )
    file = read_products(_write(tmp_path, text, bom=True))
    assert [p.sku for p in file.products] == ["SC-1", "SC-2"]
    assert file.products[0].price_cents == 9995
    assert [s.size for s in file.products[0].sizes] == ["40", "42.5"]
    assert file.products[1].colors == ("green",)


def test_bad_rows_are_skipped_with_their_line_and_good_rows_kept(tmp_path: Path) -> None:
    text = (
        f"{HEADER}\n"
        'SC-1,Pegasus,running,89.99,42:1,black,"Zwei\nZeilen"\n'
        "SC-2,Revolution,running,,42:1,black,\n"
        "\n"
        "SC-1,Pegasus again,running,79.99,42:1,black,\n"
        "SC-3,Duramo,running,69.99,42:1,black,,surplus\n"
        "SC-4,Ultraboost,running,189.99,42:x,white,\n"
    )
    file = read_products(_write(tmp_path, text))
    assert [p.sku for p in file.products] == ["SC-1"]
    assert file.products[0].description == "Zwei\nZeilen"
    assert [row.line for row in file.rejected] == [4, 6, 7, 8]
    assert file.describe(file.rejected[0]) == (
        "products.csv line 4: price is missing — add a price like 89.99"
    )
    assert file.rejected[1].reason.startswith("sku SC-1 is already on line 2")
    assert "8 values, but the header names 7 columns" in file.rejected[2].reason
    assert file.rejected[3].reason.startswith("sizes: the stock of 42 is `x`")


def test_an_unknown_column_rejects_the_file_and_names_the_closest(tmp_path: Path) -> None:
    path = _write(tmp_path, "sku,name,category,prise,sizes\nSC-1,A,kids,10,30:1\n")
    with pytest.raises(BotFolderError) as raised:
        read_products(path)
    error = raised.value
    assert (error.path, error.line) == (str(path), 1)
    assert "unknown column `prise`" in error.problem
    assert error.fix == "did you mean `price`?"


def test_a_missing_required_column_rejects_the_file(tmp_path: Path) -> None:
    with pytest.raises(BotFolderError) as raised:
        read_products(_write(tmp_path, "sku,name,category,price\nSC-1,A,kids,10\n"))
    assert raised.value.line == 1
    assert "the column `sizes` is missing" in str(raised.value)


def test_translated_columns_and_trailing_empty_columns_are_accepted(tmp_path: Path) -> None:
    text = (
        "SKU,Name,name_en,description_en,category,price,sizes,,\n"
        "SC-1,Schuh,Shoe,Nice,kids,10,30:1,,\n"
    )
    file = read_products(_write(tmp_path, text))
    assert file.products[0].name_in("en") == "Shoe"
    assert file.products[0].description_in("en") == "Nice"


def test_a_file_not_saved_as_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_bytes(f"{HEADER}\nSC-1,Weiß,kids,10,30:1,,\n".encode("cp1252"))
    with pytest.raises(BotFolderError) as raised:
        read_products(path)
    assert raised.value.line == 2
    assert "UTF-8" in raised.value.fix


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BotFolderError, match="the first line is empty"):
        read_products(_write(tmp_path, ""))


def test_a_json_catalog_reports_rejected_objects_by_line(tmp_path: Path) -> None:
    items = [
        {"sku": "J-1", "name": "Air", "category": "kids", "price": 49.9, "sizes": {"30": 2}},
        {"sku": "J-2", "name": "Max", "category": "kids", "sizes": "31:1"},
        "not an object",
    ]
    path = _write(tmp_path, json.dumps(items, indent=2), name="products.json")
    file = read_products(path)
    assert [(p.sku, p.price_cents) for p in file.products] == [("J-1", 4990)]
    assert file.rejected == (
        RejectedRow(11, "price is missing — add a price like 89.99"),
        RejectedRow(17, 'this entry is not an object — write {"sku": ..., ...}'),
    )


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"sku": "x"}', "the file is not a JSON list"),
        ('[{"sku": "x",}]', "the file is not valid JSON"),
        ('[{"sku": "J", "name": "A", "category": "k", "price": 1, "sizes": "1:1"},]', "a comma"),
        ('[{"sku": "x", "prize": 1}]', "unknown column `prize`"),
        ("[] []", "more text after the end"),
    ],
)
def test_a_broken_json_catalog_is_refused(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(BotFolderError, match=problem):
        read_products(_write(tmp_path, text, name="products.json"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(products(), max_size=5, unique_by=lambda p: p.sku), st.sampled_from([",", ";", "\t"])
)
def test_written_products_read_back_unchanged(
    tmp_path: Path, items: list[Product], delimiter: str
) -> None:
    path = tmp_path / "roundtrip.csv"
    write_products(path, items, delimiter=delimiter)
    file = read_products(path)
    assert file.rejected == ()
    assert list(file.products) == items


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_the_reader_never_crashes_on_any_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(HEADER.encode() + b"\n" + content)
    try:
        file = read_products(path)
    except BotFolderError as exc:
        assert exc.path == str(path) and exc.fix
    else:
        assert all(row.line >= 2 for row in file.rejected)


def test_the_example_in_the_docs_imports_without_a_rejected_row(tmp_path: Path) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "catalog.md").read_text("utf-8")
    example = docs.split("```csv\n", 1)[1].split("```", 1)[0]
    file = read_products(_write(tmp_path, example))
    assert file.rejected == ()
    assert [p.sku for p in file.products] == ["SC-RUN-001", "SC-LIF-003", "SC-KID-001"]
    assert file.products[0].colors == ("black", "white")
