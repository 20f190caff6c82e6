"""Schema migrations: ``theke db upgrade`` and the automatic upgrade on SQLite."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.exc import SQLAlchemyError

from theke.errors import StoreError

__all__ = ["check_current", "current_revision", "head_revision", "upgrade"]

_MIGRATIONS = Path(__file__).with_name("migrations")


def _config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` (SQLAlchemy form) up to ``revision``."""
    try:
        command.upgrade(_config(url), revision)
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"could not migrate the database: {exc}") from exc


def head_revision() -> str | None:
    """The newest migration shipped with this version of Theke."""
    return ScriptDirectory.from_config(_config("sqlite://")).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is on, or None when it is empty."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"could not reach the database: {exc}") from exc
    finally:
        engine.dispose()


def check_current(url: str) -> None:
    """Refuse to run on a database whose schema is not this version's."""
    current, head = current_revision(url), head_revision()
    if current != head:
        raise StoreError(
            f"the database schema is at revision {current or 'none'}, this Theke needs {head}: "
            "run `theke db upgrade` first"
        )
