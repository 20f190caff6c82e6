"""Shared fixtures: real databases (SQLite always, PostgreSQL when reachable), the demo bot."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import structlog
from sqlalchemy import Engine, create_engine, text

from theke.runtime import Runtime
from theke.settings import Settings, sqlalchemy_url
from theke.store.database import Database
from theke.store.migrate import upgrade
from theke.store.schema import metadata

ROOT = Path(__file__).resolve().parent.parent
DEMO_BOT = Path(os.environ.get("THEKE_TEST_BOT", ROOT / "examples" / "sneakershop"))
POSTGRES_URL = os.environ.get(
    "THEKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("THEKE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip without the service on a developer's machine; fail in CI, where it must run."""
    if _reachable(host, port):
        return
    if IN_CI:
        pytest.fail(f"{name} at {host}:{port} is not reachable, and CI must run these tests")
    pytest.skip(f"{name} at {host}:{port} is not running")


def copy_demo(target: Path) -> Path:
    """A copy of the demo shop at ``target``, with its trained language model when there
    is one (it is keyed by the training data: a copy with other data trains its own)."""
    shutil.copytree(DEMO_BOT, target, ignore=shutil.ignore_patterns(".theke"))
    models = DEMO_BOT / ".theke" / "models"
    if models.is_dir():
        shutil.copytree(
            models, target / ".theke" / "models", ignore=shutil.ignore_patterns(".lock")
        )
    return target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The test database, emptied and migrated once per session."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    url = sqlalchemy_url(POSTGRES_URL)
    engine = create_engine(url)
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    upgrade(url)
    yield url


def truncate(url: str) -> None:
    """Empty every table of the PostgreSQL test database."""
    engine = create_engine(url)
    names = ", ".join(f'"{table.name}"' for table in metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database of the test's own (tests that never use PostgreSQL)."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    database = Database(url)
    try:
        yield database
    finally:
        database.engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_db: Database) -> Engine:
    """The SQLAlchemy engine of ``sqlite_db``."""
    return sqlite_db.engine


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: SQLite in a temp folder, or the PostgreSQL test database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'theke.db'}"
        await asyncio.to_thread(upgrade, url)
        return url
    url: str = request.getfixturevalue("postgres_url")
    await asyncio.to_thread(truncate, url)
    return url


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot": DEMO_BOT,
        "database_url": database_url,
        "poll_interval": 0.05,
        "long_poll_seconds": 2.0,
        "send_backoff_base": 0.05,
        "send_backoff_cap": 0.2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def runtime(database_url: str) -> AsyncIterator[Runtime]:
    runtime = await Runtime.open(make_settings(database_url), migrate=False)
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.fixture
async def running_worker(runtime: Runtime) -> AsyncIterator[Runtime]:
    """The runtime with its worker loops running in the background."""
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.loops().run(stop))
    try:
        yield runtime
    finally:
        stop.set()
        await task


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """Commands run in-process configure logging globally (e.g. to WARNING): undo it after."""
    yield
    structlog.reset_defaults()
