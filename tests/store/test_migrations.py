"""The migrations build exactly the schema ``theke.store.schema`` describes."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from theke.store import migrate
from theke.store.schema import metadata
from theke.store.search import WORD_INDEX


def test_the_migrations_match_the_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            # Tables, columns, nullability, keys and indexes; not types: SQLite reports our
            # UTC datetime and JSON decorators as their storage types.
            # SQLite's word index for the search is a virtual table the schema cannot
            # describe (theke.store.search); everything else must match.
            opts = {"compare_type": False, "include_name": _not_the_word_index}
            context = MigrationContext.configure(conn, opts=opts)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def _not_the_word_index(name: str | None, kind: str, parents: object) -> bool:
    return not (kind == "table" and name is not None and name.startswith(WORD_INDEX))


def test_every_migration_can_be_undone_and_redone(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    migrate.upgrade(url)
    from alembic import command

    config = migrate._config(url)
    command.downgrade(config, "base")
    assert migrate.current_revision(url) is None
    migrate.upgrade(url)
    assert migrate.current_revision(url) == migrate.head_revision()
