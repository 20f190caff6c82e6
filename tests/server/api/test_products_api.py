"""``/api/v1`` products and stock: what the shop system writes, and what customers then see."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, select

from theke.commerce.restock import TOPIC
from theke.runtime import Runtime
from theke.server.api._product_json import parse_products
from theke.server.app import create_app
from theke.store import api_tokens, catalog, conversations, subscriptions
from theke.store.migrate import upgrade
from theke.store.schema import outbox

PEGASUS = "SC-RUN-001"  # in the demo catalog: size 42 sold out, 43 one pair


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests never touch the shared PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
async def token(runtime: Runtime) -> str:
    return await runtime.db.write(lambda conn: api_tokens.create(conn, "erp"))


@pytest.fixture
async def api(runtime: Runtime, token: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime, run_worker=False))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


def _product(sku: str, **fields: Any) -> dict[str, Any]:
    product = {"sku": sku, "name": "Trail Runner", "category": "running", "price": 89.9}
    product["sizes"] = {"42": 3, "43": 0}
    return {**product, **fields}


async def _stock(runtime: Runtime, sku: str) -> dict[str, int]:
    found = await runtime.db.read(lambda conn: catalog.records(conn, [sku]))
    return dict(found[sku].sizes) if sku in found else {}


def _shown(runtime: Runtime, sku: str) -> dict[str, int] | None:
    """What the chat's catalog snapshot in this process shows of ``sku``."""
    product = runtime.catalog.index.product(sku)
    return {entry.size: entry.stock for entry in product.sizes} if product else None


async def test_products_are_upserted_and_the_chat_sees_them_at_once(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    listed = [{"size": "44", "stock": 2}, {"size": 45.5, "stock": 1}]
    products = [
        _product("API-1", brand="Acme", colors=["black"], name_en="Trail Runner EN"),
        _product("API-2", price="120,50", currency="chf", sizes=listed, popularity=5),
    ]
    response = await api.put("/api/v1/products", json={"products": products})
    assert response.status_code == 200, response.text
    assert response.json() == {"upserted": 2, "rejected": []}
    first = runtime.catalog.index.product("API-1")
    assert first is not None and first.price_cents == 8990 and first.brand == "Acme"
    assert first.names == {"en": "Trail Runner EN"}
    second = runtime.catalog.index.product("API-2")
    assert second is not None and (second.price_cents, second.currency) == (12050, "CHF")
    assert _shown(runtime, "API-2") == {"44": 2, "45.5": 1}
    again = await api.put("/api/v1/products", json={"products": [_product("API-1", price=99)]})
    assert again.status_code == 200
    updated = runtime.catalog.index.product("API-1")
    assert updated is not None and updated.price_cents == 9900


async def test_rejected_products_are_listed_with_reasons_and_the_good_ones_stored(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    products: list[Any] = [
        _product("OK-1"),
        _product("BAD-1", price=None),
        _product("BAD-2", prize=10),
        "not an object",
        _product("OK-1", name="Twice"),
        _product("BAD-3", sizes={"42": -1}),
        _product("BAD-4", name={"de": "Objekt"}),
    ]
    response = await api.put("/api/v1/products", json={"products": products})
    assert response.status_code == 422
    body = response.json()
    assert body["upserted"] == 1
    rejected = {item["index"]: item for item in body["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6]
    assert rejected[1]["sku"] == "BAD-1"
    assert rejected[1]["errors"] == ["price is missing — add a price like 89.99"]
    assert rejected[2]["errors"] == ["unknown field `prize` — did you mean `price`?"]
    assert rejected[3]["sku"] is None
    assert "is already at index 0" in rejected[4]["errors"][0]
    assert rejected[5]["errors"][0].startswith("sizes: the stock of 42 is `-1`")
    assert rejected[6]["errors"][0].startswith("name must be text")
    assert await _stock(runtime, "OK-1") == {"42": 3, "43": 0}
    assert runtime.catalog.index.product("OK-1") is not None
    assert await _stock(runtime, "BAD-1") == {}


async def test_too_many_products_or_a_malformed_body_are_refused(api: httpx.AsyncClient) -> None:
    many = await api.put("/api/v1/products", json={"products": [{}] * 1001})
    assert many.status_code == 400
    assert many.json()["error"]["code"] == "too_many_products"
    bad = await api.put(
        "/api/v1/products", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "malformed_json"
    wrong = await api.put("/api/v1/products", json={"items": []})
    assert wrong.status_code == 400


async def test_a_stock_patch_sets_the_sizes_and_the_chat_sees_it(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    response = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"43": 5}})
    assert response.status_code == 200, response.text
    assert response.json() == {"sku": PEGASUS, "sizes": {"43": 5}, "notified": 0}
    stock = await _stock(runtime, PEGASUS)
    assert stock["43"] == 5
    assert stock["44"] == 3  # the other sizes stay
    shown = _shown(runtime, PEGASUS)
    assert shown is not None and shown["43"] == 5
    comma = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"44,5": 9}})
    assert comma.json()["sizes"] == {"44.5": 9}
    assert (await _stock(runtime, PEGASUS))["44.5"] == 9


async def test_unknown_sku_negative_stock_and_bad_sizes_change_nothing(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    before = await _stock(runtime, PEGASUS)
    unknown = await api.patch("/api/v1/products/NOPE-1/stock", json={"sizes": {"43": 5}})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_product"
    negative = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"43": -1}})
    assert negative.status_code == 400
    assert negative.json()["error"]["code"] == "bad_stock"
    size = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"XL": 1}})
    assert size.status_code == 400
    assert size.json()["error"]["code"] == "bad_size"
    text = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"43": "5"}})
    assert text.status_code == 400
    bulk = await api.post(
        "/api/v1/stock",
        json={
            "changes": [
                {"sku": PEGASUS, "size": "43", "stock": 7},
                {"sku": "NOPE-1", "size": "43", "stock": 1},
            ]
        },
    )
    assert bulk.status_code == 404
    assert "NOPE-1" in bulk.json()["error"]["message"]
    assert await _stock(runtime, PEGASUS) == before


