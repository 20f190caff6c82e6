"""The loopback Telegram Bot API answers like Telegram, over real HTTP."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.testing import TelegramApi
from theke.testing._telegram_rules import utf16_len, visible_text

TOKEN = "123:ABC"
CHAT = 4711


@pytest.fixture
def api() -> Iterator[TelegramApi]:
    with TelegramApi(token=TOKEN) as server:
        server.start_chat(CHAT, first_name="Jana")
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def call(client: httpx.Client, api: TelegramApi, method: str, **params: Any) -> httpx.Response:
    return client.post(f"{api.base_url}/bot{TOKEN}/{method}", json=params)


def refused(response: httpx.Response, status: int, description: str) -> None:
    assert response.status_code == status
    assert response.json() == {"ok": False, "error_code": status, "description": description}


def keyboard(*buttons: dict[str, str]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


def test_get_me_names_the_bot(api: TelegramApi, client: httpx.Client) -> None:
    body = client.get(f"{api.base_url}/bot{TOKEN}/getMe").json()
    assert body["ok"] is True
    assert body["result"]["id"] == 123
    assert body["result"]["is_bot"] is True


def test_method_names_are_case_insensitive(api: TelegramApi, client: httpx.Client) -> None:
    assert call(client, api, "GETME").json()["ok"] is True


def test_send_message_returns_the_message(api: TelegramApi, client: httpx.Client) -> None:
    markup = keyboard({"text": "Ja", "callback_data": "yes"})
    body = call(client, api, "sendMessage", chat_id=CHAT, text="Hallo!", reply_markup=markup)
    message = body.json()["result"]
    assert message["text"] == "Hallo!"
    assert message["chat"]["id"] == CHAT
    assert message["reply_markup"] == markup
    assert [call.method for call in api.calls_to(CHAT)] == ["sendMessage"]


def test_form_fields_and_json_strings_are_accepted(api: TelegramApi, client: httpx.Client) -> None:
    markup = json.dumps(keyboard({"text": "Shop", "url": "https://example.com"}))
    response = client.post(
        f"{api.base_url}/bot{TOKEN}/sendMessage",
        data={"chat_id": str(CHAT), "text": "Hi", "reply_markup": markup},
    )
    assert response.json()["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Shop"


def test_multipart_photo_upload_is_accepted(api: TelegramApi, client: httpx.Client) -> None:
    response = client.post(
        f"{api.base_url}/bot{TOKEN}/sendPhoto",
        data={"chat_id": str(CHAT), "caption": "Neu"},
        files={"photo": ("shoe.jpg", b"\xff\xd8jpeg", "image/jpeg")},
    )
    assert response.json()["result"]["caption"] == "Neu"


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_refused(api: TelegramApi, client: httpx.Client, text: str) -> None:
    response = call(client, api, "sendMessage", chat_id=CHAT, text=text)
    refused(response, 400, "Bad Request: message text is empty")


def test_text_limit_counts_utf16_units(api: TelegramApi, client: httpx.Client) -> None:
    fits = call(client, api, "sendMessage", chat_id=CHAT, text="👟" * 2048)
    assert fits.json()["ok"] is True
    too_long = call(client, api, "sendMessage", chat_id=CHAT, text="👟" * 2048 + "x")
    refused(too_long, 400, "Bad Request: message is too long")


def test_markup_does_not_count_towards_the_limit(api: TelegramApi, client: httpx.Client) -> None:
    text = "<b>" + "a" * 4096 + "</b>"
    response = call(client, api, "sendMessage", chat_id=CHAT, text=text, parse_mode="HTML")
    assert response.json()["ok"] is True


def test_tags_only_html_is_empty(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendMessage", chat_id=CHAT, text="<b></b>", parse_mode="HTML")
    refused(response, 400, "Bad Request: message text is empty")


def test_unknown_html_tag_is_refused(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendMessage", chat_id=CHAT, text="a <div>", parse_mode="HTML")
    refused(
        response,
        400,
        'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 2',
    )


def test_unescaped_markdown_v2_is_refused(api: TelegramApi, client: httpx.Client) -> None:
    response = call(
        client, api, "sendMessage", chat_id=CHAT, text="Preis: 5.99", parse_mode="MarkdownV2"
    )
    assert response.status_code == 400
    assert "Character '.' is reserved" in response.json()["description"]


def test_unknown_parse_mode_is_refused(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendMessage", chat_id=CHAT, text="x", parse_mode="BBCode")
    refused(response, 400, "Bad Request: unsupported parse_mode BBCode")


def test_callback_data_limit_is_64_bytes(api: TelegramApi, client: httpx.Client) -> None:
    fits = keyboard({"text": "ok", "callback_data": "a" * 64})
    assert call(client, api, "sendMessage", chat_id=CHAT, text="x", reply_markup=fits).is_success
    umlauts = keyboard({"text": "zu lang", "callback_data": "ä" * 33})
    response = call(client, api, "sendMessage", chat_id=CHAT, text="x", reply_markup=umlauts)
    refused(response, 400, "Bad Request: BUTTON_DATA_INVALID")


def test_empty_callback_data_is_refused(api: TelegramApi, client: httpx.Client) -> None:
    markup = keyboard({"text": "leer", "callback_data": ""})
    response = call(client, api, "sendMessage", chat_id=CHAT, text="x", reply_markup=markup)
    refused(response, 400, "Bad Request: BUTTON_DATA_INVALID")


@pytest.mark.parametrize(
    "button",
    [{"text": "nur Text"}, {"text": "beides", "callback_data": "a", "url": "https://e.de"}],
)
def test_button_needs_exactly_one_action(
    api: TelegramApi, client: httpx.Client, button: dict[str, str]
) -> None:
    markup = keyboard(button)
    response = call(client, api, "sendMessage", chat_id=CHAT, text="x", reply_markup=markup)
    assert response.status_code == 400
    assert response.json()["description"].startswith("Bad Request: can't parse inline keyboard")


def test_unknown_chat_is_not_found(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendMessage", chat_id=999, text="Hallo")
    refused(response, 400, "Bad Request: chat not found")
    assert api.sent == []


def test_blocked_chat_is_forbidden(api: TelegramApi, client: httpx.Client) -> None:
    api.block(CHAT)
    for method, params in [
        ("sendMessage", {"text": "Hallo"}),
        ("sendPhoto", {"photo": "https://e.de/a.jpg"}),
        ("sendChatAction", {"action": "typing"}),
    ]:
        response = call(client, api, method, chat_id=CHAT, **params)
        refused(response, 403, "Forbidden: bot was blocked by the user")


def test_wrong_and_revoked_tokens_are_unauthorized(api: TelegramApi, client: httpx.Client) -> None:
    refused(client.get(f"{api.base_url}/bot999:XYZ/getMe"), 401, "Unauthorized")
    api.revoke_token()
    refused(call(client, api, "getMe"), 401, "Unauthorized")


def test_unknown_method_is_not_found(api: TelegramApi, client: httpx.Client) -> None:
    refused(call(client, api, "sendSticker"), 404, "Not Found")
    refused(client.get(f"{api.base_url}/nothing"), 404, "Not Found")


def test_photo_caption_limit(api: TelegramApi, client: httpx.Client) -> None:
    photo = "https://shop.example/schuh.jpg"
    fits = call(client, api, "sendPhoto", chat_id=CHAT, photo=photo, caption="c" * 1024)
    assert fits.json()["result"]["photo"][0]["file_id"] == photo
    too_long = call(client, api, "sendPhoto", chat_id=CHAT, photo=photo, caption="c" * 1025)
    refused(too_long, 400, "Bad Request: message caption is too long")


def test_photo_is_required(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendPhoto", chat_id=CHAT)
    refused(response, 400, "Bad Request: there is no photo in the request")


def media(count: int, caption: str = "") -> list[dict[str, str]]:
    return [
        {"type": "photo", "media": f"https://e.de/{n}.jpg", "caption": caption}
        for n in range(count)
    ]


def test_media_group_of_two_to_ten(api: TelegramApi, client: httpx.Client) -> None:
    body = call(client, api, "sendMediaGroup", chat_id=CHAT, media=media(10)).json()
    assert len(body["result"]) == 10
    assert len({message["media_group_id"] for message in body["result"]}) == 1
    for count in (1, 11):
        response = call(client, api, "sendMediaGroup", chat_id=CHAT, media=media(count))
        assert response.status_code == 400


def test_media_group_caption_limit(api: TelegramApi, client: httpx.Client) -> None:
    response = call(client, api, "sendMediaGroup", chat_id=CHAT, media=media(2, "c" * 1025))
    refused(response, 400, "Bad Request: message caption is too long")


def test_chat_action_must_be_known(api: TelegramApi, client: httpx.Client) -> None:
    assert call(client, api, "sendChatAction", chat_id=CHAT, action="typing").json() == {
        "ok": True,
        "result": True,
    }
    response = call(client, api, "sendChatAction", chat_id=CHAT, action="dancing")
    refused(response, 400, "Bad Request: wrong parameter action in request")


def test_callback_query_is_answered_once(api: TelegramApi, client: httpx.Client) -> None:
    update = api.update_callback(CHAT, "yes", message_id=1)
    query_id = update["callback_query"]["id"]
    too_long = call(client, api, "answerCallbackQuery", callback_query_id=query_id, text="x" * 201)
    refused(too_long, 400, "Bad Request: MESSAGE_TOO_LONG")
    answer = call(client, api, "answerCallbackQuery", callback_query_id=query_id, text="x" * 200)
    assert answer.json()["result"] is True
    again = call(client, api, "answerCallbackQuery", callback_query_id=query_id)
    stale = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    refused(again, 400, stale)


def test_webhook_is_set_read_and_deleted(api: TelegramApi, client: httpx.Client) -> None:
    url = "https://shop.example/telegram/webhook"
    params = {"url": url, "secret_token": "s3cr-et_", "allowed_updates": ["message"]}
    assert call(client, api, "setWebhook", **params).json()["result"] is True
    info = call(client, api, "getWebhookInfo").json()["result"]
    assert info["url"] == url
    assert info["allowed_updates"] == ["message"]
    assert api.webhook.secret_token == "s3cr-et_"
    assert call(client, api, "deleteWebhook").json()["result"] is True
    assert call(client, api, "getWebhookInfo").json()["result"]["url"] == ""


@pytest.mark.parametrize("secret", ["mit leerzeichen", "ü", "a" * 257])
def test_bad_secret_token_is_refused(api: TelegramApi, client: httpx.Client, secret: str) -> None:
    params = {"url": "https://shop.example/hook", "secret_token": secret}
    response = call(client, api, "setWebhook", **params)
    refused(response, 400, "Bad Request: secret token contains unallowed characters")
    assert api.webhook.url == ""


def test_webhook_needs_https_on_an_allowed_port(api: TelegramApi, client: httpx.Client) -> None:
    plain = call(client, api, "setWebhook", url="http://shop.example/hook")
    refused(plain, 400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
    port = call(client, api, "setWebhook", url="https://shop.example:9000/hook")
    assert port.status_code == 400


def test_fail_next_429_carries_retry_after(api: TelegramApi, client: httpx.Client) -> None:
    api.fail_next(status=429, retry_after=3)
    response = call(client, api, "sendMessage", chat_id=CHAT, text="Hallo")
    assert response.status_code == 429
    assert response.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert call(client, api, "sendMessage", chat_id=CHAT, text="Hallo").json()["ok"] is True
    assert [request.status for request in api.requests] == [429, 200]
    assert len(api.sent) == 1


def test_fail_next_500(api: TelegramApi, client: httpx.Client) -> None:
    api.fail_next(status=500)
    refused(call(client, api, "getMe"), 500, "Internal Server Error")


def test_recording_keeps_order_and_clears(api: TelegramApi, client: httpx.Client) -> None:
    api.start_chat(42)
    call(client, api, "sendMessage", chat_id=CHAT, text="eins")
    call(client, api, "sendMessage", chat_id=42, text="zwei")
    call(client, api, "sendMessage", chat_id=CHAT, text="drei")
    assert [c.params["text"] for c in api.sent] == ["eins", "zwei", "drei"]
    assert [c.params["text"] for c in api.calls_to(CHAT)] == ["eins", "drei"]
    assert api.sent[0].at <= api.sent[2].at
    api.clear()
    assert api.sent == []
    assert api.requests == []


def test_message_update_looks_like_telegrams(api: TelegramApi) -> None:
    first = api.update_message(CHAT, "/start ref-summer", language_code="en")
    second = api.update_message(CHAT, "Hallo")
    assert second["update_id"] == first["update_id"] + 1
    message = first["message"]
    assert message["from"]["language_code"] == "en"
    assert message["chat"] == {"id": CHAT, "first_name": "Jana", "type": "private"}
    assert message["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert second["message"]["message_id"] == message["message_id"] + 1


def test_user_and_bot_share_message_ids(api: TelegramApi, client: httpx.Client) -> None:
    user = api.update_message(CHAT, "Hallo", message_id=7)
    bot = call(client, api, "sendMessage", chat_id=CHAT, text="Moin").json()["result"]
    assert bot["message_id"] == user["message"]["message_id"] + 1


def test_writing_starts_the_chat(api: TelegramApi, client: httpx.Client) -> None:
    api.update_message(555, "Hallo")
    assert call(client, api, "sendMessage", chat_id=555, text="Moin").json()["ok"] is True


def test_callback_update_carries_the_pressed_message(
    api: TelegramApi, client: httpx.Client
) -> None:
    markup = keyboard({"text": "Ja", "callback_data": "yes"})
    sent = call(client, api, "sendMessage", chat_id=CHAT, text="Sicher?", reply_markup=markup)
    message_id = sent.json()["result"]["message_id"]
    query = api.update_callback(CHAT, "yes", message_id)["callback_query"]
    assert query["data"] == "yes"
    assert query["message"]["text"] == "Sicher?"
    assert query["from"]["id"] == CHAT


def test_contact_update(api: TelegramApi) -> None:
    update = api.update_contact(CHAT, "+4915112345678", user_id=CHAT)
    assert update["message"]["contact"] == {
        "phone_number": "+4915112345678",
        "first_name": "Jana",
        "user_id": CHAT,
    }


def test_base_url_needs_a_running_server() -> None:
    api = TelegramApi()
    with pytest.raises(RuntimeError):
        _ = api.base_url


@given(st.text())
def test_escaped_html_shows_the_text(text: str) -> None:
    assert visible_text("<b>" + html.escape(text, quote=False) + "</b>", "HTML") == text


def escape_markdown_v2(text: str) -> str:
    return "".join("\\" + char if char in "_*[]()~`>#+-=|{}.!\\" else char for char in text)


@given(st.text())
def test_escaped_markdown_v2_shows_the_text(text: str) -> None:
    assert visible_text("*" + escape_markdown_v2(text) + "*", "MarkdownV2") == text


@given(st.text())
def test_utf16_length_matches_surrogate_pairs(text: str) -> None:
    wide = sum(1 for char in text if ord(char) > 0xFFFF)
    assert utf16_len(text) == len(text) + wide


async def test_async_clients_are_served(api: TelegramApi) -> None:
    async with httpx.AsyncClient(timeout=5) as http:
        url = f"{api.base_url}/bot{TOKEN}/sendMessage"
        response = await http.post(url, json={"chat_id": CHAT, "text": "Hallo"})
    assert response.json()["result"]["text"] == "Hallo"
