"""``/api/v1/orders``: the shop system reads orders page by page and reports shipments."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Connection, select, update

from theke.runtime import Runtime
from theke.server.api.orders import decode_cursor, encode_cursor, parse_since
from theke.server.app import create_app
from theke.server.errors import ApiError
from theke.store import api_tokens, catalog, conversations
from theke.store import orders as order_store
from theke.store.migrate import upgrade
from theke.store.orders import NewOrder, Order, OrderLine
from theke.store.schema import orders, outbox

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
PEGASUS = "SC-RUN-001"  # in the demo catalog: one pair of size 43


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests never touch the shared PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
async def api(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    token = await runtime.db.write(lambda conn: api_tokens.create(conn, "erp"))
    transport = httpx.ASGITransport(app=create_app(runtime, run_worker=False))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


async def _place(runtime: Runtime, customer: str, at: datetime | None = None) -> Order:
    """An invoice order of one pair, placed in the web chat by ``customer``."""

    def place(conn: Connection) -> Order:
        conversation = conversations.create(conn, "webchat", customer)
        new = NewOrder(
            checkout_key=f"checkout-{customer}",
            customer_id=conversation.customer_id,
            conversation_id=conversation.id,
            channel="webchat",
            language="de",
            payment_method="invoice",
            currency="EUR",
            lines=(OrderLine(PEGASUS, "43", "Pegasus 41", 1, 13999),),
            subtotal_cents=13999,
            shipping_cents=0,
            vat_cents=2235,
            total_cents=13999,
            fulfilment="delivery",
            prefix="SC-",
        )
        order, _ = order_store.place(conn, new)
        if at is not None:
            conn.execute(update(orders).where(orders.c.id == order.id).values(updated_at=at))
        return order

    return await runtime.db.write(place)


async def _messages(runtime: Runtime, conversation_id: str) -> list[tuple[str, dict[str, Any]]]:
    query = (
        select(outbox.c.purpose, outbox.c.content)
        .where(outbox.c.conversation_id == conversation_id)
        .order_by(outbox.c.id)
    )
    return await runtime.db.read(lambda conn: [tuple(row) for row in conn.execute(query)])


async def test_orders_are_listed_by_change_time_page_by_page(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    placed = [await _place(runtime, f"c{n}", T0 + timedelta(hours=n)) for n in range(5)]
    numbers = [order.number for order in placed]
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        response = await api.get("/api/v1/orders", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        seen += [order["number"] for order in body["orders"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == numbers
    everything = (await api.get("/api/v1/orders")).json()
    assert [order["number"] for order in everything["orders"]] == numbers
    assert everything["next_cursor"] is None
    first = everything["orders"][0]
    assert first["items"] == [
        {"sku": PEGASUS, "size": "43", "name": "Pegasus 41", "quantity": 1, "unit_cents": 13999}
    ]
    assert first["total_cents"] == 13999


async def test_updated_since_returns_the_orders_changed_from_then_on(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    placed = [await _place(runtime, f"c{n}", T0 + timedelta(hours=n)) for n in range(3)]
    for since in ("2024-05-01T11:00:00Z", "2024-05-01T13:00:00+02:00", "2024-05-01T11:00:00"):
        response = await api.get("/api/v1/orders", params={"updated_since": since})
        assert response.status_code == 200, since
        numbers = [order["number"] for order in response.json()["orders"]]
        assert numbers == [placed[1].number, placed[2].number], since
    unencoded = await api.get("/api/v1/orders?updated_since=2024-05-01T13:00:00+02:00")
    assert len(unencoded.json()["orders"]) == 2
    paged = await api.get(
        "/api/v1/orders", params={"updated_since": "2024-05-01T10:30:00Z", "limit": 1}
    )
    rest = await api.get(
        "/api/v1/orders",
        params={"updated_since": "2024-05-01T10:30:00Z", "cursor": paged.json()["next_cursor"]},
    )
    assert [order["number"] for order in rest.json()["orders"]] == [placed[2].number]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"updated_since": "yesterday"}, "bad_updated_since"),
        ({"updated_since": "2024-13-01T00:00:00Z"}, "bad_updated_since"),
        ({"cursor": "not-a-cursor"}, "bad_cursor"),
        ({"limit": 0}, "bad_request"),
        ({"limit": 201}, "bad_request"),
        ({"limit": "ten"}, "bad_request"),
    ],
)
async def test_bad_list_parameters_are_400_with_the_reason(
    api: httpx.AsyncClient, params: dict[str, Any], code: str
) -> None:
    response = await api.get("/api/v1/orders", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    if code == "bad_updated_since":
        assert "ISO 8601" in response.json()["error"]["message"]


async def test_an_order_is_found_by_its_number_as_people_write_it(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    order = await _place(runtime, "c1")
    digits = order.number.removeprefix("SC-")
    for written in (order.number, f"sc{digits}", f"SC {digits}"):
        response = await api.get(f"/api/v1/orders/{written}")
        assert response.status_code == 200, written
        assert response.json()["number"] == order.number
        assert response.json()["status"] == "placed"
    unknown = await api.get("/api/v1/orders/SC-000000")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_order"


async def test_shipped_tells_the_customer_with_the_tracking_number_once(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    order = await _place(runtime, "c1")
    shipped = {
        "status": "shipped",
        "carrier": "DHL",
        "tracking_number": "00340434161094042557",
        "tracking_url": "https://www.dhl.de/track?n=00340434161094042557",
    }
    async with runtime.signals.listen("outbox") as woken:
        response = await api.post(f"/api/v1/orders/{order.number}/status", json=shipped)
        assert response.status_code == 200, response.text
        assert woken.is_set()
    body = response.json()
    assert body["status"] == "shipped"
    assert body["shipment"] == {
        "carrier": "DHL",
        "tracking_number": "00340434161094042557",
        "tracking_url": "https://www.dhl.de/track?n=00340434161094042557",
    }
    messages = await _messages(runtime, order.conversation_id)
    assert len(messages) == 1
    purpose, content = messages[0]
    assert purpose == "order_update"
    assert order.number in content["text"]
    assert "00340434161094042557" in content["text"]
    again = await api.post(f"/api/v1/orders/{order.number}/status", json=shipped)
    assert again.status_code == 200
    assert again.json()["status"] == "shipped"
    assert await _messages(runtime, order.conversation_id) == messages
    records = await runtime.db.read(lambda conn: catalog.records(conn, [PEGASUS]))
    assert dict(records[PEGASUS].sizes)["43"] == 0  # shipped on invoice: the pair is sold


async def test_an_impossible_status_change_is_409_and_changes_nothing(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    order = await _place(runtime, "c1")
    cancelled = await api.post(
        f"/api/v1/orders/{order.number}/status", json={"status": "cancelled"}
    )
    assert cancelled.status_code == 200
    told = await _messages(runtime, order.conversation_id)
    response = await api.post(f"/api/v1/orders/{order.number}/status", json={"status": "shipped"})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "cancelled" in response.json()["error"]["message"]
    current = (await api.get(f"/api/v1/orders/{order.number}")).json()
    assert current["status"] == "cancelled"
    assert await _messages(runtime, order.conversation_id) == told


async def test_unknown_orders_statuses_and_fields_are_refused(
    api: httpx.AsyncClient, runtime: Runtime
) -> None:
    order = await _place(runtime, "c1")
    unknown = await api.post("/api/v1/orders/SC-000000/status", json={"status": "shipped"})
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "unknown_order"
    status = await api.post(f"/api/v1/orders/{order.number}/status", json={"status": "sent"})
    assert status.status_code == 400
    assert status.json()["error"]["code"] == "unknown_status"
    assert "shipped, ready, delivered" in status.json()["error"]["message"]
    url = {"status": "shipped", "tracking_url": "javascript:alert(1)"}
    assert (await api.post(f"/api/v1/orders/{order.number}/status", json=url)).status_code == 400
    assert (await api.get(f"/api/v1/orders/{order.number}")).json()["status"] == "placed"


async def test_reading_orders_needs_a_token(api: httpx.AsyncClient, runtime: Runtime) -> None:
    order = await _place(runtime, "c1")
    for path in ("/api/v1/orders", f"/api/v1/orders/{order.number}"):
        response = await api.get(path, headers={"Authorization": ""})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"] == "Bearer"
    refused = await api.post(
        f"/api/v1/orders/{order.number}/status",
        json={"status": "shipped"},
        headers={"Authorization": "Bearer thk_guessed"},
    )
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_token"
    assert (await api.get(f"/api/v1/orders/{order.number}")).json()["status"] == "placed"


@given(
    st.datetimes(timezones=st.just(UTC), min_value=datetime(2000, 1, 1)),  # noqa: DTZ001 - hypothesis bounds are naive
    st.text(min_size=1, max_size=40),
)
def test_a_cursor_gives_back_what_it_holds(at: datetime, order_id: str) -> None:
    assert decode_cursor(encode_cursor(at, order_id)) == (at, order_id)


@given(st.text(max_size=80))
def test_any_other_cursor_is_a_clean_400(text: str) -> None:
    try:
        decode_cursor(text)
    except ApiError as exc:
        assert (exc.status, exc.code) == (400, "bad_cursor")


@given(st.text(max_size=40) | st.datetimes().map(datetime.isoformat))
def test_updated_since_is_utc_or_a_clean_400(text: str) -> None:
    try:
        parsed = parse_since(text)
    except ApiError as exc:
        assert (exc.status, exc.code) == (400, "bad_updated_since")
    else:
        assert parsed.tzinfo is UTC
