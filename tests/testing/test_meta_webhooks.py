"""The webhook builders produce the bodies Meta documents, and sign them as Meta does."""

from __future__ import annotations

import json

from theke.testing import meta_webhooks as hooks

PAGE = "1111"
PSID = "24000000000001"
PHONE = "2222"
WA = "4915112345678"


def test_sign_matches_a_published_hmac_sha256_vector() -> None:
    # The X-Hub-Signature-256 scheme (sha256= + hex HMAC) with GitHub's documented example.
    signature = hooks.sign(b"Hello, World!", "It's a Secret to Everybody")
    assert signature == "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_messenger_text_is_the_documented_body() -> None:
    body = hooks.messenger_text(
        PAGE, PSID, "Habt ihr Hafermilch?", mid="m_1", timestamp=1_700_000_000_123
    )
    assert body == {
        "object": "page",
        "entry": [
            {
                "id": PAGE,
                "time": 1_700_000_000_123,
                "messaging": [
                    {
                        "sender": {"id": PSID},
                        "recipient": {"id": PAGE},
                        "timestamp": 1_700_000_000_123,
                        "message": {"mid": "m_1", "text": "Habt ihr Hafermilch?"},
                    }
                ],
            }
        ],
    }


def test_quick_reply_and_postback_carry_their_payloads() -> None:
    tapped = hooks.messenger_quick_reply(PAGE, PSID, "Ja", "CONFIRM")
    message = tapped["entry"][0]["messaging"][0]["message"]
    assert message["text"] == "Ja"
    assert message["quick_reply"] == {"payload": "CONFIRM"}
    assert message["mid"].startswith("m_")
    pressed = hooks.messenger_postback(PAGE, PSID, "GET_STARTED", title="Los geht's")
    assert pressed["entry"][0]["messaging"][0]["postback"]["payload"] == "GET_STARTED"
    assert isinstance(pressed["entry"][0]["time"], int)


def test_a_batch_keeps_every_event() -> None:
    first = hooks.messenger_text(PAGE, PSID, "Hallo", timestamp=1)
    second = hooks.messenger_text(PAGE, "24000000000002", "Hi", timestamp=2)
    batch = hooks.messenger_batch(first, second)
    assert [len(entry["messaging"]) for entry in batch["entry"]] == [1, 1]
    merged = hooks.messenger_batch(first, second, one_entry=True)
    [entry] = merged["entry"]
    assert [item["message"]["text"] for item in entry["messaging"]] == ["Hallo", "Hi"]
    assert entry["time"] == 2
    assert json.loads(json.dumps(merged)) == merged


def test_whatsapp_text_is_the_documented_body() -> None:
    body = hooks.whatsapp_text(
        PHONE,
        WA,
        "Wo ist mein Paket?",
        wamid="wamid.A",
        profile_name="Jana",
        timestamp=1_700_000_000,
    )
    [entry] = body["entry"]
    [change] = entry["changes"]
    assert body["object"] == "whatsapp_business_account"
    assert change["field"] == "messages"
    value = change["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"]["phone_number_id"] == PHONE
    assert value["contacts"] == [{"profile": {"name": "Jana"}, "wa_id": WA}]
    assert value["messages"] == [
        {
            "from": WA,
            "id": "wamid.A",
            "timestamp": "1700000000",
            "text": {"body": "Wo ist mein Paket?"},
            "type": "text",
        }
    ]


def test_interactive_replies_point_at_the_bots_message() -> None:
    button = hooks.whatsapp_button_reply(PHONE, WA, "yes", "Ja", context_id="wamid.BOT")
    [message] = button["entry"][0]["changes"][0]["value"]["messages"]
    assert message["type"] == "interactive"
    assert message["context"]["id"] == "wamid.BOT"
    assert message["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "yes", "title": "Ja"},
    }
    row = hooks.whatsapp_list_reply(PHONE, WA, "dark", "Dunkel", description="kräftig")
    [chosen] = row["entry"][0]["changes"][0]["value"]["messages"]
    assert chosen["interactive"]["list_reply"] == {
        "id": "dark",
        "title": "Dunkel",
        "description": "kräftig",
    }
    assert "context" not in chosen


def test_statuses_report_delivery_and_late_failures() -> None:
    delivered = hooks.whatsapp_status(PHONE, "wamid.X", WA)
    [status] = delivered["entry"][0]["changes"][0]["value"]["statuses"]
    assert status["status"] == "delivered"
    assert status["recipient_id"] == WA
    assert status["pricing"]["billable"] is True
    failed = hooks.whatsapp_status(
        PHONE,
        "wamid.X",
        WA,
        "failed",
        error_code=131047,
        error_title="Re-engagement message",
        error_details="More than 24 hours have passed.",
    )
    [status] = failed["entry"][0]["changes"][0]["value"]["statuses"]
    assert "pricing" not in status
    assert status["errors"][0]["code"] == 131047
    assert status["errors"][0]["error_data"] == {"details": "More than 24 hours have passed."}
