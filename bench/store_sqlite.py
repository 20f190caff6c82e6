"""Which SQLite access suits Theke's write transactions: an async driver, or a sync engine on
one writer thread? (The store's design decision; see docs/architecture.md.)

Each transaction runs six statements (three inserts, three updates), like a small turn commit;
32 callers submit them, serialised as SQLite requires. Each access runs for a fixed time and
counts the transactions it committed.

python bench/store_sqlite.py [--seconds S] [--out PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from _machine import REPO, git_commit, now_iso
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    insert,
    update,
)
from sqlalchemy.ext.asyncio import create_async_engine

_META = MetaData()
_ROWS = Table(
    "rows",
    _META,
    Column("id", Integer, primary_key=True),
    Column("k", String(40)),
    Column("v", Integer),
)
_PAIRS = 3  # an insert and an update each


def _pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


async def _async_driver(path: str, seconds: float) -> float:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{path}", connect_args={"isolation_level": None}
    )
    event.listen(engine.sync_engine, "connect", _pragmas)
    async with engine.begin() as conn:
        await conn.run_sync(_META.create_all)
    lock = asyncio.Lock()

    async def one(i: int) -> None:
        async with lock, engine.connect() as conn:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            for j in range(_PAIRS):
                await conn.execute(insert(_ROWS).values(k=f"{i}-{j}", v=j))
                await conn.execute(update(_ROWS).where(_ROWS.c.k == f"{i}-{j}").values(v=j + 1))
            await conn.commit()

    rate = await _until(seconds, one)
    await engine.dispose()
    return rate


async def _writer_thread(path: str, seconds: float) -> float:
    engine = create_engine(
        f"sqlite:///{path}", connect_args={"isolation_level": None, "check_same_thread": False}
    )
    event.listen(engine, "connect", _pragmas)
    _META.create_all(engine)
    writer = concurrent.futures.ThreadPoolExecutor(1)

    def one(i: int) -> None:
        with engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            for j in range(_PAIRS):
                conn.execute(insert(_ROWS).values(k=f"{i}-{j}", v=j))
                conn.execute(update(_ROWS).where(_ROWS.c.k == f"{i}-{j}").values(v=j + 1))
            conn.commit()

    loop = asyncio.get_running_loop()

    async def submit(i: int) -> None:
        await loop.run_in_executor(writer, one, i)

    rate = await _until(seconds, submit)
    writer.shutdown()
    engine.dispose()
    return rate


async def _until(seconds: float, one: Callable[[int], Awaitable[None]]) -> float:
    """Committed transactions per second, with 32 callers, for ``seconds``."""
    deadline = time.perf_counter() + seconds
    done = 0

    async def caller(first: int) -> None:
        nonlocal done
        index = first
        while time.perf_counter() < deadline:
            await one(index)
            done += 1
            index += 32

    started = time.perf_counter()
    await asyncio.gather(*(caller(i) for i in range(32)))
    return done / (time.perf_counter() - started)


async def _measure(run: Callable[[str, float], Awaitable[float]], seconds: float) -> float:
    with tempfile.TemporaryDirectory() as folder:
        return await run(os.path.join(folder, "bench.db"), seconds)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seconds", type=float, default=5.0, help="per mode")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench" / "results" / "store_sqlite.json"
    )
    args = parser.parse_args()
    try:
        import aiosqlite  # noqa: F401
    except ImportError:
        print(
            "store_sqlite: needs aiosqlite for the comparison (pip install aiosqlite)",
            file=sys.stderr,
        )
        return 1
    rates: dict[str, float] = {}
    for name, run in (
        ("async driver (aiosqlite)", _async_driver),
        ("sync, one writer thread", _writer_thread),
    ):
        rates[name] = round(asyncio.run(_measure(run, args.seconds)), 1)
        print(f"store_sqlite: {name}: {rates[name]} transactions/s", flush=True)
    result = {
        "benchmark": "store_sqlite",
        "statements_per_transaction": 2 * _PAIRS,
        "transactions_per_s": rates,
        "cores": os.cpu_count(),
        "timestamp": now_iso(),
        "git_commit": git_commit(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
