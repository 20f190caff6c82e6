"""The comments page: an agent answers comments under the shop's Facebook posts, publicly
or with the one private reply, or sets them aside; Meta is the loopback Graph API."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.conftest import make_settings
from tests.server.inbox.conftest import (
    AGENT,
    AGENT_PASSWORD,
    Browser,
    audit_actions,
    csrf_of,
    only_our_script,
    signed_in,
)
from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.store import comments
from theke.store.comments import BOT, Comment
from theke.store.users import User
from theke.testing.graph_api import GraphApi

PAGE = "1111"
MIA = "24000000000007"
ANSWER = "Hi Mia, die gibt es in 36 bis 47!"


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE) as server:
        yield server


@pytest.fixture
async def runtime(database_url: str, api: GraphApi) -> AsyncIterator[Runtime]:
    """The shop with its Facebook Page connected (to the loopback Graph API)."""
    settings = make_settings(
        database_url,
        messenger_api_base=api.base_url,
        messenger_page_access_token=api.page_token,
        messenger_app_secret="messenger-app-secret",
        messenger_page_id=PAGE,
    )
    opened = await Runtime.open(settings, migrate=False)
    try:
        yield opened
    finally:
        await opened.close()


async def _commented(
    runtime: Runtime, api: GraphApi, number: int, text: str, *, days_ago: float = 0.0
) -> Comment:
    """Mia commented under the Page's post ``days_ago``; the feed webhook stored it."""
    written = datetime.now(UTC) - timedelta(days=days_ago)
    comment_id = f"{PAGE}_2_{number}"
    api.messenger_user_commented(comment_id, MIA, at=written.timestamp())
    extra = {
        "verb": "add",
        "comment_id": comment_id,
        "post_id": f"{PAGE}_2",
        "from_name": "Mia Berger",
        "created_time": written.isoformat(),
    }
    event = InboundEvent(
        "messenger", f"comment:{number}", MIA, "comment", written, text, extra=extra
    )
    await runtime.db.write(lambda conn: comments.store(conn, [event]))
    stored = await runtime.db.read(lambda conn: comments.listing(conn, "all"))
    return next(row for row in stored.rows if row.comment_id == comment_id)


async def _now(runtime: Runtime, comment: Comment) -> Comment:
    found = await runtime.db.read(lambda conn: comments.get(conn, comment.id))
    assert found is not None
    return found


