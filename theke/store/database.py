"""The database handle: a synchronous engine driven from threads, one writer for SQLite.

Every transaction is a plain function that runs in one go on a database
thread; the event loop hands it over once and awaits the result. Measured
(``bench/store_sqlite.py``): four times the write transactions per second of
an async driver on SQLite on a quiet loop, and no convoy on a busy one, where
every statement of an async transaction waits for a turn of the loop while
the write lock is held.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from theke.errors import StoreError

__all__ = ["Database"]

T = TypeVar("T")

_SQLITE_READERS = 4
_POSTGRES_THREADS = 8


class Database:
    """One engine and the threads that use it.

    SQLite allows one writer at a time: all writes of this process run on one
    thread, in order, and never fight over the file; reads run on a few other
    threads at the same time (WAL). PostgreSQL reads and writes share a pool
    of threads.
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.engine: Engine = _create_engine(url, echo=echo)
        if self.is_sqlite:
            self._writer = concurrent.futures.ThreadPoolExecutor(1, "theke-db-writer")
            self._readers = concurrent.futures.ThreadPoolExecutor(
                _SQLITE_READERS, "theke-db-reader"
            )
        else:
            self._writer = concurrent.futures.ThreadPoolExecutor(_POSTGRES_THREADS, "theke-db")
            self._readers = self._writer

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    async def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` in a write transaction; commit when it returns, roll back if it raises."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, self.write_now, work)

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` on a connection for reads."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self.read_now, work)

    def write_now(self, work: Callable[[Connection], T]) -> T:
        """``write`` for code that is not on the event loop (the CLI, migrations, tests)."""
        with self.engine.connect() as conn:
            if self.is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                conn.begin()
            try:
                result = work(conn)
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
            return result

    def read_now(self, work: Callable[[Connection], T]) -> T:
        with self.engine.connect() as conn:
            try:
                return work(conn)
            finally:
                if conn.in_transaction():
                    conn.rollback()

    async def ping(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            await self.read(lambda conn: conn.execute(text("SELECT 1")).scalar())
        except (SQLAlchemyError, OSError):
            return False
        return True

    async def dispose(self) -> None:
        self._writer.shutdown(wait=True)
        self._readers.shutdown(wait=True)
        self.engine.dispose()


def _create_engine(url: str, *, echo: bool) -> Engine:
    try:
        parsed = make_url(url)
    except SQLAlchemyError as exc:
        raise StoreError(f"database URL {url!r} is not valid: {exc}") from exc
    if not url.startswith("sqlite"):
        return create_engine(
            url,
            echo=echo,
            hide_parameters=True,  # errors must not carry customers' texts into the logs
            pool_size=_POSTGRES_THREADS,
            max_overflow=2,
            pool_pre_ping=True,
        )
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_size=_SQLITE_READERS + 2,
        max_overflow=0,
        pool_reset_on_return=None,  # autocommit connections: nothing open to roll back
        connect_args={"timeout": 30, "isolation_level": None, "check_same_thread": False},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        "PRAGMA busy_timeout=30000",
        "PRAGMA temp_store=MEMORY",  # sorts and GROUP BY without temporary files
    ):
        cursor.execute(pragma)
    cursor.close()
