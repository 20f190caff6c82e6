"""The catalog a bot starts with: imported once from its folder, then kept by the database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.conftest import DEMO_BOT
from theke.commerce import CATALOG_FILE, Query, open_catalog
from theke.runtime import Runtime
from theke.store.database import Database

ROWS = (
    "sku,name,category,price,sizes\n"
    "A-1,Pegasus,running,89.99,42:2 43:0\n"
    "A-2,Kaputt,running,,42:1\n"
    "A-3,Samba,lifestyle,99.99,41:1\n"
)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()


def _bot(tmp_path: Path, rows: str) -> Path:
    (tmp_path / "catalog").mkdir(exist_ok=True)
    (tmp_path / CATALOG_FILE).write_text(rows, encoding="utf-8")
    return tmp_path


async def test_an_empty_database_is_filled_from_the_bot_folder(
    db: Database, tmp_path: Path
) -> None:
    with capture_logs() as logs:
        cache = await open_catalog(db, _bot(tmp_path, ROWS))
    assert sorted(p.sku for p in cache.index) == ["A-1", "A-3"]
    assert [hit.product.sku for hit in cache.index.search(Query(size="42"))] == ["A-1"]
    imported = [log for log in logs if log["event"] == "theke.commerce.catalog_imported"]
    assert imported[0]["imported"] == 2 and imported[0]["rejected"] == 1


async def test_the_database_keeps_the_catalog_once_it_has_one(db: Database, tmp_path: Path) -> None:
    await open_catalog(db, _bot(tmp_path, ROWS))
    changed = ROWS.replace("Pegasus", "Pegasus NEU") + "A-4,Neu,kids,10,30:1\n"
    cache = await open_catalog(db, _bot(tmp_path, changed))
    assert sorted(p.sku for p in cache.index) == ["A-1", "A-3"]
    assert cache.index.product("A-1").name == "Pegasus"  # type: ignore[union-attr]


async def test_a_broken_catalog_file_is_logged_and_the_bot_starts_without_it(
    db: Database, tmp_path: Path
) -> None:
    with capture_logs() as logs:
        cache = await open_catalog(db, _bot(tmp_path, "sku,name,prise\nA,B,1\n"))
    assert len(cache.index) == 0
    warning = next(log for log in logs if log["event"] == "theke.commerce.catalog_file_rejected")
    assert "unknown column `prise`" in warning["error"]


async def test_a_bot_without_a_catalog_starts_with_an_empty_one(
    db: Database, tmp_path: Path
) -> None:
    cache = await open_catalog(db, tmp_path)
    assert len(cache.index) == 0 and cache.index.search(Query()) == ()


async def test_the_runtime_opens_with_the_demo_shops_catalog(runtime: Runtime) -> None:
    demo = (DEMO_BOT / CATALOG_FILE).read_text(encoding="utf-8").count("\nSC-")
    assert len(runtime.catalog.index) == demo
    hits = runtime.catalog.index.search(Query(category="running", size="43"))
    assert hits and all(hit.product.stock("43") > 0 for hit in hits)
