"""The loopback Graph API takes replies under comments as Meta does, and refuses them where
Meta would: an unknown or removed comment, a reply without a message."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from theke.testing.graph_api import GraphApi

PAGE = "1111"
TOKEN = "PAGE-TOKEN"
MIA = "31000000000009"
COMMENT = "1111_2_3"


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE, page_token=TOKEN) as server:
        server.messenger_user_commented(COMMENT, MIA)
        yield server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as http:
        yield http


def reply(client: httpx.Client, api: GraphApi, comment_id: str, **fields: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return client.post(f"{api.base_url}/{comment_id}/comments", headers=headers, json=fields)


def test_a_reply_under_a_comment_is_posted_with_its_own_id(
    api: GraphApi, client: httpx.Client
) -> None:
    answered = reply(client, api, COMMENT, message="Schau in dein Postfach!")
    assert answered.status_code == 200
    [posted] = api.comment_replies(COMMENT)
    assert answered.json() == {"id": posted.id}
    assert posted.message == "Schau in dein Postfach!" and posted.id.startswith("1111_")
    second = reply(client, api, COMMENT, message="Und noch was")
    assert second.status_code == 200  # public replies have no limit, unlike private ones
    assert [r.message for r in api.comment_replies()] == ["Schau in dein Postfach!", "Und noch was"]
    assert api.sent == []  # nothing went to anyone's Messenger


def test_an_unknown_or_removed_comment_is_an_unsupported_post_request(
    api: GraphApi, client: httpx.Client
) -> None:
    unknown = reply(client, api, "1111_2_404", message="Hallo?")
    assert unknown.status_code == 400
    error = unknown.json()["error"]
    assert (error["code"], error["error_subcode"]) == (100, 33)
    assert error["message"].startswith("Unsupported post request.")
    api.messenger_comment_removed(COMMENT)
    removed = reply(client, api, COMMENT, message="Hallo?")
    assert removed.json()["error"]["code"] == 100
    private = client.post(
        f"{api.base_url}/{PAGE}/messages",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"recipient": {"comment_id": COMMENT}, "message": {"text": "Hallo?"}},
    )
    assert private.status_code == 400 and private.json()["error"]["error_subcode"] == 2534025
    assert api.comment_replies() == [] and api.sent == []


def test_a_reply_needs_a_message_and_the_pages_token(api: GraphApi, client: httpx.Client) -> None:
    empty = reply(client, api, COMMENT, message="  ")
    assert empty.status_code == 400 and empty.json()["error"]["code"] == 100
    stranger = client.post(
        f"{api.base_url}/{COMMENT}/comments",
        headers={"Authorization": "Bearer WRONG"},
        json={"message": "Hallo"},
    )
    assert stranger.json()["error"]["code"] == 190
    assert api.comment_replies() == []
