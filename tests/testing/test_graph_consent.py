"""The loopback Graph API takes opt-in requests as Meta does, refuses broken ones, and lets a
test play the customer who taps the button."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given

from tests.content.consent_strategies import SAMBA_OG, consents
from theke.channels.messenger import parse_delivery, render
from theke.content import Consent
from theke.testing import _messenger_rules as messenger_rules
from theke.testing._graph_rules import GraphError
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import messenger_optin

PAGE = "1111"
PAGE_TOKEN = "PAGE-TOKEN"
PSID = "24000000000001"
PUBLIC = "https://shop.example"
DAY = 24 * 3600


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, page_token=PAGE_TOKEN) as server:
        server.messenger_user_wrote(PSID)
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def _rendered(consent: Consent = SAMBA_OG) -> list[dict[str, Any]]:
    return [body["message"] for body in render(consent, PSID, payload_id=str, public_url=PUBLIC)]


def _request(consent: Consent = SAMBA_OG) -> dict[str, Any]:
    return _rendered(consent)[-1]


def _send(
    client: httpx.Client, api: GraphApi, message: dict[str, Any], **recipient: str
) -> httpx.Response:
    body = {
        "recipient": recipient or {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": message,
    }
    return client.post(
        f"{api.base_url}/me/messages", params={"access_token": PAGE_TOKEN}, json=body
    )


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = message["attachment"]["payload"]
    return payload


def _refusal(response: httpx.Response) -> str:
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["type"]) == (100, "OAuthException")
    assert error["message"].startswith("(#100) ")
    message: str = error["message"]
    return message


def _tapped(api: GraphApi, **options: Any) -> dict[str, Any]:
    """The tap's webhook, as the bot parses it."""
    webhook = api.messenger_tap_optin(PSID, **options)
    [event] = parse_delivery(json.dumps(webhook).encode(), page_id=PAGE)
    assert (event.kind, event.sender) == ("status", PSID)
    return event.extra


# -- what the fake takes and refuses --------------------------------------------------------


def test_our_rendered_request_reaches_the_customer_after_its_text(
    api: GraphApi, client: httpx.Client
) -> None:
    messages = _rendered()
    for message in messages:
        response = _send(client, api, message)
        assert response.status_code == 200, response.text
    assert [call.body["message"] for call in api.messenger_sent(PSID)] == messages
    assert "text" in messages[0] and "attachment" in messages[1]


def _put(value: Any, field: str) -> Callable[[dict[str, Any]], None]:
    return lambda payload: payload.update({field: value})


def _drop(field: str) -> Callable[[dict[str, Any]], None]:
    return lambda payload: payload.pop(field)


BROKEN: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "no payload": (_drop("payload"), "[payload]"),
    "empty payload": (_put("", "payload"), "[payload]"),
    "payload as a number": (_put(42, "payload"), "[payload]"),
    "title of 66 characters": (_put("t" * 66, "title"), "[title]"),
    "title as a list": (_put(["Bescheid"], "title"), "[title]"),
    "picture not a web address": (_put("samba.jpg", "image_url"), "[image_url]"),
    "unknown button text": (
        _put("NOTIFY_ME", "notification_messages_cta_text"),
        "[notification_messages_cta_text]",
    ),
    "button text in lower case": (
        _put("get_updates", "notification_messages_cta_text"),
        "[notification_messages_cta_text]",
    ),
    "hourly": (
        _put("HOURLY", "notification_messages_frequency"),
        "[notification_messages_frequency]",
    ),
    "re-opt-in as a boolean": (
        _put(True, "notification_messages_reoptin"),
        "[notification_messages_reoptin]",
    ),
    "empty timezone": (
        _put("", "notification_messages_timezone"),
        "[notification_messages_timezone]",
    ),
    "timezone with a space": (
        _put("Europe Berlin", "notification_messages_timezone"),
        "[notification_messages_timezone]",
    ),
    "misspelt template type": (_put("notification_message", "template_type"), "[template_type]"),
}


@pytest.mark.parametrize(("broken", "field"), BROKEN.values(), ids=list(BROKEN))
def test_a_broken_opt_in_request_is_refused_with_metas_error_100(
    api: GraphApi, client: httpx.Client, broken: Callable[[dict[str, Any]], None], field: str
) -> None:
    message = copy.deepcopy(_request())
    broken(_payload(message))
    message_text = _refusal(_send(client, api, message))
    assert f"param message[attachment][payload]{field} " in message_text
    assert api.messenger_sent(PSID) == []


