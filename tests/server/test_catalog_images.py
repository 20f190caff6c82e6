"""Product pictures from the bot folder, and nothing else from it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from theke.runtime import Runtime
from theke.server.app import create_app

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture
async def shop(runtime: Runtime, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    images = tmp_path / "catalog" / "images"
    images.mkdir(parents=True)
    (images / "SC-001.png").write_bytes(PNG)
    (images / "sc_2.JPG").write_bytes(b"jpeg")
    (images / "notes.txt").write_text("intern")
    (images / ".hidden.png").write_bytes(PNG)
    (tmp_path / "catalog" / "secret.png").write_bytes(PNG)
    original, runtime.bot = runtime.bot, replace(runtime.bot, path=tmp_path)
    transport = httpx.ASGITransport(app=create_app(runtime, run_worker=False))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client
    finally:
        runtime.bot = original


async def test_a_product_picture_is_served_with_its_type_and_cache_headers(
    shop: httpx.AsyncClient,
) -> None:
    response = await shop.get("/catalog/images/SC-001.png")
    assert response.status_code == 200
    assert response.content == PNG
    assert response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert response.headers["x-content-type-options"] == "nosniff"
    jpeg = await shop.get("/catalog/images/sc_2.JPG")
    assert jpeg.headers["content-type"] == "image/jpeg"


@pytest.mark.parametrize(
    "name",
    ["missing.png", "notes.txt", ".hidden.png", "..%2Fsecret.png", "%2E%2E/secret.png", "a b.png"],
)
async def test_anything_else_is_not_found(shop: httpx.AsyncClient, name: str) -> None:
    response = await shop.get(f"/catalog/images/{name}")
    assert response.status_code == 404
    assert response.content != PNG
