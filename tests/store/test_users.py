"""Accounts, sessions, sign-in rate limits and the audit log (SQLite only)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from theke.store import audit, login_attempts, user_sessions, users
from theke.store.database import Database
from theke.store.schema import user_sessions as sessions_table
from theke.store.users import User, UserExists

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"  # a stand-in: never verified
IP = "203.0.113.7"


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


def _add(db: Database, email: str = "anna@shop.de", role: str = "agent") -> User:
    return db.write_now(lambda conn: users.add(conn, email, role, HASH, T0))


# --- users -------------------------------------------------------------------------------


def test_a_user_is_found_by_email_in_any_case_and_by_id(db: Database) -> None:
    added = _add(db, "  Anna@Shop.DE ")
    assert added.email == "anna@shop.de"
    assert len(added.id) == 32
    assert (added.role, added.active, added.is_admin) == ("agent", True, False)
    assert added.created_at == added.password_changed_at == T0
    for spelling in ("anna@shop.de", "ANNA@SHOP.DE", " anna@Shop.de"):
        assert db.read_now(lambda conn, e=spelling: users.by_email(conn, e)) == added
    assert db.read_now(lambda conn: users.get(conn, added.id)) == added
    assert db.read_now(lambda conn: users.by_email(conn, "bob@shop.de")) is None
    assert db.read_now(lambda conn: users.get(conn, "0" * 32)) is None
    assert HASH not in repr(added)


def test_an_email_is_taken_once_in_any_case(db: Database) -> None:
    _add(db)
    with pytest.raises(UserExists, match=r"anna@shop\.de already exists"):
        _add(db, "ANNA@shop.de", "admin")
    assert [user.role for user in db.read_now(users.all_users)] == ["agent"]


@pytest.mark.parametrize(
    "email", ["", "anna", "anna@", "@shop.de", "an na@shop.de", "a@b@c", "x" * 250 + "@s.de"]
)
def test_a_malformed_email_is_refused(db: Database, email: str) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        _add(db, email)
    assert db.read_now(users.all_users) == []


def test_only_admin_and_agent_are_roles(db: Database) -> None:
    with pytest.raises(ValueError, match="use admin or agent"):
        _add(db, role="owner")
    assert _add(db, "boss@shop.de", "admin").is_admin


def test_all_users_are_listed_by_email(db: Database) -> None:
    for email in ("zoe@shop.de", "anna@shop.de", "max@shop.de"):
        _add(db, email)
    assert [u.email for u in db.read_now(users.all_users)] == [
        "anna@shop.de",
        "max@shop.de",
        "zoe@shop.de",
    ]


def test_a_new_password_and_deactivation_are_kept(db: Database) -> None:
    anna = _add(db)
    later = T0 + timedelta(days=3)
    db.write_now(lambda conn: users.set_password(conn, anna.id, "$argon2id$new", later))
    db.write_now(lambda conn: users.set_active(conn, anna.id, False, later))
    changed = db.read_now(lambda conn: users.get(conn, anna.id))
    assert changed is not None
    assert (changed.password_hash, changed.password_changed_at) == ("$argon2id$new", later)
    assert changed.active is False
    assert changed.created_at == T0
    with pytest.raises(LookupError):
        db.write_now(lambda conn: users.set_active(conn, "0" * 32, True))


# --- sessions ----------------------------------------------------------------------------


def _find(db: Database, token: str, at: datetime) -> user_sessions.AgentSession | None:
    return db.write_now(lambda conn: user_sessions.find(conn, token, at))


def test_a_session_is_found_by_its_token_and_only_its_hash_is_stored(db: Database) -> None:
    anna = _add(db)
    token, session = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    assert len(token) >= 43
    assert session.id == hashlib.sha256(token.encode()).hexdigest()
    assert session.user == anna
    assert len(session.csrf) >= 32 and session.csrf != token
    assert session.expires_at == T0 + timedelta(hours=12)
    rows = db.read_now(lambda conn: [tuple(r) for r in conn.execute(select(sessions_table))])
    assert not any(token in str(value) for value in rows[0])
    found = _find(db, token, T0 + timedelta(minutes=5))
    assert found is not None
    assert (found.id, found.user, found.csrf) == (session.id, anna, session.csrf)
    for wrong in ("", token[:-1], token + "x", token.upper(), session.id, "x" * 5000):
        assert _find(db, wrong, T0) is None
    other, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    assert other != token


def test_each_use_extends_a_session_by_twelve_hours(db: Database) -> None:
    anna = _add(db)
    token, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    at = T0
    for _step in range(3):  # used every 11 hours: still signed in after 33 hours
        at += timedelta(hours=11)
        found = _find(db, token, at)
        assert found is not None
        assert found.expires_at == at + timedelta(hours=12)
    assert _find(db, token, at + timedelta(hours=12, seconds=1)) is None


def test_a_session_ends_seven_days_after_it_started_however_busy(db: Database) -> None:
    anna = _add(db)
    token, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    for hours in [*range(10, 161, 10), 165]:  # used every 10 hours (and at 165) for 7 days
        found = _find(db, token, T0 + timedelta(hours=hours))
        assert found is not None
        assert found.expires_at == min(T0 + timedelta(hours=hours + 12), T0 + timedelta(days=7))
    assert found.expires_at == T0 + timedelta(days=7)
    assert _find(db, token, T0 + timedelta(days=7, seconds=-1)) is not None
    assert _find(db, token, T0 + timedelta(days=7)) is None


def test_signing_out_ends_only_that_session(db: Database) -> None:
    anna = _add(db)
    phone, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    laptop, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    db.write_now(lambda conn: user_sessions.end(conn, phone, T0))
    assert _find(db, phone, T0 + timedelta(minutes=1)) is None
    assert _find(db, laptop, T0 + timedelta(minutes=1)) is not None
    db.write_now(lambda conn: user_sessions.end(conn, "unknown", T0))  # nothing happens


def test_end_all_signs_a_user_out_everywhere_and_no_one_else(db: Database) -> None:
    anna, bob = _add(db), _add(db, "bob@shop.de")
    tokens = [db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))[0] for _ in "ab"]
    expired, _ = db.write_now(
        lambda conn: user_sessions.start(conn, anna.id, T0 - timedelta(days=2))
    )
    bobs, _ = db.write_now(lambda conn: user_sessions.start(conn, bob.id, T0))
    ended = db.write_now(lambda conn: user_sessions.end_all(conn, anna.id, T0 + timedelta(hours=1)))
    assert ended == 2  # the expired one was not live any more
    for token in [*tokens, expired]:
        assert _find(db, token, T0 + timedelta(hours=1)) is None
    assert _find(db, bobs, T0 + timedelta(hours=1)) is not None
    assert db.write_now(lambda conn: user_sessions.end_all(conn, anna.id, T0)) == 0


def test_a_deactivated_user_has_no_session_and_cannot_start_one(db: Database) -> None:
    anna = _add(db)
    token, _ = db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    db.write_now(lambda conn: users.set_active(conn, anna.id, False, T0))
    assert _find(db, token, T0 + timedelta(minutes=1)) is None
    with pytest.raises(LookupError, match="no active user"):
        db.write_now(lambda conn: user_sessions.start(conn, anna.id, T0))
    db.write_now(lambda conn: users.set_active(conn, anna.id, True, T0))
    assert _find(db, token, T0 + timedelta(minutes=2)) is not None  # end_all is the caller's


# --- login attempts ----------------------------------------------------------------------


def _fail(db: Database, email: str, ip: str, at: datetime) -> None:
    db.write_now(lambda conn: login_attempts.record(conn, email, ip, False, at))


def _blocked(db: Database, email: str, ip: str, at: datetime) -> timedelta | None:
    return db.read_now(lambda conn: login_attempts.blocked(conn, email, ip, at))


def test_five_failures_for_an_email_block_it_for_the_rest_of_the_window(db: Database) -> None:
    for minute in range(4):
        _fail(db, "anna@shop.de", IP, T0 + timedelta(minutes=minute))
        assert _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=minute)) is None
    _fail(db, "Anna@Shop.de", IP, T0 + timedelta(minutes=4))
    wait = _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=5))
    assert wait == timedelta(minutes=10)  # until the first failure is 15 minutes old
    assert _blocked(db, "ANNA@shop.de ", "198.51.100.1", T0 + timedelta(minutes=5)) == wait
    assert _blocked(db, "bob@shop.de", IP, T0 + timedelta(minutes=5)) is None
    assert _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=15)) is None


def test_twenty_failures_from_one_address_block_it_for_every_email(db: Database) -> None:
    for n in range(20):
        _fail(db, f"guess{n}@shop.de", IP, T0 + timedelta(seconds=n))
    later = T0 + timedelta(minutes=1)
    assert _blocked(db, "anna@shop.de", IP, later) == timedelta(minutes=14)
    assert _blocked(db, "anna@shop.de", "198.51.100.1", later) is None
    assert _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=15)) is None


def test_a_success_clears_the_emails_failures(db: Database) -> None:
    for minute in range(4):
        _fail(db, "anna@shop.de", IP, T0 + timedelta(minutes=minute))
    db.write_now(lambda conn: login_attempts.record(conn, "anna@shop.de", IP, True, T0))
    _fail(db, "anna@shop.de", IP, T0 + timedelta(minutes=5))
    assert _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=5)) is None
    for minute in range(6, 10):
        _fail(db, "anna@shop.de", IP, T0 + timedelta(minutes=minute))
    assert _blocked(db, "anna@shop.de", IP, T0 + timedelta(minutes=10)) is not None


def test_failures_spread_over_more_than_the_window_never_block(db: Database) -> None:
    for n in range(12):
        at = T0 + n * timedelta(minutes=4)
        assert _blocked(db, "anna@shop.de", IP, at) is None
        _fail(db, "anna@shop.de", IP, at)


# --- audit log ---------------------------------------------------------------------------


def test_the_audit_log_lists_the_newest_entries_first_with_who_did_it(db: Database) -> None:
    anna = _add(db)
    db.write_now(lambda conn: audit.record(conn, None, "user.added", target=anna.email, now=T0))
    db.write_now(
        lambda conn: audit.record(
            conn, anna.id, "user.login", ip=IP, data={"agent": "x"}, now=T0 + timedelta(1)
        )
    )
    db.write_now(lambda conn: audit.record(conn, anna.id, "user.logout", now=T0 + timedelta(2)))
    entries = db.read_now(audit.recent)
    assert [entry["action"] for entry in entries] == ["user.logout", "user.login", "user.added"]
    login = entries[1]
    assert (login["user_id"], login["user_email"], login["ip"]) == (anna.id, anna.email, IP)
    assert login["data"] == {"agent": "x"}
    assert login["created_at"] == T0 + timedelta(1)
    added = entries[2]
    assert (added["user_id"], added["user_email"], added["target"]) == (None, None, anna.email)
    assert added["data"] is None
    assert [e["action"] for e in db.read_now(lambda conn: audit.recent(conn, 2))] == [
        "user.logout",
        "user.login",
    ]


def test_an_audit_action_name_has_a_length_limit(db: Database) -> None:
    with pytest.raises(ValueError, match="1 to 40 characters"):
        db.write_now(lambda conn: audit.record(conn, None, "x" * 41))
    db.write_now(lambda conn: audit.record(conn, None, "user.login_failed", target="x" * 500))
    assert db.read_now(audit.recent)[0]["target"] == "x" * 200