@pytest.mark.parametrize("cta", sorted(messenger_rules.OPTIN_CTA_TEXTS))
def test_every_documented_button_text_is_taken(
    api: GraphApi, client: httpx.Client, cta: str
) -> None:
    message = copy.deepcopy(_request())
    _payload(message)["notification_messages_cta_text"] = cta
    assert _send(client, api, message).status_code == 200


def test_metas_older_example_with_frequency_and_re_opt_in_is_taken(
    api: GraphApi, client: httpx.Client
) -> None:
    message = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "notification_messages",
                "title": "Get Daily Electricity Bill Notifications!",
                "payload": "ADDITIONAL-WEBHOOK-INFORMATION",
                "notification_messages_cta_text": "ALLOW",
                "notification_messages_frequency": "DAILY",
                "notification_messages_reoptin": "ENABLED",
                "notification_messages_timezone": "Europe/Berlin",
            },
        }
    }
    assert _send(client, api, message).status_code == 200, "Meta's own example"


def test_a_request_without_title_is_taken(api: GraphApi, client: httpx.Client) -> None:
    message = copy.deepcopy(_request())
    del _payload(message)["title"]
    assert _send(client, api, message).status_code == 200


def test_a_request_outside_the_24_hours_is_refused(api: GraphApi, client: httpx.Client) -> None:
    api.advance(DAY + 60)
    response = _send(client, api, _request())
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["error_subcode"]) == (10, 2018278)


@given(consents)
def test_every_consent_request_we_render_is_one_meta_takes(consent: Consent) -> None:
    for message in _rendered(consent):
        try:
            messenger_rules.check_message(message)
        except GraphError as exc:  # pragma: no cover - the failure message
            pytest.fail(f"Meta would refuse {message}: {exc.body()}")


# -- the customer taps the button -------------------------------------------------------------


def test_tapping_the_button_gives_the_opt_in_webhook_with_the_requests_topic(
    api: GraphApi, client: httpx.Client
) -> None:
    assert _send(client, api, _request()).status_code == 200
    extra = _tapped(api)
    assert extra["status"] == "optin"
    assert extra["topic"] == "back_in_stock"
    assert extra["title"] == SAMBA_OG.title
    assert "expires_at" not in extra  # tokens no longer expire


def test_the_token_of_the_tap_reaches_the_customer_after_the_window(
    api: GraphApi, client: httpx.Client
) -> None:
    assert _send(client, api, _request()).status_code == 200
    token = _tapped(api)["token"]
    api.advance(3 * DAY)
    back = {"text": "Der Samba OG ist wieder da!"}
    assert _send(client, api, back).status_code == 400
    response = _send(client, api, back, notification_messages_token=token)
    assert response.status_code == 200, response.text
    assert api.messenger_sent(PSID)[-1].body["message"] == back


def test_a_tap_with_an_expiry_gives_a_token_that_expires(
    api: GraphApi, client: httpx.Client
) -> None:
    assert _send(client, api, _request()).status_code == 200
    extra = _tapped(api, expires_at=api.now + 2 * DAY)
    assert extra["expires_at"].endswith("+00:00")
    api.advance(3 * DAY)
    response = _send(
        client, api, {"text": "Wieder da!"}, notification_messages_token=extra["token"]
    )
    assert "notification_messages_token has expired" in _refusal(response)


def test_the_tap_answers_the_latest_request(api: GraphApi, client: httpx.Client) -> None:
    later = SAMBA_OG.model_copy(update={"topic": "price_drop", "title": " "})
    for consent in (SAMBA_OG, later):
        assert _send(client, api, _request(consent)).status_code == 200
    extra = _tapped(api)
    assert (extra["topic"], extra["title"]) == ("price_drop", "Updates and promotions")


def test_a_tap_without_a_request_is_a_mistake_in_the_test(
    api: GraphApi, client: httpx.Client
) -> None:
    assert _send(client, api, {"text": "Hallo"}).status_code == 200
    with pytest.raises(LookupError, match=PSID):
        api.messenger_tap_optin(PSID)


def test_the_opt_in_webhook_builder_speaks_for_a_later_stop() -> None:
    webhook = messenger_optin(
        PAGE, PSID, "7409264102034839817", "back_in_stock", status="STOP_NOTIFICATIONS"
    )
    [event] = parse_delivery(json.dumps(webhook).encode(), page_id=PAGE)
    assert event.extra["status"] == "optout"
    assert (event.extra["token"], event.extra["topic"]) == ("7409264102034839817", "back_in_stock")
    assert "title" not in event.extra
