"""Fixtures for the inbox pages: SQLite only, the app in-process, browsers with own cookies."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from theke.inbox.passwords import hash_password
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store import users
from theke.store.migrate import upgrade
from theke.store.schema import audit_log
from theke.store.users import User

BASE = "http://127.0.0.1:8000"
ADMIN = "admin@sohle.example"
AGENT = "agent@sohle.example"
ADMIN_PASSWORD = "Pferd Batterie Heftklammer"
AGENT_PASSWORD = "Wolke Tasse Fahrrad Mond"

Browser = Callable[[], httpx.AsyncClient]

_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_SCRIPT = re.compile(r"<script[^>]*>", re.IGNORECASE)
OUR_SCRIPT = '<script src="/inbox/static/inbox.js" defer>'


def only_our_script(html: str) -> bool:
    """Whether the page loads our own live-update script and no other script."""
    return _SCRIPT.findall(html) == [OUR_SCRIPT]


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """A migrated, empty SQLite database (the inbox tests never use PostgreSQL)."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
def app(runtime: Runtime) -> FastAPI:
    return create_app(runtime, run_worker=False)


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[Browser]:
    """Makes clients on the app, each with its own cookie jar, like separate browsers."""
    opened: list[httpx.AsyncClient] = []

    def new() -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)
        opened.append(client)
        return client

    yield new
    for client in opened:
        await client.aclose()


@pytest.fixture
async def admin(runtime: Runtime) -> User:
    return await add_user(runtime, ADMIN, "admin", ADMIN_PASSWORD)


@pytest.fixture
async def agent(runtime: Runtime) -> User:
    return await add_user(runtime, AGENT, "agent", AGENT_PASSWORD)


async def add_user(runtime: Runtime, email: str, role: str, password: str) -> User:
    hashed = await asyncio.to_thread(hash_password, password)
    return await runtime.db.write(lambda conn: users.add(conn, email, role, hashed))


def csrf_of(page: httpx.Response) -> str:
    """The CSRF value in a page's first form."""
    found = _CSRF.search(page.text)
    assert found is not None, page.text
    return found.group(1)


async def login(
    http: httpx.AsyncClient, email: str, password: str, *, next_path: str | None = None
) -> httpx.Response:
    """Fill in and send the login form, as a person would (``next_path``: a forged field)."""
    form = await http.get("/inbox/login")
    data = {"csrf": csrf_of(form), "email": email, "password": password}
    if next_path is not None:
        data["next"] = next_path
    return await http.post("/inbox/login", data=data)


async def signed_in(browser: Browser, email: str, password: str) -> httpx.AsyncClient:
    """A new browser in which ``email`` has signed in."""
    http = browser()
    response = await login(http, email, password)
    assert response.status_code == 303, response.text
    return http


async def audit_actions(runtime: Runtime) -> list[dict[str, Any]]:
    """The audit log, oldest first."""

    def read(conn: Any) -> list[dict[str, Any]]:
        rows = conn.execute(select(audit_log).order_by(audit_log.c.id))
        return [dict(row._mapping) for row in rows]

    return await runtime.db.read(read)
