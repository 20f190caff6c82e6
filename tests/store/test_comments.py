"""Comments under the shop's posts in the database: listed for the inbox, answered,
dismissed, and each claimed by one bot worker only (SQLite only)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from theke.channels.base import InboundEvent
from theke.store import comments
from theke.store.comments import BOT, Comment
from theke.store.database import Database

T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
PAGE = "1111"


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


def _comment(
    number: int, text: str = "Gibt es den in 43?", *, author: str = "7007", verb: str = "add"
) -> InboundEvent:
    extra = {
        "verb": verb,
        "comment_id": f"{PAGE}_2_{number}",
        "post_id": f"{PAGE}_2",
        "from_name": "Mia",
        "created_time": (T0 + timedelta(minutes=number)).isoformat(),
    }
    received = T0 + timedelta(minutes=number)
    return InboundEvent(
        "messenger", f"comment:{number}:{verb}", author, "comment", received, text, extra=extra
    )


def _stored(db: Database, *events: InboundEvent) -> list[Comment]:
    db.write_now(lambda conn: comments.store(conn, events))
    return db.read_now(lambda conn: comments.listing(conn, "all")).rows


def test_the_newest_comments_come_first_with_counts_per_state(db: Database) -> None:
    stored = _stored(db, *(_comment(number) for number in range(1, 4)))
    assert [row.comment_id for row in stored] == ["1111_2_3", "1111_2_2", "1111_2_1"]
    assert stored[0].state == "open" and stored[0].written_at == T0 + timedelta(minutes=3)
    assert db.write_now(lambda conn: comments.dismiss(conn, stored[0].id, by="u1", now=T0))
    answered = db.write_now(
        lambda conn: comments.mark_answered(
            conn, stored[1].id, by="u1", now=T0, reply_id="1111_99", private=True
        )
    )
    assert answered
    counts = db.read_now(comments.counts)
    assert counts == {"open": 1, "answered": 1, "dismissed": 1, "all": 3}
    page = db.read_now(lambda conn: comments.listing(conn, "open"))
    assert [row.comment_id for row in page.rows] == ["1111_2_1"] and not page.more
    done = db.read_now(lambda conn: comments.get(conn, stored[1].id))
    assert done is not None
    assert (done.state, done.answered_by, done.reply_id) == ("answered", "u1", "1111_99")
    assert done.private_replied_at == T0


def test_the_list_is_paged(db: Database) -> None:
    _stored(db, *(_comment(number) for number in range(1, 6)))
    first = db.read_now(lambda conn: comments.listing(conn, "open", 1, size=2))
    last = db.read_now(lambda conn: comments.listing(conn, "open", 3, size=2))
    assert [row.comment_id for row in first.rows] == ["1111_2_5", "1111_2_4"] and first.more
    assert [row.comment_id for row in last.rows] == ["1111_2_1"] and not last.more


def test_only_an_open_comment_can_be_dismissed(db: Database) -> None:
    [comment] = _stored(db, _comment(1))
    db.write_now(lambda conn: comments.mark_answered(conn, comment.id, by=BOT, now=T0))
    assert not db.write_now(lambda conn: comments.dismiss(conn, comment.id, by="u1", now=T0))
    assert db.read_now(lambda conn: comments.get(conn, comment.id + 1)) is None


async def test_two_workers_never_claim_the_same_comment(db: Database) -> None:
    _stored(db, *(_comment(number) for number in range(1, 8)))

    def claim(conn: Connection) -> list[Comment]:
        return comments.claim_for_bot(conn, channel="messenger", page_id=PAGE, limit=4, now=T0)

    # Two workers, each in its own thread and transaction, like two processes.
    first, second = await asyncio.gather(
        asyncio.to_thread(db.write_now, claim), asyncio.to_thread(db.write_now, claim)
    )
    ids = [row.id for row in (*first, *second)]
    assert len(ids) == len(set(ids)) == 7
    assert all(row.rule == BOT for row in (*first, *second))
    assert await db.write(claim) == []  # each comment once, even after a restart


def test_the_bot_never_claims_the_pages_own_removed_or_handled_comments(db: Database) -> None:
    own = _comment(1, "Danke euch allen!", author=PAGE)
    removed = [_comment(2), _comment(2, verb="remove")]
    stored = _stored(db, own, *removed, _comment(3), _comment(4))
    dismissed = next(row for row in stored if row.comment_id == "1111_2_3")
    db.write_now(lambda conn: comments.dismiss(conn, dismissed.id, by="u1", now=T0))
    claimed = db.write_now(
        lambda conn: comments.claim_for_bot(
            conn, channel="messenger", page_id=PAGE, limit=10, now=T0
        )
    )
    assert [row.comment_id for row in claimed] == ["1111_2_4"]


def test_an_answer_on_its_way_keeps_a_second_click_and_colleagues_off(db: Database) -> None:
    [comment] = _stored(db, _comment(1))
    assert db.write_now(lambda conn: comments.start_sending(conn, comment.id, "anna", T0))
    assert not db.write_now(lambda conn: comments.start_sending(conn, comment.id, "ben", T0))
    db.write_now(lambda conn: comments.stop_sending(conn, comment.id, "anna"))  # Meta refused
    assert db.write_now(lambda conn: comments.start_sending(conn, comment.id, "ben", T0))
    later = T0 + comments.SENDING_FOR + timedelta(seconds=1)  # ben's request died
    assert db.write_now(lambda conn: comments.start_sending(conn, comment.id, "anna", later))
    assert db.write_now(lambda conn: comments.mark_answered(conn, comment.id, by="anna", now=later))
    assert not db.write_now(  # answered once only
        lambda conn: comments.mark_answered(conn, comment.id, by="ben", now=later)
    )


def test_the_bot_leaves_old_comments_alone(db: Database) -> None:
    _stored(db, _comment(1))
    much_later = T0 + comments.BOT_AGE + timedelta(hours=1)
    claimed = db.write_now(
        lambda conn: comments.claim_for_bot(
            conn, channel="messenger", page_id="1111", limit=10, now=much_later
        )
    )
    assert claimed == []
