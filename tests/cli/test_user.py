"""``theke user``: a shop owner adds the inbox's people, resets passwords, deactivates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection

from tests.conftest import DEMO_BOT
from theke.cli.main import cli
from theke.inbox.passwords import verify_password
from theke.store import audit, user_sessions, users
from theke.store.database import Database
from theke.store.migrate import upgrade

T = TypeVar("T")
GOOD = "correct horse battery staple"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests never touch the shared PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.engine.dispose()


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THEKE_DATABASE_URL": database_url}


def _user(env: dict[str, str], *args: str, input: str | None = None) -> Result:
    command = ["user", *args, "--bot", str(DEMO_BOT)]
    return CliRunner().invoke(cli, command, env=env, input=input, catch_exceptions=False)


def _write(db: Database, work: Callable[[Connection], T]) -> T:
    return db.write_now(work)


def _actions(db: Database) -> list[tuple[str, str | None]]:
    return [(entry["action"], entry["target"]) for entry in db.read_now(audit.recent)][::-1]


def test_add_with_a_password_creates_an_account_that_can_sign_in(
    env: dict[str, str], db: Database
) -> None:
    result = _user(env, "add", "Anna@Shop.de", "--role", "agent", "--password", GOOD)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added agent anna@shop.de.\n"
    anna = db.read_now(lambda conn: users.by_email(conn, "anna@shop.de"))
    assert anna is not None
    assert (anna.role, anna.active) == ("agent", True)
    assert verify_password(anna.password_hash, GOOD)
    assert not verify_password(anna.password_hash, GOOD.upper())
    assert _actions(db) == [("user.added", "anna@shop.de")]
    admin = _user(env, "add", "boss@shop.de", "--role", "admin", "--password", GOOD + "!")
    assert admin.stdout == "Added admin boss@shop.de.\n"


def test_add_without_a_password_asks_for_it_twice_and_never_shows_it(
    env: dict[str, str], db: Database
) -> None:
    typed = f"{GOOD}\nsomething else entirely\n{GOOD}\n{GOOD}\n"  # a typo, then twice right
    result = _user(env, "add", "anna@shop.de", "--role", "admin", input=typed)
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output
    assert "Password for anna@shop.de" in result.stderr
    assert "do not match" in result.stderr
    assert result.stdout == "Added admin anna@shop.de.\n"
    anna = db.read_now(lambda conn: users.by_email(conn, "anna@shop.de"))
    assert anna is not None and anna.is_admin
    assert verify_password(anna.password_hash, GOOD)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kurz", "at least 12"),
        ("anna@shop.de", "the email address"),
        ("password1234", "most common"),
        ("x" * 20, "one character repeated"),
    ],
)
def test_a_weak_password_is_refused_with_the_reason(
    env: dict[str, str], db: Database, password: str, reason: str
) -> None:
    result = _user(env, "add", "anna@shop.de", "--role", "agent", "--password", password)
    assert result.exit_code == 2
    assert reason in result.stderr
    assert result.stdout == ""
    assert db.read_now(users.all_users) == []
    assert _actions(db) == []


def test_a_weak_typed_password_is_refused_too(env: dict[str, str], db: Database) -> None:
    result = _user(env, "add", "anna@shop.de", "--role", "agent", input="kurz\nkurz\n")
    assert result.exit_code == 2
    assert "at least 12" in result.stderr
    assert db.read_now(users.all_users) == []


def test_an_existing_email_is_refused_before_asking_for_a_password(
    env: dict[str, str], db: Database
) -> None:
    assert _user(env, "add", "anna@shop.de", "--role", "agent", "--password", GOOD).exit_code == 0
    again = _user(env, "add", "ANNA@shop.de", "--role", "admin")  # no input: it must not ask
    assert again.exit_code == 2
    assert "anna@shop.de already exists" in again.stderr
    assert "Password" not in again.stderr
    listed = db.read_now(users.all_users)
    assert [(u.email, u.role) for u in listed] == [("anna@shop.de", "agent")]


def test_a_malformed_email_or_an_unknown_role_is_refused(env: dict[str, str]) -> None:
    bad_email = _user(env, "add", "anna at shop", "--role", "agent", "--password", GOOD)
    assert bad_email.exit_code == 2
    assert "not an email address" in bad_email.stderr
    bad_role = _user(env, "add", "anna@shop.de", "--role", "owner", "--password", GOOD)
    assert bad_role.exit_code == 2
    assert "'owner' is not one of 'admin', 'agent'" in bad_role.stderr


def test_passwd_sets_a_new_password_and_signs_the_user_out_everywhere(
    env: dict[str, str], db: Database
) -> None:
    _user(env, "add", "anna@shop.de", "--role", "agent", "--password", GOOD)
    anna = db.read_now(lambda conn: users.by_email(conn, "anna@shop.de"))
    assert anna is not None
    tokens = [_write(db, lambda conn: user_sessions.start(conn, anna.id))[0] for _ in "ab"]
    result = _user(env, "passwd", "Anna@shop.de", input="new and different words\n" * 2)
    assert result.exit_code == 0, result.output
    assert result.stdout == "Set a new password for anna@shop.de; 2 sessions ended.\n"
    for token in tokens:
        assert _write(db, lambda conn, t=token: user_sessions.find(conn, t)) is None
    changed = db.read_now(lambda conn: users.get(conn, anna.id))
    assert changed is not None
    assert verify_password(changed.password_hash, "new and different words")
    assert not verify_password(changed.password_hash, GOOD)
    assert _actions(db)[-1] == ("user.password_reset", "anna@shop.de")


def test_passwd_refuses_a_weak_password_and_keeps_the_old_one(
    env: dict[str, str], db: Database
) -> None:
    _user(env, "add", "anna@shop.de", "--role", "agent", "--password", GOOD)
    result = _user(env, "passwd", "anna@shop.de", "--password", "short")
    assert result.exit_code == 2
    anna = db.read_now(lambda conn: users.by_email(conn, "anna@shop.de"))
    assert anna is not None and verify_password(anna.password_hash, GOOD)


def test_an_unknown_user_exits_with_1(env: dict[str, str]) -> None:
    for command in (["passwd", "nobody@shop.de", "--password", GOOD], ["deactivate", "x@y.de"]):
        result = _user(env, *command)
        assert result.exit_code == 1
        assert "no user with the email" in result.stderr


def test_deactivate_signs_out_and_reactivate_lets_them_sign_in_again(
    env: dict[str, str], db: Database
) -> None:
    _user(env, "add", "anna@shop.de", "--role", "agent", "--password", GOOD)
    anna = db.read_now(lambda conn: users.by_email(conn, "anna@shop.de"))
    assert anna is not None
    token, _ = _write(db, lambda conn: user_sessions.start(conn, anna.id))
    result = _user(env, "deactivate", "anna@shop.de")
    assert result.stdout == "Deactivated anna@shop.de; 1 session ended.\n"
    assert _write(db, lambda conn: user_sessions.find(conn, token)) is None
    with pytest.raises(LookupError):
        _write(db, lambda conn: user_sessions.start(conn, anna.id))
    assert _user(env, "list").stdout.splitlines()[1].split()[:3] == ["anna@shop.de", "agent", "no"]
    assert (
        _user(env, "deactivate", "anna@shop.de").stdout == "anna@shop.de is already deactivated.\n"
    )
    again = _user(env, "reactivate", "anna@shop.de")
    assert again.stdout == "Reactivated anna@shop.de; 0 sessions ended.\n"
    assert _write(db, lambda conn: user_sessions.start(conn, anna.id))[1].user.active
    assert _write(db, lambda conn: user_sessions.find(conn, token)) is None  # still ended
    assert [action for action, _ in _actions(db)] == [
        "user.added",
        "user.deactivated",
        "user.reactivated",
    ]


def test_list_shows_the_users_and_never_a_hash(env: dict[str, str], db: Database) -> None:
    empty = _user(env, "list")
    assert empty.exit_code == 0
    assert "theke user add EMAIL --role admin" in empty.stdout
    _user(env, "add", "zoe@shop.de", "--role", "agent", "--password", GOOD)
    _user(env, "add", "anna@shop.de", "--role", "admin", "--password", GOOD)
    listed = _user(env, "list")
    assert listed.exit_code == 0
    header, first, second = listed.stdout.splitlines()
    assert header.split() == ["EMAIL", "ROLE", "ACTIVE", "CREATED"]
    assert first.split()[:3] == ["anna@shop.de", "admin", "yes"]
    assert second.split()[:3] == ["zoe@shop.de", "agent", "yes"]
    assert first.endswith("UTC")
    hashes = [u.password_hash for u in db.read_now(users.all_users)]
    assert "$argon2" not in listed.output
    assert not any(h.rsplit("$", 1)[-1][:10] in listed.output for h in hashes)
    assert GOOD not in listed.output
