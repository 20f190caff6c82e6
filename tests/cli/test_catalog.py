"""``theke catalog import``: what a shop owner sees when importing a catalog file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tests.conftest import DEMO_BOT, copy_demo
from theke.cli.main import cli
from theke.commerce import generate_products, write_products
from theke.store.catalog import changes_since, product_count
from theke.store.database import Database

GOOD = (
    "sku,name,category,price,sizes\nA-1,Pegasus,running,89.99,42:2\nA-2,Samba,lifestyle,99,41:1\n"
)


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THEKE_DATABASE_URL": database_url}


def _import(env: dict[str, str], path: Path, *extra: str) -> Result:
    args = ["catalog", "import", str(path), "--bot", str(DEMO_BOT), *extra]
    return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)


def _count(url: str) -> int:
    database = Database(url)
    try:
        return database.read_now(product_count)
    finally:
        database.engine.dispose()


def test_a_good_file_is_imported_and_counted(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "products.csv"
    path.write_text(GOOD, encoding="utf-8")
    result = _import(env, path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Imported 2 products from products.csv.\n"
    assert _count(env["THEKE_DATABASE_URL"]) == 2


def test_rejected_rows_are_listed_and_the_exit_code_is_1(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(GOOD + "A-3,Kaputt,running,,42:1\nA-4,Ohne Bestand,running,10,4\n", "utf-8")
    result = _import(env, path)
    assert result.exit_code == 1
    assert "products.csv line 4: price is missing — add a price like 89.99" in result.stderr
    assert "products.csv line 5: sizes: `4` is not size:stock" in result.stderr
    assert "2 rows rejected" in result.stderr
    assert "Imported 2 products" in result.stdout
    assert _count(env["THEKE_DATABASE_URL"]) == 2


def test_a_file_level_error_exits_with_2_and_imports_nothing(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "products.csv"
    path.write_text("sku,name,category,prise,sizes\nA,B,kids,1,30:1\n", encoding="utf-8")
    result = _import(env, path)
    assert result.exit_code == 2
    assert "products.csv:1: unknown column `prise`. did you mean `price`?" in result.stderr
    assert _count(env["THEKE_DATABASE_URL"]) == 0


def test_a_json_file_is_imported_and_a_second_import_updates(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "feed.json"
    item = {"sku": "J-1", "name": "Air", "category": "kids", "price": 49.9, "sizes": {"30": 2}}
    path.write_text(json.dumps([item]), encoding="utf-8")
    assert _import(env, path).exit_code == 0
    path.write_text(json.dumps([{**item, "sizes": {"30": 0, "31": 4}}]), encoding="utf-8")
    assert _import(env, path).stdout == "Imported 1 products from feed.json.\n"
    database = Database(env["THEKE_DATABASE_URL"])
    try:
        changes = database.read_now(lambda conn: changes_since(conn, 0))
    finally:
        database.engine.dispose()
    assert changes.seq == 2
    assert sorted(changes.products[0].sizes) == [("30", 0), ("31", 4)]


def test_a_big_file_is_imported_with_a_progress_bar(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    write_products(path, generate_products(2500, seed=1), delimiter=";")
    result = _import(env, path)
    assert result.exit_code == 0, result.output
    assert "Importing" in result.stderr
    assert result.stdout == "Imported 2500 products from big.csv.\n"
    assert _count(env["THEKE_DATABASE_URL"]) == 2500


def test_a_missing_file_exits_with_2(env: dict[str, str], tmp_path: Path) -> None:
    result = _import(env, tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "nope.csv: the file is missing" in result.stderr


def test_validate_reports_catalog_rows_it_would_reject(tmp_path: Path) -> None:

    bot = tmp_path / "shop"
    copy_demo(bot)
    catalog = bot / "catalog" / "products.csv"
    lines = catalog.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("price")] = ""  # a row with a missing price
    catalog.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(bot)])
    assert result.exit_code == 1
    assert "83 products" in result.stdout
    assert "products.csv line 2: " in result.stderr
    assert "price" in result.stderr


def test_an_import_that_restocks_a_size_tells_each_waiting_customer_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    from sqlalchemy import select

    from theke.store import conversations, subscriptions
    from theke.store.schema import outbox
    from theke.store.subscriptions import NewSubscription

    path = tmp_path / "products.csv"
    path.write_text(GOOD.replace("42:2", "42:0"), encoding="utf-8")
    assert _import(env, path).exit_code == 0
    database = Database(env["THEKE_DATABASE_URL"])

    def wait_for_it(conn: object) -> None:
        talk = conversations.create(conn, "webchat", "anna")  # type: ignore[arg-type]
        wish = NewSubscription(talk.customer_id, talk.id, "webchat", "back_in_stock", "A-1:42",
                               {"product": "Pegasus", "sku": "A-1", "size": "42"})  # fmt: skip
        subscriptions.add(conn, [wish])  # type: ignore[arg-type]

    try:
        database.write_now(wait_for_it)
        path.write_text(GOOD, encoding="utf-8")  # 42 is back: 2 pairs
        result = _import(env, path)
        assert "Told 1 waiting customers that their size is back." in result.stdout
        assert _import(env, path).exit_code == 0  # imported again: nobody is told twice
        sent = database.read_now(
            lambda conn: conn.execute(select(outbox.c.content, outbox.c.purpose)).all()
        )
    finally:
        database.engine.dispose()
    assert [row.purpose for row in sent] == ["back_in_stock"]  # one message, with its buttons
    assert "Schön, dass du dich für Pegasus interessiert hast" in sent[0].content["text"]
    assert "in Größe 42" in sent[0].content["text"]
