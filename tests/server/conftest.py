"""Fixtures for the web app: an in-process client and a real server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from tests.conftest import free_port
from theke.runtime import Runtime
from theke.server.app import create_app


@pytest.fixture
async def client(running_worker: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client on the app in-process; the worker runs beside it."""
    app = create_app(running_worker, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as http:
        yield http


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[str]:
    """The real app (worker in-process) served by uvicorn on a free loopback port."""
    port = free_port()
    app = create_app(runtime, run_worker=True)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    for _ in range(200):
        if instance.started:
            break
        await asyncio.sleep(0.02)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        await task
