"""API tokens: shown once, stored as a hash, refused once revoked (SQLite only)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from theke.store import api_tokens
from theke.store.api_tokens import TokenNameError
from theke.store.database import Database
from theke.store.schema import api_tokens as table

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(db: Database) -> None:
    token = db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    assert token.startswith("thk_")
    assert len(token) == len("thk_") + 43  # 32 random bytes, url-safe base64
    rows = db.read_now(lambda conn: [tuple(row) for row in conn.execute(select(table))])
    assert len(rows) == 1
    assert not any(token in str(value) for value in rows[0])
    assert hashlib.sha256(token.encode()).hexdigest() in rows[0]


def test_verify_names_the_token_and_refuses_unknown_ones(db: Database) -> None:
    erp = db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    shop = db.write_now(lambda conn: api_tokens.create(conn, "shopify-sync"))
    assert erp != shop
    assert db.write_now(lambda conn: api_tokens.verify(conn, erp)) == "erp"
    assert db.write_now(lambda conn: api_tokens.verify(conn, shop)) == "shopify-sync"
    for wrong in (erp[:-1], erp + "x", erp.upper(), "", "Bearer " + erp, shop.removeprefix("thk_")):
        assert db.write_now(partial(api_tokens.verify, token=wrong)) is None


def test_a_revoked_token_is_refused_and_revoking_twice_finds_nothing(db: Database) -> None:
    token = db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    assert db.write_now(lambda conn: api_tokens.revoke(conn, "erp")) is True
    assert db.write_now(lambda conn: api_tokens.verify(conn, token)) is None
    assert db.write_now(lambda conn: api_tokens.revoke(conn, "erp")) is False
    assert db.write_now(lambda conn: api_tokens.revoke(conn, "nobody")) is False


def test_an_active_name_cannot_be_taken_twice(db: Database) -> None:
    db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    with pytest.raises(TokenNameError, match="already named 'erp'"):
        db.write_now(lambda conn: api_tokens.create(conn, "erp"))


def test_a_revoked_name_can_be_used_again_and_the_old_token_stays_listed(db: Database) -> None:
    old = db.write_now(lambda conn: api_tokens.create(conn, "erp", T0))
    db.write_now(lambda conn: api_tokens.revoke(conn, "erp", T0 + timedelta(days=1)))
    new = db.write_now(lambda conn: api_tokens.create(conn, "erp", T0 + timedelta(days=2)))
    assert db.write_now(lambda conn: api_tokens.verify(conn, old)) is None
    assert db.write_now(lambda conn: api_tokens.verify(conn, new)) == "erp"
    listed = db.read_now(api_tokens.list_tokens)
    assert [(item.name, item.active) for item in listed] == [("erp", False), ("erp", True)]
    assert listed[0].revoked_at == T0 + timedelta(days=1)
    again = db.write_now(lambda conn: api_tokens.revoke(conn, "erp"))
    assert again is True
    assert db.write_now(lambda conn: api_tokens.create(conn, "erp")).startswith("thk_")
    assert len(db.read_now(api_tokens.list_tokens)) == 3


def test_a_name_of_the_longest_length_can_be_reused_too(db: Database) -> None:
    name = "n" * api_tokens.NAME_MAX
    db.write_now(lambda conn: api_tokens.create(conn, name))
    db.write_now(lambda conn: api_tokens.revoke(conn, name))
    token = db.write_now(lambda conn: api_tokens.create(conn, name))
    assert db.write_now(lambda conn: api_tokens.verify(conn, token)) == name


@pytest.mark.parametrize(
    "name", ["", "n" * 101, "erp system", "erp~1", "ä-shop", "erp/1", "erp\n", "../x:y"]
)
def test_invalid_names_are_refused_with_the_rule(db: Database, name: str) -> None:
    with pytest.raises(TokenNameError, match="letters, digits"):
        db.write_now(lambda conn: api_tokens.create(conn, name))
    assert db.read_now(api_tokens.list_tokens) == []


def test_the_last_use_is_written_at_most_once_a_minute(db: Database) -> None:
    token = db.write_now(lambda conn: api_tokens.create(conn, "erp", T0))
    assert db.read_now(api_tokens.list_tokens)[0].last_used_at is None

    def use(at: datetime) -> datetime | None:
        assert db.write_now(lambda conn: api_tokens.verify(conn, token, at)) == "erp"
        return db.read_now(api_tokens.list_tokens)[0].last_used_at

    assert use(T0 + timedelta(seconds=5)) == T0 + timedelta(seconds=5)
    assert use(T0 + timedelta(seconds=50)) == T0 + timedelta(seconds=5)
    assert use(T0 + timedelta(seconds=70)) == T0 + timedelta(seconds=70)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=80))
def test_no_string_but_the_issued_token_verifies(db: Database, guess: str) -> None:
    issued = db.read_now(lambda conn: conn.execute(select(table.c.id)).first())
    if issued is None:
        db.write_now(lambda conn: api_tokens.create(conn, "erp"))
    assert db.write_now(lambda conn: api_tokens.verify(conn, guess)) is None
    assert db.write_now(lambda conn: api_tokens.verify(conn, "thk_" + guess)) is None
