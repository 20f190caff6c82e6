"""Replies to comments under the Page's posts, through the Messenger sender's Graph client:
what Meta records, and what its refusals become."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from theke.channels.graph import GraphClient
from theke.channels.messenger.comments import AlreadyReplied, CommentGone, CommentReplies
from theke.channels.messenger.sender import MessengerSender
from theke.content import Text
from theke.errors import InvalidToken, OutsideWindow, RateLimited
from theke.store.database import Database
from theke.store.migrate import upgrade
from theke.testing.graph_api import GraphApi

PAGE = "1111"
MIA = "31000000000009"
COMMENT = "1111_2_3"
DAY = 24 * 3600.0


@pytest.fixture
def api() -> Iterator[GraphApi]:
    with GraphApi(page_id=PAGE) as server:
        server.messenger_user_commented(COMMENT, MIA)
        yield server


@pytest.fixture
async def replies(api: GraphApi, tmp_path: Path) -> AsyncIterator[CommentReplies]:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    db = Database(url)
    sender = MessengerSender(
        GraphClient(api.base_url, api.page_token), db, account=PAGE, public_url="https://x.test"
    )
    try:
        yield CommentReplies.beside(sender, PAGE)
    finally:
        await sender.close()
        await db.dispose()


async def test_a_public_reply_is_posted_under_the_comment(
    api: GraphApi, replies: CommentReplies
) -> None:
    reply_id = await replies.reply_publicly(COMMENT, "Schau in dein Postfach! 📬")
    [posted] = api.comment_replies(COMMENT)
    assert (posted.id, posted.message) == (reply_id, "Schau in dein Postfach! 📬")


async def test_the_private_reply_goes_once(api: GraphApi, replies: CommentReplies) -> None:
    await replies.reply_privately(COMMENT, Text(text="Hier ist dein Größenguide."))
    [sent] = api.messenger_sent(MIA)
    assert sent.body["recipient"] == {"comment_id": COMMENT}
    assert sent.body["message"] == {"text": "Hier ist dein Größenguide."}
    with pytest.raises(AlreadyReplied):
        await replies.reply_privately(COMMENT, Text(text="Noch einmal"))
    assert len(api.messenger_sent(MIA)) == 1


async def test_metas_refusals_become_delivery_errors(
    api: GraphApi, replies: CommentReplies
) -> None:
    api.messenger_user_commented("1111_2_old", MIA, at=api.now - 8 * DAY)
    with pytest.raises(OutsideWindow):
        await replies.reply_privately("1111_2_old", Text(text="Zu spät"))
    with pytest.raises(CommentGone):
        await replies.reply_publicly("1111_2_404", "Hallo?")
    api.fail_next(4)
    with pytest.raises(RateLimited):
        await replies.reply_publicly(COMMENT, "Hallo?")
    api.revoke_tokens()
    with pytest.raises(InvalidToken):
        await replies.reply_publicly(COMMENT, "Hallo?")
    assert api.comment_replies() == [] and api.sent == []
