"""``theke run`` and ``theke worker``: the long-running processes."""

from __future__ import annotations

import asyncio
import gc
import signal

import structlog
import uvicorn

from theke.errors import ConfigurationError
from theke.observability import configure_logging
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.settings import Settings, is_sqlite

__all__ = ["serve", "work"]

_log = structlog.get_logger("theke.cli.serve")


def _check_scale_out(settings: Settings, what: str) -> None:
    if is_sqlite(settings.resolved_database_url()):
        raise ConfigurationError(
            f"{what} needs PostgreSQL: SQLite serves one process only. Set THEKE_DATABASE_URL="
            "postgresql://HOST/DB, or use `theke run` alone, which runs the worker in-process"
        )
    if not settings.redis_url:
        raise ConfigurationError(
            f"{what} needs Redis so that web and worker processes wake each other: "
            "set THEKE_REDIS_URL=redis://HOST:6379/0"
        )


def _tune_garbage_collector() -> None:
    """Long-lived start-up objects leave the collector's view; young collections run less often.

    A server allocates many short-lived objects per message; the default
    thresholds run a full collection over every object (the SQL caches, the
    sockets) every few thousand messages, a pause of tens of milliseconds.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


async def serve(settings: Settings, *, run_worker: bool) -> None:
    """Serve HTTP and WebSockets until SIGINT/SIGTERM."""
    configure_logging(settings.log_level, settings.log_format)
    settings.check_secrets()
    if not run_worker:
        _check_scale_out(settings, "theke run --no-worker")
    runtime = await Runtime.open(settings)
    _tune_garbage_collector()
    try:
        app = create_app(runtime, run_worker=run_worker)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            proxy_headers=True,
            ws_max_size=64 * 1024,
            timeout_graceful_shutdown=5,
        )
        await uvicorn.Server(config).serve()
    finally:
        await runtime.close()


async def work(settings: Settings) -> None:
    """Run the worker loops until SIGINT/SIGTERM."""
    configure_logging(settings.log_level, settings.log_format)
    settings.check_secrets()
    _check_scale_out(settings, "theke worker")
    runtime = await Runtime.open(settings)
    _tune_garbage_collector()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    _log.info("theke.worker.started", database=runtime.db.dialect)
    try:
        await runtime.loops().run(stop)
    finally:
        await runtime.close()