async def _post(http: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    """Send a form from the comments page, with that page's CSRF token."""
    page = await http.get("/inbox/comments")
    return await http.post(path, data={"csrf": csrf_of(page), "state": "open", **fields})


async def test_an_agent_sees_the_open_comments_with_their_post(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    await _commented(runtime, api, 1, "Gibt es den Runner auch in 47?")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/comments")
    assert page.status_code == 200
    assert "Mia Berger" in page.text
    assert "Gibt es den Runner auch in 47?" in page.text
    assert 'href="https://www.facebook.com/1111_2"' in page.text
    assert "Öffentlich antworten" in page.text and "Privat antworten" in page.text
    assert '>Offen <span class="count">1</span>' in page.text


async def test_an_agent_replies_under_the_comment(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Gibt es den Runner auch in 47?")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    sent = await _post(http, f"/inbox/comments/{comment.id}/reply", text=ANSWER)
    assert sent.status_code == 303
    [reply] = api.comment_replies(comment.comment_id)
    assert reply.message == ANSWER
    done = await _now(runtime, comment)
    assert (done.state, done.answered_by, done.reply_id) == ("answered", agent.id, reply.id)
    page = await http.get(sent.headers["location"])
    assert "Deine Antwort steht jetzt unter dem Kommentar." in page.text
    answered = await http.get("/inbox/comments?state=answered")
    assert f"Beantwortet von {AGENT}" in answered.text
    assert "comment.replied" in [entry["action"] for entry in await audit_actions(runtime)]


async def test_an_agent_replies_privately_once(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Was kostet der Versand nach Wien?")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    sent = await _post(http, f"/inbox/comments/{comment.id}/private", text=ANSWER)
    assert sent.status_code == 303
    [private] = api.messenger_sent(MIA)
    assert private.body["recipient"] == {"comment_id": comment.comment_id}
    assert private.body["message"]["text"] == ANSWER
    assert (await _now(runtime, comment)).private_replied_at is not None
    again = await _post(http, f"/inbox/comments/{comment.id}/private", text="Noch was")
    assert again.status_code == 409
    assert len(api.messenger_sent(MIA)) == 1
    actions = [entry["action"] for entry in await audit_actions(runtime)]
    assert actions.count("comment.private_reply") == 1


async def test_after_seven_days_the_page_says_why_no_private_reply_is_possible(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Habt ihr noch den Sale?", days_ago=8)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/comments")
    assert "Privat antworten geht nicht mehr" in page.text and "älter als 7 Tage" in page.text
    assert f"/inbox/comments/{comment.id}/private" not in page.text
    forced = await _post(http, f"/inbox/comments/{comment.id}/private", text=ANSWER)
    assert forced.status_code == 409
    assert api.messenger_sent(MIA) == []
    assert (await _now(runtime, comment)).state == "open"


async def test_an_agent_sets_a_comment_aside(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "😍😍😍")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    done = await _post(http, f"/inbox/comments/{comment.id}/dismiss")
    assert done.status_code == 303
    assert (await _now(runtime, comment)).state == "dismissed"
    open_page = await http.get("/inbox/comments")
    assert "Kein Kommentar wartet auf eine Antwort." in open_page.text
    dismissed = await http.get("/inbox/comments?state=dismissed")
    assert "😍😍😍" in dismissed.text and f"Erledigt von {AGENT}" in dismissed.text
    assert api.requests == []
    assert "comment.dismissed" in [entry["action"] for entry in await audit_actions(runtime)]


async def test_metas_refusal_is_shown_in_german_and_nothing_is_marked(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Gibt es den Runner auch in 47?")
    api.messenger_comment_removed(comment.comment_id)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    refused = await _post(http, f"/inbox/comments/{comment.id}/reply", text=ANSWER)
    assert refused.status_code == 502
    assert "Den Kommentar gibt es bei Facebook nicht mehr" in refused.text
    assert ANSWER in refused.text  # what the agent typed is still there
    assert (await _now(runtime, comment)).state == "open"
    assert "comment.replied" not in [entry["action"] for entry in await audit_actions(runtime)]


async def test_a_forged_form_is_refused(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Gibt es den Runner auch in 47?")
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    for action in ("reply", "private", "dismiss"):
        forged = await http.post(
            f"/inbox/comments/{comment.id}/{action}", data={"csrf": "forged", "text": "Spam"}
        )
        assert forged.status_code == 403
    assert api.requests == []
    assert (await _now(runtime, comment)).state == "open"


async def test_html_in_a_comment_is_shown_as_text(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    await _commented(runtime, api, 1, '<script>alert("hi")</script><b>fett</b>')
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/comments")
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt;&lt;b&gt;fett&lt;/b&gt;" in page.text
    assert only_our_script(page.text)


async def test_what_the_bot_answered_is_shown(
    browser: Browser, agent: User, runtime: Runtime, api: GraphApi
) -> None:
    comment = await _commented(runtime, api, 1, "Wie lange dauert der Versand?", days_ago=30)
    answered_at = comment.written_at + timedelta(minutes=1)
    await runtime.db.write(
        lambda conn: comments.mark_answered(
            conn, comment.id, by=BOT, now=answered_at, reply_id="1111_9", rule="faq:shipping_time"
        )
    )
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/comments?state=all")
    when = answered_at.strftime("%d.%m.%Y")
    said = f"Beantwortet vom Bot {when}: öffentlich unter dem Kommentar, mit FAQ „Lieferzeit“."
    assert said in page.text
    assert f"/inbox/comments/{comment.id}/reply" not in page.text