async def test_bulk_stock_changes_many_products_at_once(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    changes = [
        {"sku": PEGASUS, "size": "43", "stock": 4},
        {"sku": "SC-RUN-002", "size": 38, "stock": 2},
        {"sku": PEGASUS, "size": "43.0", "stock": 6},  # the same size again: the later wins
    ]
    response = await api.post("/api/v1/stock", json={"changes": changes})
    assert response.status_code == 200, response.text
    assert response.json() == {"updated": 2, "notified": 0}
    assert (await _stock(runtime, PEGASUS))["43"] == 6
    assert (await _stock(runtime, "SC-RUN-002"))["38"] == 2
    shown = _shown(runtime, "SC-RUN-002")
    assert shown is not None and shown["38"] == 2
    many = await api.post("/api/v1/stock", json={"changes": changes[:1] * 5001})
    assert many.status_code == 400
    assert many.json()["error"]["code"] == "too_many_changes"


@pytest.mark.parametrize("method", ["put", "patch", "post"])
async def test_writes_without_a_valid_token_are_refused(
    api: httpx.AsyncClient, runtime: Runtime, token: str, method: str
) -> None:
    path, body = {
        "put": ("/api/v1/products", {"products": [_product("X-1")]}),
        "patch": (f"/api/v1/products/{PEGASUS}/stock", {"sizes": {"43": 9}}),
        "post": ("/api/v1/stock", {"changes": [{"sku": PEGASUS, "size": "43", "stock": 9}]}),
    }[method]

    async def call(headers: dict[str, str]) -> httpx.Response:
        return await api.request(method.upper(), path, json=body, headers=headers)

    missing = await call({"Authorization": ""})
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "missing_token"
    basic = await call({"Authorization": f"Basic {token}"})
    assert basic.json()["error"]["code"] == "missing_token"
    wrong = await call({"Authorization": f"Bearer {token[:-2]}xx"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"] == "Bearer"
    assert wrong.json()["error"]["code"] == "invalid_token"
    await runtime.db.write(lambda conn: api_tokens.revoke(conn, "erp"))
    revoked = await call({})
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == "invalid_token"
    assert runtime.catalog.index.product("X-1") is None
    assert (await _stock(runtime, PEGASUS))["43"] == 1


async def _subscribe(runtime: Runtime, subject: str) -> str:
    def add(conn: Connection) -> str:
        conversation = conversations.create(conn, "webchat", "shopper-1")
        wish = subscriptions.NewSubscription(
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            channel="webchat",
            topic=TOPIC,
            subject=subject,
            data={},
        )
        subscriptions.add(conn, [wish])
        return conversation.id

    return await runtime.db.write(add)


async def _notices(runtime: Runtime, conversation_id: str) -> list[dict[str, Any]]:
    query = (
        select(outbox.c.content)
        .where(outbox.c.conversation_id == conversation_id, outbox.c.purpose == TOPIC)
        .order_by(outbox.c.id)
    )
    return await runtime.db.read(lambda conn: list(conn.execute(query).scalars()))


async def test_a_restock_tells_the_waiting_customer_once(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    assert (await _stock(runtime, PEGASUS))["42"] == 0
    conversation = await _subscribe(runtime, f"{PEGASUS}:42")
    async with runtime.signals.listen("outbox") as woken:
        response = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"42": 3}})
        assert response.status_code == 200
        assert woken.is_set()  # the worker is woken to send it now
    assert response.json()["notified"] == 1
    notices = await _notices(runtime, conversation)
    assert len(notices) == 1  # one message: the news and its "In den Warenkorb" button
    assert "Pegasus 41" in notices[0]["text"]
    assert "42" in notices[0]["text"]
    assert notices[0]["buttons"][0]["payload"] == f"theke:size:{PEGASUS}:42"
    again = await api.patch(f"/api/v1/products/{PEGASUS}/stock", json={"sizes": {"42": 5}})
    assert again.json()["notified"] == 0
    assert await _notices(runtime, conversation) == notices


async def test_a_product_upsert_that_brings_a_size_back_tells_the_customer_too(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    conversation = await _subscribe(runtime, "API-9:*")
    sold_out = _product("API-9", sizes={"42": 0})
    await api.put("/api/v1/products", json={"products": [sold_out]})
    assert await _notices(runtime, conversation) == []
    back = await api.put("/api/v1/products", json={"products": [_product("API-9")]})
    assert back.status_code == 200
    notices = await _notices(runtime, conversation)
    assert len(notices) == 1 and "wieder lieferbar" in notices[0]["text"]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
_FIELDS = st.sampled_from(["sku", "name", "category", "price", "sizes", "colors", "name_en"])


@settings(max_examples=300)
@given(st.lists(_JSON | st.dictionaries(_FIELDS, _JSON), max_size=5))
def test_any_json_is_stored_or_rejected_with_a_reason(items: list[Any]) -> None:
    products, rejected = parse_products(items)
    assert len(products) + len(rejected) == len(items)
    assert all(reason for item in rejected for reason in item.errors)
    assert len({product.sku for product in products}) == len(products)
    json.dumps([item.to_json() for item in rejected])  # the answer can be sent as JSON
