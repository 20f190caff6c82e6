"""Start the real Theke server for a run, on a fresh SQLite file or PostgreSQL database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
from _errors import BenchError

__all__ = ["Database", "ServerProcess", "running_server"]

Database = Literal["sqlite", "postgres"]

_STARTUP_TIMEOUT_S = 90.0
_STOP_TIMEOUT_S = 20.0
_PG_DATABASE = "theke_bench"


@dataclass(frozen=True, slots=True)
class ServerProcess:
    """A server the benchmark started: where it listens, its process id and its log."""

    base_url: str
    pid: int
    log: Path


@contextlib.asynccontextmanager
async def running_server(
    bot: Path, db: Database, postgres_url: str, extra_env: Mapping[str, str] | None = None
) -> AsyncIterator[ServerProcess]:
    """Run ``theke run BOT`` on a free loopback port with an empty database until exit.

    ``extra_env`` adds settings for the run (``THEKE_MESSENGER_*`` for the webhook benchmark).
    """
    with tempfile.TemporaryDirectory(prefix="theke-bench-") as tmp:
        workdir = Path(tmp)
        async with _database(db, workdir, postgres_url) as database_url:
            port = _free_port()
            log = workdir / "server.log"
            env = _environment(port, database_url, extra_env or {})
            if db == "postgres":
                await _migrate(bot, env)
            process = _start(bot, port, env, log)
            try:
                base_url = f"http://127.0.0.1:{port}"
                await _wait_healthy(base_url, process, log)
                yield ServerProcess(base_url=base_url, pid=process.pid, log=log)
            except BenchError as exc:
                raise BenchError(f"{exc}\nthe server's log ends with:\n{_tail(log)}") from exc
            finally:
                await asyncio.to_thread(_stop, process)


def _theke_command() -> str:
    beside = Path(sys.executable).parent / "theke"
    if beside.exists():
        return str(beside)
    found = shutil.which("theke")
    if found is None:
        raise BenchError("the 'theke' command is not installed; run 'make test' once first")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _environment(port: int, database_url: str, extra: Mapping[str, str]) -> dict[str, str]:
    return {
        **os.environ,
        "THEKE_DATABASE_URL": database_url,
        "THEKE_ENV": "production",
        "THEKE_SECRET_KEY": secrets.token_urlsafe(48),
        "THEKE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "THEKE_LOG_FORMAT": "json",
        **extra,
    }


async def _migrate(bot: Path, env: dict[str, str]) -> None:
    """PostgreSQL is migrated by the operator (SQLite by the server itself): do it first."""
    command = [_theke_command(), "db", "upgrade", "--bot", str(bot)]
    done = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"theke db upgrade failed:\n{done.stdout}{done.stderr}")


def _start(bot: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    command = [_theke_command(), "run", str(bot), "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as sink:
        return subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)


async def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = asyncio.get_running_loop().time() + _STARTUP_TIMEOUT_S
    async with httpx.AsyncClient(base_url=base_url, trust_env=False, timeout=2.0) as client:
        while asyncio.get_running_loop().time() < deadline:
            if process.poll() is not None:
                raise BenchError(f"the server exited with {process.returncode}:\n{_tail(log)}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/healthz")).status_code == httpx.codes.OK:
                    return
            await asyncio.sleep(0.1)
    raise BenchError(f"/healthz did not answer 200 in {_STARTUP_TIMEOUT_S:.0f} s:\n{_tail(log)}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@contextlib.asynccontextmanager
async def _database(db: Database, workdir: Path, postgres_url: str) -> AsyncIterator[str]:
    if db == "sqlite":
        yield f"sqlite:///{workdir / 'theke.db'}"
        return
    admin = f"{postgres_url.rstrip('/')}/postgres"
    await _psql(admin, f"DROP DATABASE IF EXISTS {_PG_DATABASE} WITH (FORCE)")
    await _psql(admin, f"CREATE DATABASE {_PG_DATABASE}")
    try:
        yield f"{postgres_url.rstrip('/')}/{_PG_DATABASE}"
    finally:
        await _psql(admin, f"DROP DATABASE IF EXISTS {_PG_DATABASE} WITH (FORCE)")


async def _psql(url: str, statement: str) -> None:
    try:
        process = await asyncio.create_subprocess_exec(
            "psql",
            url,
            "-v",
            "ON_ERROR_STOP=1",
            "-q",
            "-c",
            statement,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
    except OSError as exc:
        raise BenchError(f"could not run psql (PostgreSQL client) for {url}: {exc}") from exc
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise BenchError(f"psql {statement!r} failed: {output.decode(errors='replace').strip()}")
