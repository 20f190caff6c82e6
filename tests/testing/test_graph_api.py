"""The loopback Graph API answers like Meta's Messenger Send API and WhatsApp Cloud API."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from theke.testing import _messenger_rules as messenger_rules
from theke.testing import _whatsapp_rules as whatsapp_rules
from theke.testing._graph_rules import GraphError
from theke.testing.graph_api import GraphApi

PAGE = "1111"
PAGE_TOKEN = "PAGE-TOKEN"
PHONE = "2222"
WA_TOKEN = "WA-TOKEN"
PSID = "24000000000001"
WA = "4915112345678"
HOUR = 3600.0
DAY = 24 * HOUR


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(
        page_id=PAGE, page_token=PAGE_TOKEN, phone_number_id=PHONE, wa_token=WA_TOKEN
    ) as server:
        server.now = 1_750_000_000.0
        server.messenger_user_wrote(PSID)
        server.whatsapp_user_wrote(WA, "Hallo")
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def messenger(
    client: httpx.Client, api: GraphApi, body: dict[str, Any], *, token: str = PAGE_TOKEN
) -> httpx.Response:
    return client.post(f"{api.base_url}/me/messages", params={"access_token": token}, json=body)


def whatsapp(
    client: httpx.Client, api: GraphApi, body: dict[str, Any], *, token: str = WA_TOKEN
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return client.post(f"{api.base_url}/{PHONE}/messages", headers=headers, json=body)


def text_to(psid: str, text: str, **extra: Any) -> dict[str, Any]:
    return {
        "recipient": {"id": psid},
        "messaging_type": "RESPONSE",
        "message": {"text": text},
    } | extra


def wa_text(text: str, to: str = WA) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": text}}


def error(
    response: httpx.Response, status: int, code: int, subcode: int | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()["error"]
    assert body["code"] == code
    assert body["type"] == "OAuthException"
    assert body["fbtrace_id"]
    assert body.get("error_subcode") == subcode
    return dict(body)


# -- Messenger: the happy path and the token ----------------------------------------------


def test_a_reply_reaches_the_person(api: GraphApi, client: httpx.Client) -> None:
    response = messenger(client, api, text_to(PSID, "Hallo! Wie kann ich helfen?"))
    assert response.status_code == 200
    body = response.json()
    assert body["recipient_id"] == PSID
    assert body["message_id"].startswith("m_")
    [call] = api.messenger_sent(PSID)
    assert call.body["message"] == {"text": "Hallo! Wie kann ich helfen?"}
    assert call.id == body["message_id"]
    assert call.path == "/v25.0/me/messages"


def test_page_path_bearer_token_and_other_versions_work(
    api: GraphApi, client: httpx.Client
) -> None:
    root = api.base_url.rsplit("/", 1)[0]
    response = client.post(
        f"{root}/v19.0/{PAGE}/messages",
        headers={"Authorization": f"Bearer {PAGE_TOKEN}"},
        json=text_to(PSID, "Hi"),
    )
    assert response.status_code == 200


def test_form_fields_carry_json(api: GraphApi, client: httpx.Client) -> None:
    response = client.post(
        f"{api.base_url}/me/messages",
        data={
            "access_token": PAGE_TOKEN,
            "recipient": f'{{"id": "{PSID}"}}',
            "message": '{"text": "Hallo"}',
        },
    )
    assert response.json()["recipient_id"] == PSID
    assert api.sent[0].body["message"] == {"text": "Hallo"}
    assert "access_token" not in api.sent[0].body


def test_a_wrong_token_is_190_with_http_400(api: GraphApi, client: httpx.Client) -> None:
    body = error(messenger(client, api, text_to(PSID, "Hi"), token="nope"), 400, 190)
    assert "Invalid OAuth access token" in body["message"]
    assert "error_data" not in body


def test_no_token_is_104(api: GraphApi, client: httpx.Client) -> None:
    response = client.post(f"{api.base_url}/me/messages", json=text_to(PSID, "Hi"))
    error(response, 400, 104)


def test_revoked_tokens_fail_everywhere(api: GraphApi, client: httpx.Client) -> None:
    api.revoke_tokens()
    error(messenger(client, api, text_to(PSID, "Hi")), 400, 190, 460)
    error(whatsapp(client, api, wa_text("Hi")), 401, 190, 460)
    assert api.sent == []


def test_an_unknown_object_is_100_33(api: GraphApi, client: httpx.Client) -> None:
    response = client.post(
        f"{api.base_url}/999/messages", params={"access_token": PAGE_TOKEN}, json={}
    )
    body = error(response, 400, 100, 33)
    assert "Object with ID '999' does not exist" in body["message"]


def test_broken_json_is_a_graph_error(api: GraphApi, client: httpx.Client) -> None:
    response = client.post(
        f"{api.base_url}/me/messages",
        params={"access_token": PAGE_TOKEN},
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    error(response, 400, 100)


# -- Messenger: limits ----------------------------------------------------------------------


def test_text_is_1_to_2000_characters(api: GraphApi, client: httpx.Client) -> None:
    assert messenger(client, api, text_to(PSID, "ä" * 2000)).status_code == 200
    body = error(messenger(client, api, text_to(PSID, "ä" * 2001)), 400, 100)
    assert "2000" in body["message"]
    error(messenger(client, api, text_to(PSID, "")), 400, 100)
    error(messenger(client, api, {"recipient": {"id": PSID}, "message": {}}), 400, 100)


def quick(title: str, payload: str = "P") -> dict[str, str]:
    return {"content_type": "text", "title": title, "payload": payload}


def with_message(message: dict[str, Any]) -> dict[str, Any]:
    return {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": message}


def test_quick_replies_follow_messengers_limits(api: GraphApi, client: httpx.Client) -> None:
    ok = [quick(f"Option {n}") for n in range(13)]
    assert (
        messenger(client, api, with_message({"text": "Wähle", "quick_replies": ok})).status_code
        == 200
    )
    too_many = [*ok, quick("Noch eine")]
    error(
        messenger(client, api, with_message({"text": "Wähle", "quick_replies": too_many})), 400, 100
    )
    long_title = [quick("x" * 21)]
    error(
        messenger(client, api, with_message({"text": "Wähle", "quick_replies": long_title})),
        400,
        100,
    )
    long_payload = [quick("Ja", "p" * 1001)]
    error(
        messenger(client, api, with_message({"text": "W", "quick_replies": long_payload})), 400, 100
    )
    email = [{"content_type": "user_email"}, {"content_type": "user_phone_number"}]
    assert (
        messenger(client, api, with_message({"text": "Mail?", "quick_replies": email})).status_code
        == 200
    )


def template(payload: dict[str, Any]) -> dict[str, Any]:
    return with_message({"attachment": {"type": "template", "payload": payload}})


def postback(title: str = "Kaufen", payload: str = "BUY") -> dict[str, str]:
    return {"type": "postback", "title": title, "payload": payload}


def test_button_template_limits(api: GraphApi, client: httpx.Client) -> None:
    def buttons(text: str, *items: dict[str, str]) -> httpx.Response:
        payload = {"template_type": "button", "text": text, "buttons": list(items)}
        return messenger(client, api, template(payload))

    web = {"type": "web_url", "title": "Shop", "url": "https://shop.example/p/1"}
    call = {"type": "phone_number", "title": "Anrufen", "payload": "+4930123456"}
    assert buttons("Was möchtest du?", postback(), web, call).status_code == 200
    error(buttons("Zu viele", postback(), postback(), postback(), postback()), 400, 100)
    error(buttons("Keine"), 400, 100)
    error(buttons("t" * 641, postback()), 400, 100)
    error(buttons("Titel", postback(title="x" * 21)), 400, 100)
    error(buttons("URL", web | {"url": "shop.example"}), 400, 100)
    error(buttons("Telefon", call | {"payload": "030123456"}), 400, 100)


def element(title: str = "Kaffee", **extra: Any) -> dict[str, Any]:
    return {"title": title, "subtitle": "250 g, 6,90 €", "buttons": [postback()]} | extra


def test_generic_template_limits(api: GraphApi, client: httpx.Client) -> None:
    def generic(*elements: dict[str, Any]) -> httpx.Response:
        return messenger(
            client, api, template({"template_type": "generic", "elements": list(elements)})
        )

    assert generic(*[element(f"Sorte {n}") for n in range(10)]).status_code == 200
    error(generic(*[element(f"Sorte {n}") for n in range(11)]), 400, 100)
    error(generic({"subtitle": "ohne Titel"}), 400, 100)
    error(generic(element("t" * 81)), 400, 100)
    error(generic(element(subtitle="s" * 81)), 400, 100)
    error(generic(element(buttons=[postback()] * 4)), 400, 100)
    error(generic(element(default_action={"type": "web_url", "url": "ftp://x"})), 400, 100)


def test_receipt_template_needs_the_order_fields(api: GraphApi, client: httpx.Client) -> None:
    receipt = {
        "template_type": "receipt",
        "recipient_name": "Jana Beispiel",
        "order_number": "10042",
        "currency": "EUR",
        "payment_method": "PayPal",
        "elements": [{"title": "Kaffee", "price": 6.9}],
        "summary": {"total_cost": 6.9},
    }
    assert messenger(client, api, template(receipt)).status_code == 200
    error(messenger(client, api, template(receipt | {"summary": {}})), 400, 100)
    without_name = {k: v for k, v in receipt.items() if k != "recipient_name"}
    error(messenger(client, api, template(without_name)), 400, 100)


def test_media_attachments_need_a_url_or_an_attachment_id(
    api: GraphApi, client: httpx.Client
) -> None:
    image = {"type": "image", "payload": {"url": "https://shop.example/kaffee.jpg"}}
    assert messenger(client, api, with_message({"attachment": image})).status_code == 200
    reused = {"type": "file", "payload": {"attachment_id": "1857777774821032"}}
    assert messenger(client, api, with_message({"attachment": reused})).status_code == 200
    error(
        messenger(client, api, with_message({"attachment": {"type": "image", "payload": {}}})),
        400,
        100,
    )
    sticker = {"type": "sticker", "payload": {"url": "https://x.example/s.png"}}
    error(messenger(client, api, with_message({"attachment": sticker})), 400, 100)


def test_metadata_is_at_most_1000_characters(api: GraphApi, client: httpx.Client) -> None:
    assert (
        messenger(client, api, with_message({"text": "Hi", "metadata": "m" * 1000})).status_code
        == 200
    )
    error(messenger(client, api, with_message({"text": "Hi", "metadata": "m" * 1001})), 400, 100)


# -- Messenger: who may be messaged, and when -----------------------------------------------


def test_the_24_hour_window_closes(api: GraphApi, client: httpx.Client) -> None:
    api.advance(23 * HOUR)
    assert messenger(client, api, text_to(PSID, "Noch da?")).status_code == 200
    api.advance(2 * HOUR)
    body = error(messenger(client, api, text_to(PSID, "Hallo?")), 400, 10, 2018278)
    assert "outside of allowed window" in body["message"]
    update = text_to(PSID, "Neuigkeit", messaging_type="UPDATE")
    error(messenger(client, api, update), 400, 10, 2018278)


def test_a_new_message_reopens_the_window(api: GraphApi, client: httpx.Client) -> None:
    api.advance(2 * DAY)
    api.messenger_user_wrote(PSID)
    assert messenger(client, api, text_to(PSID, "Willkommen zurück")).status_code == 200


def test_human_agent_may_answer_for_7_days(api: GraphApi, client: httpx.Client) -> None:
    agent = text_to(
        PSID, "Hier ist Jana vom Support", messaging_type="MESSAGE_TAG", tag="HUMAN_AGENT"
    )
    api.advance(6 * DAY)
    assert messenger(client, api, agent).status_code == 200
    api.advance(2 * DAY)
    error(messenger(client, api, agent), 400, 10, 2018278)


def test_other_tags_are_allowed_any_time(api: GraphApi, client: httpx.Client) -> None:
    api.advance(30 * DAY)
    shipped = text_to(PSID, "Deine Bestellung ist unterwegs", messaging_type="MESSAGE_TAG")
    assert messenger(client, api, shipped | {"tag": "POST_PURCHASE_UPDATE"}).status_code == 200
    error(messenger(client, api, shipped), 400, 100)
    error(messenger(client, api, shipped | {"tag": "GAME_EVENT"}), 400, 100)


def test_a_stranger_is_no_matching_user(api: GraphApi, client: httpx.Client) -> None:
    body = error(messenger(client, api, text_to("999", "Hi")), 400, 100, 2018001)
    assert body["message"] == "(#100) No matching user found"


def test_a_person_who_blocked_the_page_is_unavailable(api: GraphApi, client: httpx.Client) -> None:
    api.messenger_block(PSID)
    body = error(messenger(client, api, text_to(PSID, "Hi")), 400, 551, 1545041)
    assert body["message"] == "(#551) This person isn't available right now."


def test_sender_actions(api: GraphApi, client: httpx.Client) -> None:
    typing = {"recipient": {"id": PSID}, "sender_action": "typing_on"}
    response = messenger(client, api, typing)
    assert response.json() == {"recipient_id": PSID}
    assert api.messenger_sent(PSID)[0].id is None
    both = typing | {"message": {"text": "Hi"}}
    error(messenger(client, api, both), 400, 100, 2018014)
    error(messenger(client, api, typing | {"sender_action": "dance"}), 400, 100)
    error(messenger(client, api, {"recipient": {"id": PSID}}), 400, 100)


def test_a_comment_gets_one_private_reply_within_7_days(
    api: GraphApi, client: httpx.Client
) -> None:
    api.messenger_user_commented("post_1_comment_1", "31000000000009")
    api.messenger_user_commented("post_1_comment_2", "31000000000009", at=api.now - 8 * DAY)
    reply = {
        "recipient": {"comment_id": "post_1_comment_1"},
        "message": {"text": "Schau in deine Nachrichten!"},
    }
    assert messenger(client, api, reply).json()["recipient_id"] == "31000000000009"
    error(messenger(client, api, reply), 400, 10900)
    late = {"recipient": {"comment_id": "post_1_comment_2"}, "message": {"text": "Zu spät"}}
    error(messenger(client, api, late), 400, 10903)
    unknown = {"recipient": {"comment_id": "nope"}, "message": {"text": "?"}}
    error(messenger(client, api, unknown), 400, 100, 2534025)


def test_an_optin_token_works_until_it_expires(api: GraphApi, client: httpx.Client) -> None:
    token = api.messenger_issue_optin_token(PSID, expires_at=api.now + 2 * DAY)
    api.advance(DAY + HOUR)  # outside the 24-hour window: the token is what allows the send
    offer = {
        "recipient": {"notification_messages_token": token},
        "message": {"text": "Neu: Herbstkaffee"},
    }
    assert messenger(client, api, offer).json()["recipient_id"] == PSID
    api.advance(DAY)
    body = error(messenger(client, api, offer), 400, 100)
    assert body["message"] == "(#100) notification_messages_token has expired"
    unknown = offer | {"recipient": {"notification_messages_token": "123"}}
    assert "is invalid" in error(messenger(client, api, unknown), 400, 100)["message"]


def test_attachments_a_person_sent_are_public_urls(api: GraphApi, client: httpx.Client) -> None:
    url = api.messenger_add_attachment(b"\x89PNG fake", "image/png")
    response = client.get(url)
    assert response.status_code == 200
    assert response.content == b"\x89PNG fake"
    assert response.headers["content-type"] == "image/png"


# -- failure injection and records ----------------------------------------------------------


def test_fail_next_fails_the_next_calls_then_recovers(api: GraphApi, client: httpx.Client) -> None:
    api.fail_next(613, times=2, api="messenger")
    body = error(messenger(client, api, text_to(PSID, "1")), 400, 613)
    assert body["message"] == "(#613) Calls to this api have exceeded the rate limit."
    error(messenger(client, api, text_to(PSID, "2")), 400, 613)
    assert messenger(client, api, text_to(PSID, "3")).status_code == 200
    assert [r.status for r in api.requests] == [400, 400, 200]
    assert [c.body["message"]["text"] for c in api.sent] == ["3"]


def test_temporary_errors_are_marked_transient(api: GraphApi, client: httpx.Client) -> None:
    api.fail_next(2)
    body = error(messenger(client, api, text_to(PSID, "Hi")), 500, 2)
    assert body["is_transient"] is True
    api.fail_next(4, status=429)
    assert error(messenger(client, api, text_to(PSID, "Hi")), 429, 4)["is_transient"] is True


def test_failures_for_one_api_leave_the_other_alone(api: GraphApi, client: httpx.Client) -> None:
    api.fail_next(130429, api="whatsapp")
    assert messenger(client, api, text_to(PSID, "Hi")).status_code == 200
    body = error(whatsapp(client, api, wa_text("Hi")), 400, 130429)
    assert body["message"] == "(#130429) Rate limit hit"
    assert body["error_data"]["messaging_product"] == "whatsapp"
    api.fail_next(131056, api="whatsapp")
    assert "pair rate limit" in error(whatsapp(client, api, wa_text("Hi")), 400, 131056)["message"]


def test_clear_forgets_calls_but_not_people(api: GraphApi, client: httpx.Client) -> None:
    messenger(client, api, text_to(PSID, "Hi"))
    api.fail_next(2)
    api.clear()
    assert api.sent == [] and api.requests == []
    assert messenger(client, api, text_to(PSID, "Hi")).status_code == 200


def test_concurrent_sends_are_all_recorded(api: GraphApi) -> None:
    def send(n: int) -> None:
        with httpx.Client(timeout=5) as http:
            assert messenger(http, api, text_to(PSID, f"#{n}")).status_code == 200

    threads = [threading.Thread(target=send, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = api.messenger_sent(PSID)
    assert len(sent) == 20
    assert len({call.id for call in sent}) == 20


def test_a_clock_callable_drives_the_windows() -> None:
    moments = [1_000_000.0]
    with GraphApi(clock=lambda: moments[0]) as api, httpx.Client(timeout=5) as http:
        api.messenger_user_wrote(PSID)
        moments[0] += 2 * DAY
        response = http.post(
            f"{api.base_url}/me/messages",
            params={"access_token": "PAGE-TOKEN"},
            json=text_to(PSID, "Hi"),
        )
        assert response.json()["error"]["error_subcode"] == 2018278


# -- WhatsApp --------------------------------------------------------------------------------


def test_whatsapp_text_within_the_window(api: GraphApi, client: httpx.Client) -> None:
    response = whatsapp(
        client, api, wa_text("Hallo! Dein Paket kommt morgen.", to="+49 151 12345678")
    )
    assert response.status_code == 200
    body = response.json()
    assert body["messaging_product"] == "whatsapp"
    assert body["contacts"] == [{"input": "+49 151 12345678", "wa_id": WA}]
    assert body["messages"][0]["id"].startswith("wamid.")
    [call] = api.whatsapp_sent(WA)
    assert call.id == body["messages"][0]["id"]


def test_whatsapp_needs_its_own_token(api: GraphApi, client: httpx.Client) -> None:
    error(whatsapp(client, api, wa_text("Hi"), token=PAGE_TOKEN), 401, 190)
    response = client.post(f"{api.base_url}/{PHONE}/messages", json=wa_text("Hi"))
    error(response, 401, 104)


def test_whatsapp_requires_messaging_product(api: GraphApi, client: httpx.Client) -> None:
    body = wa_text("Hi")
    del body["messaging_product"]
    refused = error(whatsapp(client, api, body), 400, 100)
    assert refused["message"] == "(#100) The parameter messaging_product is required."


def test_free_form_outside_24_hours_is_re_engagement(api: GraphApi, client: httpx.Client) -> None:
    api.advance(DAY + 1)
    body = error(whatsapp(client, api, wa_text("Noch Fragen?")), 400, 131047)
    assert body["message"] == "(#131047) Re-engagement message"
    assert "24 hours" in body["error_data"]["details"]
    error(whatsapp(client, api, wa_text("Hi", to="4917099999999")), 400, 131047)


def test_templates_open_a_conversation(api: GraphApi, client: httpx.Client) -> None:
    api.whatsapp_add_template("order_shipped", "de", body_params=2)
    params = [{"type": "text", "text": "Jana"}, {"type": "text", "text": "10042"}]
    shipped: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "to": "4917099999999",
        "type": "template",
        "template": {
            "name": "order_shipped",
            "language": {"code": "de"},
            "components": [{"type": "body", "parameters": params}],
        },
    }
    response = whatsapp(client, api, shipped)
    assert response.json()["messages"][0]["message_status"] == "accepted"
    short = {
        **shipped,
        "template": {
            **shipped["template"],
            "components": [{"type": "body", "parameters": params[:1]}],
        },
    }
    assert "(2)" in error(whatsapp(client, api, short), 400, 132000)["error_data"]["details"]
    english = {**shipped, "template": {**shipped["template"], "language": {"code": "en_US"}}}
    error(whatsapp(client, api, english), 404, 132001)


def test_an_undeliverable_number(api: GraphApi, client: httpx.Client) -> None:
    api.whatsapp_undeliverable(WA)
    assert error(whatsapp(client, api, wa_text("Hi")), 400, 131026)["message"] == (
        "(#131026) Message Undeliverable"
    )


def test_text_body_is_1_to_4096_characters(api: GraphApi, client: httpx.Client) -> None:
    assert whatsapp(client, api, wa_text("ü" * 4096)).status_code == 200
    error(whatsapp(client, api, wa_text("ü" * 4097)), 400, 100)
    error(whatsapp(client, api, wa_text("")), 400, 100)


def interactive(content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "to": WA,
        "type": "interactive",
        "interactive": content,
    }


def reply_button(button_id: str, title: str) -> dict[str, Any]:
    return {"type": "reply", "reply": {"id": button_id, "title": title}}


def test_reply_buttons(api: GraphApi, client: httpx.Client) -> None:
    def buttons(*items: dict[str, Any], **extra: Any) -> httpx.Response:
        content = {
            "type": "button",
            "body": {"text": "Passt das?"},
            "action": {"buttons": list(items)},
        }
        return whatsapp(client, api, interactive(content | extra))

    yes, no, later = (
        reply_button("yes", "Ja"),
        reply_button("no", "Nein"),
        reply_button("later", "Später"),
    )
    header = {"type": "text", "text": "Deine Bestellung"}
    assert buttons(yes, no, later, header=header, footer={"text": "Kaffeehaus"}).status_code == 200
    error(buttons(yes, no, later, reply_button("x", "X")), 400, 131009)
    error(buttons(), 400, 131009)
    error(buttons(reply_button("yes", "t" * 21)), 400, 131009)
    error(buttons(yes, reply_button("yes", "Doch")), 400, 131009)
    error(buttons(yes, reply_button("again", "Ja")), 400, 131009)
    error(buttons(yes, header={"type": "text", "text": "h" * 61}), 400, 100)
    error(buttons(yes, footer={"text": "f" * 61}), 400, 100)
    error(buttons(yes, body={"text": "b" * 1025}), 400, 100)
    image = {"type": "image", "image": {"link": "https://shop.example/k.jpg"}}
    assert buttons(yes, header=image).status_code == 200


def rows(count: int, prefix: str = "r") -> list[dict[str, str]]:
    return [{"id": f"{prefix}{n}", "title": f"Sorte {n}"} for n in range(count)]


def test_list_messages(api: GraphApi, client: httpx.Client) -> None:
    def listing(*sections: dict[str, Any], button: str = "Sorten") -> httpx.Response:
        content = {
            "type": "list",
            "body": {"text": "Welche Sorte?"},
            "action": {"button": button, "sections": list(sections)},
        }
        return whatsapp(client, api, interactive(content))

    hell, dunkel = (
        {"title": "Hell", "rows": rows(5, "h")},
        {"title": "Dunkel", "rows": rows(5, "d")},
    )
    assert listing(hell, dunkel).status_code == 200
    assert listing({"rows": rows(3)}).status_code == 200
    error(listing(hell, {"title": "Dunkel", "rows": rows(6, "d")}), 400, 131009)
    error(listing(hell, {"rows": rows(2, "d")}), 400, 131009)
    error(listing({"rows": [{"id": "a", "title": "t" * 25}]}), 400, 131009)
    error(listing({"rows": [{"id": "a", "title": "A", "description": "d" * 73}]}), 400, 131009)
    error(listing({"rows": [{"id": "i" * 201, "title": "A"}]}), 400, 131009)
    error(listing({"rows": rows(2) + rows(1)}), 400, 131009)
    error(listing({"rows": rows(2)}, button="b" * 21), 400, 100)


def test_cta_url_buttons(api: GraphApi, client: httpx.Client) -> None:
    def cta(text: str, url: str) -> httpx.Response:
        action = {"name": "cta_url", "parameters": {"display_text": text, "url": url}}
        return whatsapp(
            client,
            api,
            interactive({"type": "cta_url", "body": {"text": "Zum Shop"}, "action": action}),
        )

    assert cta("Jetzt ansehen", "https://shop.example/herbst").status_code == 200
    error(cta("t" * 21, "https://shop.example"), 400, 131009)
    error(cta("Ansehen", "ftp://shop.example"), 400, 131009)


def test_media_messages(api: GraphApi, client: httpx.Client) -> None:
    def media(kind: str, content: dict[str, Any]) -> httpx.Response:
        return whatsapp(
            client, api, {"messaging_product": "whatsapp", "to": WA, "type": kind, kind: content}
        )

    link = "https://shop.example/kaffee.jpg"
    assert media("image", {"link": link, "caption": "c" * 1024}).status_code == 200
    error(media("image", {"link": link, "caption": "c" * 1025}), 400, 100)
    error(media("audio", {"link": "https://x.example/a.ogg", "caption": "Hör mal"}), 400, 100)
    error(media("image", {"link": link, "id": "1"}), 400, 100)
    error(media("image", {"link": "kaffee.jpg"}), 400, 131009)
    uploaded = api.whatsapp_add_media(b"%PDF-1.7", "application/pdf")
    assert media("document", {"id": uploaded, "filename": "Rechnung.pdf"}).status_code == 200
    error(media("document", {"id": "404404"}), 400, 131009)


def test_mark_read_and_typing(api: GraphApi, client: httpx.Client) -> None:
    wamid = api.whatsapp_user_wrote(WA, "Wo ist mein Paket?")
    read = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
    typing = read | {"typing_indicator": {"type": "text"}}
    assert whatsapp(client, api, typing).json() == {"success": True}
    assert api.whatsapp_sent(WA)[0].id is None
    error(whatsapp(client, api, read | {"message_id": "wamid.unknown"}), 400, 131009)


def test_media_download_as_whatsapp_serves_it(api: GraphApi, client: httpx.Client) -> None:
    photo = b"\xff\xd8\xff\xe0 a photo of a broken cup"
    media_id = api.whatsapp_add_media(photo, "image/jpeg")
    bearer = {"Authorization": f"Bearer {WA_TOKEN}"}
    info = client.get(f"{api.base_url}/{media_id}", headers=bearer).json()
    assert info["id"] == media_id
    assert info["mime_type"] == "image/jpeg"
    assert info["file_size"] == len(photo)
    assert info["sha256"] == hashlib.sha256(photo).hexdigest()
    download = client.get(info["url"], headers=bearer)
    assert download.content == photo
    assert download.headers["content-type"] == "image/jpeg"
    assert client.get(info["url"]).status_code == 401
    api.advance(301)
    assert client.get(info["url"], headers=bearer).status_code == 404
    assert client.get(f"{api.base_url}/{media_id}").status_code == 401


# -- fuzz: any body gets Meta's answer, never a crash -----------------------------------------

_KEYS = st.sampled_from(
    "text attachment quick_replies metadata type payload template_type buttons elements title"
    " subtitle url content_type summary total_cost body header footer action sections rows id"
    " reply link caption template name language code components parameters to status"
    " message_id recipient_type interactive image audio document context".split()
)
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(_KEYS | st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=25,
)


@given(_JSON)
def test_messenger_rules_refuse_with_graph_errors_only(message: Any) -> None:
    try:
        messenger_rules.check_message(message)
    except GraphError as refusal:
        assert refusal.body()["error"]["code"] == 100


@given(st.dictionaries(_KEYS, _JSON, max_size=6))
def test_whatsapp_rules_refuse_with_graph_errors_only(body: dict[str, Any]) -> None:
    checks: list[Callable[[], object]] = [
        lambda: whatsapp_rules.check_message(body, set()),
        lambda: whatsapp_rules.check_read(body),
        lambda: whatsapp_rules.wa_id(body.get("to")),
    ]
    for check in checks:
        try:
            check()
        except GraphError as refusal:
            assert refusal.status == 400


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(_KEYS | st.just("messaging_product"), _JSON, max_size=6))
def test_any_json_body_gets_an_answer(body: dict[str, Any]) -> None:
    with GraphApi() as api, httpx.Client(timeout=5) as http:
        api.messenger_user_wrote(PSID)
        for response in (messenger(http, api, body), whatsapp(http, api, body)):
            assert response.status_code in (200, 400, 404)
            assert response.json()
