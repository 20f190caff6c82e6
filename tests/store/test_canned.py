"""Canned responses in the database: one per shortcut, changed and removed (SQLite only)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from theke.store import canned, users
from theke.store.canned import Canned, CannedExists
from theke.store.database import Database

T0 = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
T1 = T0 + timedelta(hours=2)
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2g"  # a stand-in: never verified
SHIPPING = "Wir versenden innerhalb von 24 Stunden mit DHL."


@pytest.fixture
def db(sqlite_db: Database) -> Database:
    return sqlite_db


@pytest.fixture
def admin_id(db: Database) -> str:
    return db.write_now(lambda conn: users.add(conn, "chefin@shop.de", "admin", HASH, T0)).id


def _add(db: Database, shortcut: str, text: str = SHIPPING, user_id: str | None = None) -> Canned:
    return db.write_now(
        lambda conn: canned.add(conn, shortcut, f"Titel {shortcut}", text, user_id, T0)
    )


def test_an_added_canned_response_is_found_by_id_and_by_shortcut(
    db: Database, admin_id: str
) -> None:
    added = _add(db, "versand", user_id=admin_id)
    assert added == Canned(added.id, "versand", "Titel versand", SHIPPING, admin_id, T0, T0)
    assert db.read_now(lambda conn: canned.get(conn, added.id)) == added
    for typed in ("versand", "/versand", " Versand ", "/VERSAND"):
        assert db.read_now(functools.partial(canned.by_shortcut, shortcut=typed)) == added
    assert db.read_now(lambda conn: canned.by_shortcut(conn, "retoure")) is None
    assert db.read_now(lambda conn: canned.get(conn, added.id + 1)) is None


def test_a_shortcut_is_taken_once_in_any_case(db: Database) -> None:
    _add(db, "versand")
    with pytest.raises(CannedExists, match="/versand already exists") as taken:
        _add(db, "/Versand", "Ein anderer Text")
    assert taken.value.shortcut == "versand"
    assert [c.text for c in db.read_now(canned.all_canned)] == [SHIPPING]


_RIVAL = (
    "CREATE TEMP TRIGGER rival BEFORE {event} ON canned_responses WHEN NEW.title <> 'rival' "
    "BEGIN INSERT INTO canned_responses (shortcut, title, text, created_at, updated_at) "
    "VALUES (NEW.shortcut, 'rival', 'x', NEW.updated_at, NEW.updated_at); END"
)


def _with_a_rival(db: Database, event: str, write: Callable[[Connection], object]) -> str:
    """Run ``write`` while another admin's row with the same shortcut appears just before
    the statement (after the look for one): the unique index has the last word."""

    def race(conn: Connection) -> str:
        conn.exec_driver_sql(_RIVAL.format(event=event))
        try:
            write(conn)
        except CannedExists as exc:
            return exc.shortcut
        finally:
            conn.exec_driver_sql("DROP TRIGGER rival")
        return ""

    return db.write_now(race)


def test_a_shortcut_taken_a_moment_ago_by_another_admin_is_refused(db: Database) -> None:
    add = functools.partial(canned.add, shortcut="versand", title="V", text="T", user_id=None)
    assert _with_a_rival(db, "INSERT", lambda conn: add(conn)) == "versand"
    retoure = _add(db, "retoure")
    change = functools.partial(canned.change, shortcut="versand", title="V", text="T")
    assert _with_a_rival(db, "UPDATE", lambda conn: change(conn, retoure.id)) == "versand"
    assert db.read_now(canned.all_canned) == [retoure]


def test_a_change_keeps_the_id_and_the_author_and_moves_updated_at(
    db: Database, admin_id: str
) -> None:
    added = _add(db, "versand", user_id=admin_id)
    changed = db.write_now(
        lambda conn: canned.change(conn, added.id, "/Lieferung", "Lieferzeit", "2 bis 3 Tage.", T1)
    )
    assert changed == Canned(added.id, "lieferung", "Lieferzeit", "2 bis 3 Tage.", admin_id, T0, T1)
    assert db.read_now(lambda conn: canned.get(conn, added.id)) == changed
    assert db.read_now(lambda conn: canned.by_shortcut(conn, "versand")) is None


def test_a_change_may_keep_its_own_shortcut_but_not_take_another(db: Database) -> None:
    versand = _add(db, "versand")
    _add(db, "retoure", "30 Tage Rückgabe.")
    kept = db.write_now(
        lambda conn: canned.change(conn, versand.id, "versand", "Versand", "Neu.", T1)
    )
    assert kept.text == "Neu."
    with pytest.raises(CannedExists, match="/retoure"):
        db.write_now(lambda conn: canned.change(conn, versand.id, "retoure", "X", "Y", T1))
    assert db.read_now(lambda conn: canned.get(conn, versand.id)) == kept


def test_changing_an_unknown_canned_response_is_a_lookup_error(db: Database) -> None:
    with pytest.raises(LookupError, match="no canned response with the id 99"):
        db.write_now(lambda conn: canned.change(conn, 99, "versand", "Versand", "Text", T1))
    assert db.read_now(canned.all_canned) == []


def test_removing_says_whether_there_was_one(db: Database) -> None:
    versand = _add(db, "versand")
    retoure = _add(db, "retoure")
    assert db.write_now(lambda conn: canned.remove(conn, versand.id)) is True
    assert db.write_now(lambda conn: canned.remove(conn, versand.id)) is False
    assert db.read_now(canned.all_canned) == [retoure]
    assert _add(db, "versand").shortcut == "versand"  # the shortcut is free again


def test_all_canned_responses_are_listed_by_shortcut(db: Database) -> None:
    for shortcut in ("zahlung", "1-gruss", "retoure", "abholung"):
        _add(db, shortcut)
    shortcuts = [c.shortcut for c in db.read_now(canned.all_canned)]
    assert shortcuts == ["1-gruss", "abholung", "retoure", "zahlung"]


def test_text_is_kept_exactly(db: Database) -> None:
    text = 'Zeile 1\nZeile 2 <b>"fett"</b> & 👍\n\n— Dein Team'
    added = _add(db, "lang", text)
    assert db.read_now(lambda conn: canned.get(conn, added.id)) == added
    assert added.text == text
