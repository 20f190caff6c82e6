"""The loopback Graph API takes receipt templates as Meta does, and refuses broken ones."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given

from tests.content.receipt_strategies import NIMBUS_ORDER, receipts
from theke.channels.messenger import render
from theke.content import Receipt
from theke.testing import _messenger_rules as messenger_rules
from theke.testing._graph_rules import GraphError
from theke.testing.graph_api import GraphApi

PAGE = "1111"
PAGE_TOKEN = "PAGE-TOKEN"
PSID = "24000000000001"
PUBLIC = "https://shop.example"


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, page_token=PAGE_TOKEN) as server:
        server.messenger_user_wrote(PSID)
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def _rendered(receipt: Receipt = NIMBUS_ORDER) -> dict[str, Any]:
    [body] = render(receipt, PSID, payload_id=str, public_url=PUBLIC)
    message: dict[str, Any] = body["message"]
    return message


def _send(client: httpx.Client, api: GraphApi, message: dict[str, Any]) -> httpx.Response:
    body = {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": message}
    return client.post(
        f"{api.base_url}/me/messages", params={"access_token": PAGE_TOKEN}, json=body
    )


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = message["attachment"]["payload"]
    return payload


def test_our_rendered_receipt_reaches_the_customer(api: GraphApi, client: httpx.Client) -> None:
    message = _rendered()
    response = _send(client, api, message)
    assert response.status_code == 200, response.text
    [call] = api.messenger_sent(PSID)
    assert call.body["message"] == message


def _drop(*path: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path
        target: Any = payload
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return change


def _put(value: Any, *path: str) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        *parents, last = path
        target: Any = payload
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        target[last] = value

    return change


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no recipient name": (_drop("recipient_name"), "[recipient_name]"),
    "blank order number": (_put("  ", "order_number"), "[order_number]"),
    "no payment method": (_drop("payment_method"), "[payment_method]"),
    "lower-case currency": (_put("eur", "currency"), "[currency]"),
    "no currency": (_drop("currency"), "[currency]"),
    "order page not a web address": (_put("shop.example/1", "order_url"), "[order_url]"),
    "no summary": (_drop("summary"), "[summary]"),
    "no total": (_drop("summary", "total_cost"), "[summary][total_cost]"),
    "total as text": (_put("317,92", "summary", "total_cost"), "[summary][total_cost]"),
    "total as a boolean": (_put(True, "summary", "total_cost"), "[summary][total_cost]"),
    "three decimals": (_put(4.951, "summary", "shipping_cost"), "[summary][shipping_cost]"),
    "address without state": (_drop("address", "state"), "[address][state]"),
    "three-letter country": (_put("DEU", "address", "country"), "[address][country]"),
    "element without title": (_drop("elements", "0", "title"), "[elements][0][title]"),
    "element title too long": (_put("t" * 81, "elements", "0", "title"), "[elements][0][title]"),
    "element subtitle too long": (
        _put("s" * 81, "elements", "0", "subtitle"),
        "[elements][0][subtitle]",
    ),
    "element without price": (_drop("elements", "1", "price"), "[elements][1][price]"),
    "quantity as text": (_put("2", "elements", "0", "quantity"), "[elements][0][quantity]"),
    "element currency": (_put("€", "elements", "0", "currency"), "[elements][0][currency]"),
    "element picture on ftp": (
        _put("ftp://shop.example/a.jpg", "elements", "0", "image_url"),
        "[elements][0][image_url]",
    ),
    "101 elements": (lambda p: p.update(elements=[p["elements"][1]] * 101), "[elements]"),
    "adjustment without amount": (
        _put([{"name": "Rabatt"}], "adjustments"),
        "[adjustments][0][amount]",
    ),
}


@pytest.mark.parametrize(("broken", "field"), BROKEN.values(), ids=list(BROKEN))
def test_a_broken_receipt_is_refused_with_metas_error_100(
    api: GraphApi, client: httpx.Client, broken: Callable[[dict[str, Any]], None], field: str
) -> None:
    message = copy.deepcopy(_rendered())
    broken(_payload(message))
    response = _send(client, api, message)
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (100, "OAuthException")
    assert error["message"].startswith("(#100) ")
    assert f"param message[attachment][payload]{field} " in error["message"]
    assert api.messenger_sent(PSID) == []


def test_metas_own_example_with_adjustments_is_taken(api: GraphApi, client: httpx.Client) -> None:
    message = copy.deepcopy(_rendered())
    _payload(message)["adjustments"] = [{"name": "Neukundenrabatt", "amount": 20}]
    _payload(message)["timestamp"] = "1428444852"
    assert _send(client, api, message).status_code == 200


@given(receipts)
def test_every_receipt_we_render_is_one_meta_takes(receipt: Receipt) -> None:
    for body in render(receipt, PSID, payload_id=str, public_url=PUBLIC):
        try:
            messenger_rules.check_message(body["message"])
        except GraphError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"Meta would refuse {body['message']}: {exc.body()}")
