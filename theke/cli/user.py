"""``theke user``: the people who sign in to the inbox (agents and admins)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING, NoReturn

import click
from sqlalchemy import Connection

from theke.cli.options import bot_option, database_for, settings_for

if TYPE_CHECKING:
    from theke.store.database import Database
    from theke.store.users import User

__all__ = ["user"]

_password_option = click.option(
    "--password",
    default=None,
    help="The password (default: asked for twice, not shown; an option shows in the "
    "shell's history).",
)


@click.group()
def user() -> None:
    """The people who sign in to the inbox: agents and admins."""


@user.command()
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "agent"]), help="What they may do."
)
@_password_option
@bot_option
def add(email: str, role: str, password: str | None, bot: str | None) -> None:
    """Add a user who signs in with EMAIL (exit 2: the email is taken or the password weak)."""
    from theke.inbox.passwords import check_strength, hash_password
    from theke.store import audit, users

    address = _address(email)
    with _database(bot) as database:
        if database.read_now(lambda conn: users.by_email(conn, address)) is not None:
            raise users.UserExists(
                f"a user with the email {address} already exists (see `theke user list`); "
                "to give them a new password use `theke user passwd`"
            )
        secret = password if password is not None else _ask_password(address)
        check_strength(secret, address)
        hashed = hash_password(secret)

        def work(conn: Connection) -> None:
            users.add(conn, address, role, hashed)
            audit.record(conn, None, "user.added", target=address, data={"role": role})

        database.write_now(work)
    click.echo(f"Added {role} {address}.")


@user.command()
@click.argument("email")
@_password_option
@bot_option
def passwd(email: str, password: str | None, bot: str | None) -> None:
    """Give EMAIL a new password and sign them out everywhere (exit 1: no such user)."""
    from theke.inbox.passwords import check_strength, hash_password
    from theke.store import audit, user_sessions, users

    with _database(bot) as database:
        found = _existing(database, email)
        secret = password if password is not None else _ask_password(found.email)
        check_strength(secret, found.email)
        hashed = hash_password(secret)

        def work(conn: Connection) -> int:
            users.set_password(conn, found.id, hashed)
            ended = user_sessions.end_all(conn, found.id)
            audit.record(conn, None, "user.password_reset", target=found.email)
            return ended

        ended = database.write_now(work)
    click.echo(f"Set a new password for {found.email}; {_sessions(ended)} ended.")


@user.command()
@click.argument("email")
@bot_option
def deactivate(email: str, bot: str | None) -> None:
    """EMAIL can no longer sign in; their sessions end now (exit 1: no such user)."""
    _set_active(email, False, bot)


@user.command()
@click.argument("email")
@bot_option
def reactivate(email: str, bot: str | None) -> None:
    """EMAIL can sign in again, with the password they had (exit 1: no such user)."""
    _set_active(email, True, bot)


@user.command(name="list")
@bot_option
def list_users(bot: str | None) -> None:
    """List the users: email, role, active, created (never a password or its hash)."""
    from theke.store import users

    with _database(bot) as database:
        found = database.read_now(users.all_users)
    if not found:
        click.echo("No users yet. Add the first admin: theke user add EMAIL --role admin")
        return
    rows = [("EMAIL", "ROLE", "ACTIVE", "CREATED")]
    rows += [
        (item.email, item.role, "yes" if item.active else "no", _when(item.created_at))
        for item in found
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        click.echo("  ".join([*cells, row[3]]))


def _set_active(email: str, active: bool, bot: str | None) -> None:
    from theke.store import audit, user_sessions, users

    state = "active" if active else "deactivated"
    with _database(bot) as database:
        found = _existing(database, email)
        if found.active == active:
            click.echo(f"{found.email} is already {state}.")
            return

        def work(conn: Connection) -> int:
            users.set_active(conn, found.id, active)
            ended = user_sessions.end_all(conn, found.id)
            action = "user.reactivated" if active else "user.deactivated"
            audit.record(conn, None, action, target=found.email)
            return ended

        ended = database.write_now(work)
    done = "Reactivated" if active else "Deactivated"
    click.echo(f"{done} {found.email}; {_sessions(ended)} ended.")


def _address(email: str) -> str:
    from theke.store.users import normalize_email

    try:
        return normalize_email(email)
    except ValueError as exc:
        _fail(str(exc), 2)


def _existing(database: Database, email: str) -> User:
    from theke.store import users

    found = database.read_now(lambda conn: users.by_email(conn, email))
    if found is None:
        _fail(f"there is no user with the email {email.strip()!r} (see `theke user list`)", 1)
    return found


def _ask_password(email: str) -> str:
    secret: str = click.prompt(
        f"Password for {email}", hide_input=True, confirmation_prompt=True, err=True
    )
    return secret


def _sessions(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


@contextmanager
def _database(bot: str | None) -> Iterator[Database]:
    with database_for(settings_for(bot).resolved_database_url()) as database:
        yield database
