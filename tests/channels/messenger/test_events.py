"""Parsing Messenger webhook deliveries into inbound events.

The bodies follow the shapes in Meta's Messenger Platform webhook reference
(messages, message_echoes, messaging_postbacks, messaging_referrals,
messaging_optins, message_deliveries, message_reads, messaging_handovers,
standby) and the page ``feed`` subscription.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st

from theke.channels.base import InboundEvent, InboundKind
from theke.channels.messenger import MessengerWebhookError, parse_delivery

PAGE_ID = "104519218822133"
APP_ID = "1386264365402301"
INBOX_APP_ID = 263902037430900  # Meta's Page Inbox, as a number like Meta sends it
PSID = "7213841906215870"
OTHER_PSID = "6022451894560991"
TS = 1735790645123  # Meta's timestamp (ms): 2025-01-02 04:04:05 UTC
_NOW = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)


def _item(psid: str = PSID, **event: Any) -> dict[str, Any]:
    return {"sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": TS, **event}


def _entry(*items: Any, page: str = PAGE_ID, **lists: Any) -> dict[str, Any]:
    return {"id": page, "time": TS + 200, "messaging": list(items), **lists}


def _body(*entries: Any) -> dict[str, Any]:
    return {"object": "page", "entry": list(entries)}


def _parse(body: dict[str, Any] | str, **options: Any) -> list[InboundEvent]:
    raw = body if isinstance(body, str) else json.dumps(body)
    settings: dict[str, Any] = {"page_id": PAGE_ID, "app_id": APP_ID, "received_at": _NOW}
    settings |= options
    return parse_delivery(raw.encode(), **settings)


def _one(*items: Any, **options: Any) -> InboundEvent:
    [event] = _parse(_body(_entry(*items)), **options)
    return event


def _message(mid: str = "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM", **fields: Any) -> dict[str, Any]:
    return _item(message={"mid": mid, **fields})


# --- messages ---------------------------------------------------------------------------


def test_a_text_message_becomes_a_message_event() -> None:
    event = _one(_message(text="Habt ihr den Aero in 42?"))
    assert event == InboundEvent(
        channel="messenger",
        event_id="m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM",
        sender=PSID,
        kind="message",
        received_at=_NOW,
        text="Habt ihr den Aero in 42?",
        extra={"timestamp": TS},
    )


def test_the_receipt_time_is_ours_not_metas() -> None:
    before = datetime.now(UTC)
    [event] = parse_delivery(json.dumps(_body(_entry(_message(text="Hallo")))).encode())
    assert before <= event.received_at <= datetime.now(UTC)
    assert event.received_at.tzinfo is UTC
    assert event.extra["timestamp"] == TS  # Meta's own time stays in extra, in ms


def test_a_tapped_quick_reply_is_a_postback_with_its_title() -> None:
    event = _one(_message(text="Größe 42", quick_reply={"payload": "SIZE:42"}))
    assert (event.kind, event.postback, event.title, event.text) == (
        "postback",
        "SIZE:42",
        "Größe 42",
        None,
    )


@pytest.mark.parametrize(
    ("number", "e164"),
    [("+4917612345678", "+4917612345678"), ("0176 12345678", "+4917612345678")],
)
def test_the_phone_number_quick_reply_is_a_verified_contact(number: str, e164: str) -> None:
    event = _one(_message(text=number, quick_reply={"payload": number}))
    assert (event.kind, event.text, event.postback) == ("message", number, None)
    assert event.extra == {"contact_phone": e164, "contact_verified": True, "timestamp": TS}


def test_the_email_quick_reply_is_a_verified_contact() -> None:
    event = _one(_message(text="anna@example.de", quick_reply={"payload": "anna@example.de"}))
    assert event.kind == "message"
    assert event.extra["contact_email"] == "anna@example.de"
    assert event.extra["contact_verified"] is True


def test_a_quick_reply_whose_payload_is_its_title_but_no_number_stays_a_postback() -> None:
    event = _one(_message(text="42", quick_reply={"payload": "42"}))
    assert (event.kind, event.postback) == ("postback", "42")


@pytest.mark.parametrize(
    ("attachment", "expected"),
    [
        (
            {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/v/t1/p.jpg"}},
            {"type": "image", "url": "https://scontent.xx.fbcdn.net/v/t1/p.jpg"},
        ),
        (
            {"type": "audio", "payload": {"url": "https://cdn.fbsbx.com/v/t59/audioclip.mp4"}},
            {"type": "audio", "url": "https://cdn.fbsbx.com/v/t59/audioclip.mp4"},
        ),
        (
            {"type": "video", "payload": {"url": "https://video.xx.fbcdn.net/v/t42/v.mp4"}},
            {"type": "video", "url": "https://video.xx.fbcdn.net/v/t42/v.mp4"},
        ),
        (
            {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/v/t59/rechnung.pdf"}},
            {"type": "file", "url": "https://cdn.fbsbx.com/v/t59/rechnung.pdf"},
        ),
        (
            {
                "type": "location",
                "title": "Anna's Location",
                "url": "https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.bing.com%2Fmaps",
                "payload": {"coordinates": {"lat": 52.52, "long": 13.405}},
            },
            {
                "type": "location",
                "latitude": 52.52,
                "longitude": 13.405,
                "title": "Anna's Location",
            },
        ),
        (
            {
                "type": "fallback",
                "title": "Laufschuh Aero – Schuhhaus",
                "URL": "https://shop.example/aero",
                "payload": None,
            },
            {
                "type": "file",
                "url": "https://shop.example/aero",
                "title": "Laufschuh Aero – Schuhhaus",
            },
        ),
        (
            {
                "type": "ig_reel",
                "payload": {"url": "https://lookaside.fbsbx.com/r.mp4", "title": "Lauf"},
            },
            {"type": "video", "url": "https://lookaside.fbsbx.com/r.mp4", "title": "Lauf"},
        ),
    ],
    ids=["image", "audio", "video", "file", "location", "shared_link", "reel"],
)
def test_attachments_are_listed(attachment: dict[str, Any], expected: dict[str, Any]) -> None:
    event = _one(_message(attachments=[attachment]))
    assert (event.kind, event.text) == ("message", None)
    assert event.extra["attachments"] == [expected]
    assert "unsupported" not in event.extra


def test_a_photo_with_text_keeps_both_and_drops_a_broken_attachment() -> None:
    url = "https://scontent.xx.fbcdn.net/p.jpg"
    photo = {"type": "image", "payload": {"url": url}}
    event = _one(_message(text="In Blau?", attachments=[{"payload": 3}, photo, "x"]))
    assert event.text == "In Blau?"
    assert event.extra["attachments"] == [{"type": "image", "url": url}]


def test_a_sticker_alone_is_marked_unsupported() -> None:
    like = "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_n.png"
    sticker = [
        {"type": "sticker", "payload": {"url": like, "sticker_id": 369239263222822}},
        {"type": "image", "payload": {"url": like, "sticker_id": 369239263222822}},
    ]
    event = _one(_message(attachments=sticker))
    assert event.kind == "message"
    assert event.extra == {"unsupported": True, "sticker": True, "timestamp": TS}


def test_a_message_with_nothing_readable_still_reaches_the_bot() -> None:
    event = _one(_message(attachments=[{"type": "fallback"}]))
    assert (event.kind, event.text) == ("message", None)
    assert event.extra["unsupported"] is True


def test_a_reply_names_the_message_it_answers() -> None:
    event = _one(_message(text="Ja, den!", reply_to={"mid": "m_1fTq8oLumEyIp3Q2MR-aY7IfLZ"}))
    assert event.extra["reply_to"] == "m_1fTq8oLumEyIp3Q2MR-aY7IfLZ"


# --- echoes -----------------------------------------------------------------------------


def _echo(app_id: Any, metadata: str | None = None, text: str = "Gern!") -> dict[str, Any]:
    message = {"is_echo": True, "app_id": app_id, "mid": "m_echo1", "text": text}
    if metadata is not None:
        message["metadata"] = metadata
    return {
        "sender": {"id": PAGE_ID},
        "recipient": {"id": PSID},
        "timestamp": TS,
        "message": message,
    }


def test_our_own_echo_belongs_to_the_customers_conversation() -> None:
    event = _one(_echo(int(APP_ID), metadata="theke:outbox:41"))
    assert (event.kind, event.sender, event.event_id, event.text) == (
        "echo",
        PSID,
        "m_echo1",
        "Gern!",
    )
    assert event.extra == {
        "app_id": APP_ID,
        "metadata": "theke:outbox:41",
        "own": True,
        "mid": "m_echo1",
        "timestamp": TS,
    }


def test_an_echo_with_our_metadata_is_own_even_without_our_app_id() -> None:
    event = _one(_echo(int(APP_ID), metadata="theke:outbox:7"), app_id=None)
    assert event.extra["own"] is True


def test_a_person_typing_in_metas_inbox_is_not_own() -> None:
    event = _one(_echo(INBOX_APP_ID))
    assert event.extra["own"] is False
    assert (event.extra["app_id"], event.extra["metadata"]) == (str(INBOX_APP_ID), None)


# --- postbacks and referrals ------------------------------------------------------------


def test_a_button_tap_is_a_postback() -> None:
    tap = {"mid": "m_tap1", "title": "In den Warenkorb", "payload": "CART:aero"}
    event = _one(_item(postback=tap))
    assert (event.kind, event.event_id, event.postback, event.title) == (
        "postback",
        "m_tap1",
        "CART:aero",
        "In den Warenkorb",
    )


def test_get_started_through_a_link_carries_the_referral() -> None:
    referral = {"ref": "summer-sale", "source": "SHORTLINK", "type": "OPEN_THREAD"}
    tap = {"title": "Los geht's", "payload": "GET_STARTED", "referral": referral}
    event = _one(_item(postback=tap))
    assert event.event_id == f"postback:{PSID}:{TS}"  # no mid: PSID and time identify it
    assert event.extra["referral"] == referral


def test_a_link_opened_in_an_existing_thread_is_a_referral() -> None:
    referral = {
        "ref": "aero-42",
        "ad_id": 6045246247433,
        "source": "ADS",
        "type": "OPEN_THREAD",
        "ads_context_data": {"ad_title": "Sommer", "post_id": "1_2"},
    }
    event = _one(_item(referral=referral))
    assert (event.kind, event.event_id) == ("referral", f"referral:{PSID}:{TS}")
    assert event.extra["referral"] == {
        "ref": "aero-42",
        "ad_id": "6045246247433",
        "source": "ADS",
        "type": "OPEN_THREAD",
    }


# --- opt-ins, receipts, handover -----------------------------------------------------------


def _marketing(**fields: Any) -> dict[str, Any]:
    optin = {
        "type": "notification_messages",
        "payload": "angebote",
        "notification_messages_token": "7409264102034839817",
        "notification_messages_frequency": "WEEKLY",
        "notification_messages_timezone": "Europe/Berlin",
        "token_expiry_timestamp": 1767225600000,
        "user_token_status": "NOT_REFRESHED",
        "title": "Unsere Angebote",
    }
    return _item(optin=optin | fields)


def test_a_marketing_messages_optin_is_a_status_with_its_token() -> None:
    event = _one(_marketing())
    assert (event.kind, event.event_id) == ("status", f"optin:{PSID}:{TS}")
    assert event.extra == {
        "status": "optin",
        "token": "7409264102034839817",
        "expires_at": "2026-01-01T00:00:00+00:00",
        "topic": "angebote",
        "frequency": "WEEKLY",
        "title": "Unsere Angebote",
        "timestamp": TS,
    }


def test_stopping_marketing_messages_is_an_optout() -> None:
    event = _one(_marketing(notification_messages_status="STOP_NOTIFICATIONS"))
    assert event.extra["status"] == "optout"
    resumed = _one(_marketing(notification_messages_status="RESUME_NOTIFICATIONS"))
    assert resumed.extra["status"] == "optin"


def test_a_one_time_notification_optin_says_so() -> None:
    optin = {
        "type": "one_time_notif_req",
        "payload": "back-in-stock:aero",
        "one_time_notif_token": "t1",
    }
    event = _one(_item(optin=optin))
    assert event.extra == {
        "status": "optin",
        "kind": "one_time",
        "token": "t1",
        "topic": "back-in-stock:aero",
        "timestamp": TS,
    }


def test_a_checkbox_plugin_optin_without_psid_gives_no_event() -> None:
    checkbox = {
        "recipient": {"id": PAGE_ID},
        "timestamp": TS,
        "optin": {"ref": "x", "user_ref": "u1"},
    }
    assert _parse(_body(_entry(checkbox))) == []


def test_deliveries_and_reads_are_statuses() -> None:
    delivered = _item(delivery={"mids": ["m_a", "m_b"], "watermark": 1458668856253})
    read = _item(read={"watermark": 1458668856253})
    first, second = _parse(_body(_entry(delivered, read)))
    assert (first.event_id, first.extra["status"], first.extra["mids"]) == (
        f"delivery:{PSID}:1458668856253",
        "delivered",
        ["m_a", "m_b"],
    )
    assert (second.event_id, second.extra["status"], second.extra["watermark"]) == (
        f"read:{PSID}:1458668856253",
        "read",
        1458668856253,
    )


def test_control_passed_to_us_is_a_handover_to_us() -> None:
    passed = {"previous_owner_app_id": None, "new_owner_app_id": APP_ID, "metadata": "zurück"}
    event = _one(_item(pass_thread_control=passed))
    assert event.kind == "handover"
    assert event.extra == {
        "action": "pass",
        "to_app_id": APP_ID,
        "metadata": "zurück",
        "to_us": True,
        "timestamp": TS,
    }


def test_control_taken_by_the_inbox_and_requested_are_handovers() -> None:
    taken = _item(take_thread_control={"previous_owner_app_id": APP_ID, "metadata": "agent"})
    asked = _item(request_thread_control={"requested_owner_app_id": INBOX_APP_ID, "metadata": "?"})
    take, request = _parse(_body(_entry(taken, asked)))
    assert (take.extra["action"], take.extra["from_app_id"], take.extra["to_us"]) == (
        "take",
        APP_ID,
        False,
    )
    assert (request.extra["action"], request.extra["to_app_id"]) == ("request", str(INBOX_APP_ID))
    assert take.event_id != request.event_id


def test_standby_items_are_marked() -> None:
    standby = [
        _item(message={"mid": "m_sb1", "text": "Hallo?"}),
        _item(postback={"title": "Beraten"}),  # standby postbacks come without payload
    ]
    message, tap = _parse(_body({"id": PAGE_ID, "time": TS, "standby": standby}))
    assert (message.text, message.extra["standby"]) == ("Hallo?", True)
    assert (tap.kind, tap.postback, tap.title, tap.extra["standby"]) == (
        "postback",
        None,
        "Beraten",
        True,
    )


# --- comments ----------------------------------------------------------------------------


def _comment(author: str = OTHER_PSID, **fields: Any) -> dict[str, Any]:
    value = {
        "from": {"id": author, "name": "Anna Muster"},
        "post": {"status_type": "added_photos", "id": f"{PAGE_ID}_1221316769"},
        "message": "Gibt es den auch in 44?",
        "post_id": f"{PAGE_ID}_1221316769",
        "comment_id": "1221316769_1213590066",
        "created_time": 1742667604,
        "item": "comment",
        "parent_id": f"{PAGE_ID}_1221316769",
        "verb": "add",
    }
    return {"field": "feed", "value": value | fields}


def test_a_comment_under_a_post_is_stored_for_the_inbox() -> None:
    [event] = _parse(_body({"id": PAGE_ID, "time": TS, "changes": [_comment()]}))
    assert (event.kind, event.sender, event.text, event.event_id) == (
        "comment",
        OTHER_PSID,
        "Gibt es den auch in 44?",
        "comment:1221316769_1213590066:add",
    )
    assert event.extra == {
        "verb": "add",
        "comment_id": "1221316769_1213590066",
        "post_id": f"{PAGE_ID}_1221316769",
        "parent_id": f"{PAGE_ID}_1221316769",
        "from_name": "Anna Muster",
        "created_time": "2025-03-22T18:20:04+00:00",
        "page_id": PAGE_ID,
    }


def test_the_pages_own_comments_and_other_feed_items_give_no_event() -> None:
    changes = [
        _comment(author=PAGE_ID),
        _comment(item="reaction", reaction_type="like"),
        _comment(item="post", verb="add"),
        {"field": "mention", "value": {"item": "comment"}},
    ]
    assert _parse(_body({"id": PAGE_ID, "time": TS, "changes": changes})) == []
    assert _parse(_body({"id": PAGE_ID, "changes": [_comment(author=PAGE_ID)]}), page_id=None) == []


# --- batches, broken items, other pages ---------------------------------------------------


def test_every_item_of_every_entry_of_a_batch_is_parsed_in_order() -> None:
    other_customer = _item(psid=OTHER_PSID, message={"mid": "m_3", "text": "Versand?"})
    body = _body(
        _entry(_message("m_1", text="Hallo"), _item(read={"watermark": TS - 5})),
        _entry(_message("m_x", text="Nicht unsere Seite"), page="999999999999"),
        _entry(other_customer, _item(postback={"mid": "m_4", "payload": "HELP", "title": "Hilfe"})),
    )
    events = _parse(body)
    assert [(e.event_id, e.sender, e.kind) for e in events] == [
        ("m_1", PSID, "message"),
        (f"read:{PSID}:{TS - 5}", PSID, "status"),
        ("m_3", OTHER_PSID, "message"),
        ("m_4", PSID, "postback"),
    ]
    assert len(_parse(body, page_id=None)) == 5  # without a page id every page's entry counts


def test_broken_items_are_skipped_and_the_others_kept() -> None:
    body = _body(
        "not an entry",
        {"id": PAGE_ID, "messaging": "not a list"},
        _entry(
            "x",
            {"sender": {"id": PSID}, "message": {"text": "no mid"}},
            _item(message={"mid": "m_ok1", "text": "Erste"}),
            _item(delivery={"watermark": "soon"}),
            {"sender": {"id": ""}, "message": {"mid": "m_nobody", "text": "?"}},
            _item(psid="9" * 300, message={"mid": "m_long", "text": "PSID too long"}),
            _item(message_reactions={"reaction": "love", "mid": "m_ok1", "action": "react"}),
            _item(reaction={"reaction": "love", "emoji": "❤", "action": "react", "mid": "m_ok1"}),
            _item(account_linking={"status": "linked", "authorization_code": "c"}),
            _item(message_edit={"mid": "m_ok1", "text": "Erste!", "num_edit": 1}),
            _item(game_play={"game_id": "1", "player_id": "2"}),
            _item(app_roles={APP_ID: ["primary_receiver"]}),
            _item(message={"mid": "m_ok2", "text": "Zweite"}),
        ),
    )
    assert [event.event_id for event in _parse(body)] == ["m_ok1", "m_ok2"]


def test_a_too_long_mid_is_capped_but_still_tells_messages_apart() -> None:
    first = _one(_message("m_" + "a" * 300 + "1", text="eins"))
    second = _one(_message("m_" + "a" * 300 + "2", text="zwei"))
    again = _one(_message("m_" + "a" * 300 + "1", text="eins"))
    assert len(first.event_id) == 255
    assert first.event_id != second.event_id
    assert first.event_id == again.event_id


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        ('{"entry": []}', "object"),
        ('{"object": "instagram", "entry": []}', "'instagram'"),
        ('{"object": "page", "entry": {"id": "1"}}', "entry"),
    ],
)
def test_a_body_that_is_no_page_delivery_is_refused_clearly(body: str, problem: str) -> None:
    with pytest.raises(MessengerWebhookError, match=problem):
        _parse(body)


def test_deeply_nested_json_is_refused_not_crashing() -> None:
    with pytest.raises(MessengerWebhookError):
        parse_delivery(b"[" * 100_000 + b"]" * 100_000)


# --- fuzzing -----------------------------------------------------------------------------

_KINDS = set(get_args(InboundKind))

_REAL = _body(
    _entry(
        _message("m_1", text="Hallo", reply_to={"mid": "m_0"}),
        _message("m_2", text="+4917612345678", quick_reply={"payload": "+4917612345678"}),
        _message(
            "m_3",
            attachments=[{"type": "location", "payload": {"coordinates": {"lat": 1, "long": 2}}}],
        ),
        _echo(int(APP_ID), metadata="theke:1"),
        _item(postback={"mid": "m_4", "payload": "P", "title": "T", "referral": {"ref": "r"}}),
        _item(referral={"ref": "r", "source": "SHORTLINK", "type": "OPEN_THREAD"}),
        _marketing(),
        _item(delivery={"mids": ["m_a"], "watermark": TS}),
        _item(pass_thread_control={"new_owner_app_id": APP_ID, "metadata": "m"}),
        standby=[_item(message={"mid": "m_5", "text": "sb"})],
        changes=[_comment()],
    ),
    _entry(_message("m_6", text="zweite Seite"), page="42"),
)

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_DELETE = object()


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix]
    if isinstance(node, dict):
        children: Any = node.items()
    elif isinstance(node, list):
        children = enumerate(node)
    else:
        children = []
    for key, child in children:
        paths.extend(_paths(child, (*prefix, key)))
    return paths


def _mutated(body: dict[str, Any], changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    result: Any = copy.deepcopy(body)
    for path, value in changes:
        if not path:
            result = value if value is not _DELETE else {}
            continue
        parent = result
        try:
            for key in path[:-1]:
                parent = parent[key]
            if value is _DELETE and isinstance(parent, dict):
                parent.pop(path[-1], None)
            elif value is not _DELETE:
                parent[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    return result


_mutations = st.lists(
    st.tuples(st.sampled_from(_paths(_REAL)), _json | st.just(_DELETE)), min_size=1, max_size=5
)


def _check(body: bytes, **options: Any) -> None:
    try:
        events = parse_delivery(body, **options)
    except MessengerWebhookError:
        return
    for event in events:
        assert event.channel == "messenger"
        assert event.kind in _KINDS
        assert isinstance(event.event_id, str) and 0 < len(event.event_id) <= 255
        assert isinstance(event.sender, str) and 0 < len(event.sender) <= 255
        json.dumps(event.to_payload())  # what the queue stores


@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise_anything_else(body: bytes) -> None:
    _check(body)


_keys = st.sampled_from(["object", "entry", "id", "messaging", "standby", "changes", "message"])
_bodies = st.dictionaries(_keys, _json, max_size=4) | st.builds(
    lambda entries: {"object": "page", "entry": entries},
    st.lists(
        st.dictionaries(
            st.sampled_from(["id", "messaging", "standby", "changes"]), _json, max_size=4
        ),
        max_size=3,
    ),
)


@given(_bodies)
def test_arbitrary_json_never_raises_anything_else(body: dict[str, Any]) -> None:
    _check(json.dumps(body).encode())


@given(_mutations, st.sampled_from([None, PAGE_ID]))
def test_mutated_real_bodies_never_raise_anything_else(
    changes: list[tuple[tuple[Any, ...], Any]], page_id: str | None
) -> None:
    _check(json.dumps(_mutated(_REAL, changes)).encode(), page_id=page_id, app_id=APP_ID)


def test_the_real_body_gives_an_event_of_every_kind() -> None:
    events = _parse(_REAL, page_id=None)
    assert {event.kind for event in events} == _KINDS
    assert len({event.event_id for event in events}) == len(events)
