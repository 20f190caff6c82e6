"""The demo shop's bot answers comments under its Facebook posts: a signed ``feed`` webhook
arrives, the bot's loop answers, the loopback Graph API records what people now see."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store import comments as comment_store
from theke.store.schema import comments, utcnow
from theke.testing.graph_api import GraphApi
from theke.testing.meta_webhooks import sign
from theke.worker.comments import CommentResponder

PAGE = "1111"
SECRET = "messenger-app-secret"
MIA = "24000000000007"
DAY = 24 * 3600.0


@dataclass
class Page:
    """The shop's Facebook Page: people comment, the bot's loop answers."""

    api: GraphApi
    runtime: Runtime
    http: httpx.AsyncClient

    async def commented(
        self, number: int, text: str, *, author: str = MIA, days_ago: float = 0.0
    ) -> str:
        """``author`` wrote ``text`` under the Page's post; Meta's webhook arrives, signed."""
        comment_id = f"{PAGE}_2_{number}"
        written = self.api.now - days_ago * DAY
        if author != PAGE:
            self.api.messenger_user_commented(comment_id, author, at=written)
        value = {
            "from": {"id": author, "name": "Mia Berger" if author != PAGE else "Sohle & Co."},
            "item": "comment",
            "verb": "add",
            "comment_id": comment_id,
            "post_id": f"{PAGE}_2",
            "parent_id": f"{PAGE}_2",
            "message": text,
            "created_time": int(written),
        }
        entry = {"id": PAGE, "time": int(time.time() * 1000), "changes": [
            {"field": "feed", "value": value}
        ]}  # fmt: skip
        raw = json.dumps({"object": "page", "entry": [entry]}).encode()
        headers = {"X-Hub-Signature-256": sign(raw, SECRET), "Content-Type": "application/json"}
        response = await self.http.post("/webhooks/messenger", content=raw, headers=headers)
        assert response.status_code == 200
        return comment_id

    async def bot_answers(self) -> int:
        """One run of the bot's comment loop: how many comments it looked at."""
        return await CommentResponder.of(self.runtime).run_once()

    async def shop_side(self, comment_id: str) -> dict[str, Any]:
        def read(conn: Any) -> dict[str, Any]:
            query = select(comments).where(comments.c.comment_id == comment_id)
            return dict(conn.execute(query).one()._mapping)

        return await self.runtime.db.read(read)

    def private_replies(self) -> list[dict[str, Any]]:
        return [call.body for call in self.api.messenger_sent(MIA)]


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE) as server:
        yield server


@pytest.fixture
async def page(database_url: str, api: GraphApi) -> AsyncIterator[Page]:
    settings = make_settings(
        database_url,
        messenger_api_base=api.base_url,
        messenger_page_access_token=api.page_token,
        messenger_app_secret=SECRET,
        messenger_verify_token="verify",
        messenger_page_id=PAGE,
        public_url="https://shop.example",
    )
    runtime = await Runtime.open(settings, migrate=False)
    app = create_app(runtime, run_worker=False)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://theke.test") as http:
            yield Page(api, runtime, http)
    finally:
        await runtime.close()


async def test_a_question_the_faq_answers_gets_a_public_reply(page: Page) -> None:
    comment = await page.commented(1, "Wie lange dauert der Versand?")
    assert await page.bot_answers() == 1
    [reply] = page.api.comment_replies(comment)
    assert reply.message.startswith("Innerhalb Deutschlands ist deine Bestellung in 2–3 Werktagen")
    assert page.private_replies() == []
    shop = await page.shop_side(comment)
    assert (shop["state"], shop["answered_by"], shop["rule"]) == (
        "answered",
        "bot",
        "faq:shipping_time",
    )
    assert shop["reply_id"] == reply.id and shop["private_replied_at"] is None


async def test_guide_gets_the_size_guide_as_one_private_reply(page: Page) -> None:
    comment = await page.commented(2, "GUIDE bitte")
    assert await page.bot_answers() == 1
    [private] = page.private_replies()
    assert private["recipient"] == {"comment_id": comment}
    template = private["message"]["attachment"]["payload"]
    assert template["text"].startswith("Hier ist dein Größenguide von Sohle & Co.")
    assert [button["title"] for button in template["buttons"]] == [
        "Zur Größentabelle",
        "Sneaker finden",
    ]
    [public] = page.api.comment_replies(comment)
    assert "schau in dein Postfach" in public.message
    shop = await page.shop_side(comment)
    assert (shop["state"], shop["rule"]) == ("answered", "keyword:guide")
    assert shop["private_replied_at"] is not None
    assert await page.bot_answers() == 0  # a second run sends nothing more
    assert len(page.private_replies()) == 1 and len(page.api.comment_replies()) == 1


async def test_a_keyword_comment_older_than_seven_days_is_left_for_a_person(page: Page) -> None:
    comment = await page.commented(3, "guide", days_ago=8)
    assert await page.bot_answers() == 1
    assert page.private_replies() == [] and page.api.comment_replies() == []
    assert (await page.shop_side(comment))["state"] == "open"


async def test_an_unrelated_comment_stays_open(page: Page) -> None:
    comment = await page.commented(4, "Tolles Foto! 😍 @Lena schau mal")
    assert await page.bot_answers() == 1
    assert page.api.sent == [] and page.api.comment_replies() == []
    shop = await page.shop_side(comment)
    assert (shop["state"], shop["answered_by"]) == ("open", None)
    assert await page.bot_answers() == 0


async def test_the_pages_own_comment_is_never_answered(page: Page) -> None:
    await page.commented(5, "Wie lange dauert der Versand? Das fragt ihr oft!", author=PAGE)
    assert await page.bot_answers() == 0
    assert page.api.requests == []


async def test_a_refusal_is_not_tried_again_and_the_comment_waits(page: Page) -> None:
    comment = await page.commented(6, "Wie lange dauert der Versand?")
    page.api.messenger_comment_removed(comment)  # deleted before the bot got to it
    assert await page.bot_answers() == 1
    [refused] = page.api.requests
    assert refused.status == 400 and refused.path.endswith(f"/{comment}/comments")
    assert (await page.shop_side(comment))["state"] == "open"
    assert await page.bot_answers() == 0
    assert len(page.api.requests) == 1


async def test_without_a_messenger_page_the_loop_does_nothing(runtime: Runtime) -> None:
    extra = {"verb": "add", "comment_id": f"{PAGE}_2_7", "post_id": f"{PAGE}_2"}
    event = InboundEvent(
        "messenger", "comment:7", MIA, "comment", utcnow(), "Wie lange dauert der Versand?",
        extra=extra,
    )  # fmt: skip
    await runtime.db.write(lambda conn: comment_store.store(conn, [event]))
    assert await CommentResponder.of(runtime).run_once() == 0
    [(state, rule)] = await runtime.db.read(
        lambda conn: conn.execute(select(comments.c.state, comments.c.rule)).all()
    )
    assert (state, rule) == ("open", None)  # untouched: it waits for a person
