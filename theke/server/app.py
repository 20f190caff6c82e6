"""The ASGI app factory: routes only; the work happens in the runtime's packages."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import structlog
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

from theke import __version__
from theke.runtime import Runtime
from theke.server import (
    catalog_images,
    health,
    meta_webhooks,
    pages,
    shop_pages,
    stripe_webhook,
    telegram_webhook,
    webchat_http,
    webchat_ws,
)
from theke.server.api import router as api_router
from theke.server.errors import install_error_handlers
from theke.server.inbox import router as inbox_router
from theke.server.limits import BodyLimit

__all__ = ["create_app"]

_log = structlog.get_logger("theke.server.app")


def create_app(runtime: Runtime, *, run_worker: bool = True) -> FastAPI:
    """The web app for ``runtime``; with ``run_worker`` the worker loops run in-process,
    without them the watchers still do (a new bot folder or a newly taught version is
    picked up by web-only processes too)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = asyncio.Event()
        work = runtime.loops().run(stop) if run_worker else runtime.watch(stop)
        task = asyncio.create_task(work)
        _log.info("theke.server.started", worker=run_worker, database=runtime.db.dialect)
        try:
            yield
        finally:
            stop.set()
            await task

    app = FastAPI(
        title="Theke",
        version=__version__,
        description="Customer conversations for shops: the web chat, webhooks and the REST API.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(webchat_http.router)
    app.include_router(webchat_ws.router)
    app.include_router(pages.router)
    app.include_router(catalog_images.router)
    app.include_router(telegram_webhook.router)
    app.include_router(meta_webhooks.router)
    app.include_router(api_router)
    app.include_router(stripe_webhook.router)
    app.include_router(shop_pages.router)
    app.include_router(inbox_router)
    app.mount("/static", StaticFiles(directory=pages.static_root()), name="static")
    app.add_middleware(
        CORSMiddleware,
        allow_origins=runtime.settings.allowed_origins(),
        allow_methods=["GET", "POST"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )
    settings = runtime.settings
    wider = {"/api/": settings.api_max_body_bytes}
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, wider=wider)
    return app
