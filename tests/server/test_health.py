"""What an operator's probes and Prometheus see."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx

from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.database import Database


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


async def test_metrics_show_traffic_and_queues(client: httpx.AsyncClient) -> None:
    session = (await client.post("/webchat/sessions")).json()
    auth = {"Authorization": f"Bearer {session['token']}"}
    await client.post("/webchat/messages", headers=auth, json={"text": "Hallo"})
    for _ in range(20):
        body = (await client.get("/webchat/messages", headers=auth, params={"after": None})).json()
        if any(m["from"] == "bot" for m in body["messages"]):
            break
    for _ in range(50):  # the counters move just after the reply is committed
        text = (await client.get("/metrics")).text
        if 'theke_messages_in_total{channel="webchat"} 1.0' in text:
            break
        await asyncio.sleep(0.05)
    assert 'theke_messages_in_total{channel="webchat"} 1.0' in text
    assert 'theke_queue_depth{queue="inbound"}' in text
    assert "theke_turn_seconds_bucket" in text


async def test_openapi_documents_the_webchat_api(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "/webchat/messages" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_readyz_reports_an_unreachable_database(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "gone.db").mkdir()  # a folder where the database file should be
    healthy, runtime.db = runtime.db, Database(f"sqlite:///{tmp_path / 'gone.db'}")
    try:
        app = create_app(runtime, run_worker=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/readyz")
    finally:
        await runtime.db.dispose()
        runtime.db = healthy
    assert response.status_code == 503
    assert response.json()["reason"] == "database"
