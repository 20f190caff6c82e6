"""Schema migrations: ``theke db upgrade`` and the automatic upgrade on SQLite."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import create_async_engine

from theke.errors import StoreError

__all__ = ["current_revision", "head_revision", "upgrade", "upgrade_async"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` (async SQLAlchemy form) up to ``revision``."""
    try:
        command.upgrade(_config(url), revision)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"could not migrate the database: {exc}") from exc


async def upgrade_async(url: str, revision: str = "head") -> None:
    """``upgrade`` from inside a running event loop (Alembic runs its own loop)."""
    await asyncio.to_thread(upgrade, url, revision)


def head_revision() -> str | None:
    """The newest migration shipped with this version of Theke."""
    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head()


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is on, or None when it is empty."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    finally:
        await engine.dispose()
