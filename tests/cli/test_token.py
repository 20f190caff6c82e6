"""``theke token``: a shop owner creates, lists and revokes the shop system's API tokens."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner, Result

from tests.conftest import DEMO_BOT
from theke.cli.main import cli
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store.migrate import upgrade


@pytest.fixture
async def database_url(tmp_path: Path) -> str:
    """SQLite only: these tests never touch the shared PostgreSQL database."""
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    await asyncio.to_thread(upgrade, url)
    return url


@pytest.fixture
def env(database_url: str) -> dict[str, str]:
    return {"THEKE_DATABASE_URL": database_url}


def _token(env: dict[str, str], *args: str) -> Result:
    command = ["token", *args, "--bot", str(DEMO_BOT)]
    return CliRunner().invoke(cli, command, env=env, catch_exceptions=False)


def test_create_prints_the_token_once_and_list_never_shows_it(env: dict[str, str]) -> None:
    created = _token(env, "create", "erp")
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    assert token.startswith("thk_")
    assert created.stdout == token + "\n"  # alone on stdout: TOKEN=$(theke token create erp)
    assert "cannot be shown again" in created.stderr
    listed = _token(env, "list")
    assert listed.exit_code == 0
    assert token not in listed.output
    assert token.removeprefix("thk_")[:8] not in listed.output
    header, row = listed.stdout.splitlines()
    assert header.split() == ["NAME", "CREATED", "LAST", "USED", "REVOKED"]
    assert row.startswith("erp ")
    assert "never" in row
    assert row.endswith("-")


def test_an_empty_list_says_how_to_create_one(env: dict[str, str]) -> None:
    listed = _token(env, "list")
    assert listed.exit_code == 0
    assert "theke token create NAME" in listed.stdout


def test_a_taken_or_invalid_name_is_an_error(env: dict[str, str]) -> None:
    assert _token(env, "create", "erp").exit_code == 0
    taken = _token(env, "create", "erp")
    assert taken.exit_code == 2
    assert "already named 'erp'" in taken.stderr
    assert taken.stdout == ""
    invalid = _token(env, "create", "my erp")
    assert invalid.exit_code == 2
    assert "letters, digits" in invalid.stderr
    assert len(_token(env, "list").stdout.splitlines()) == 2  # the header and erp


def test_revoking_an_unknown_token_exits_with_1(env: dict[str, str]) -> None:
    result = _token(env, "revoke", "nobody")
    assert result.exit_code == 1
    assert "no active token named 'nobody'" in result.stderr


async def test_a_revoked_token_is_refused_by_the_api(env: dict[str, str], runtime: Runtime) -> None:
    token = _token(env, "create", "erp").stdout.strip()
    transport = httpx.ASGITransport(app=create_app(runtime, run_worker=False))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as api:
        assert (await api.get("/api/v1/orders")).status_code == 200
        listed = _token(env, "list").stdout.splitlines()[1]
        assert "never" not in listed  # the use was recorded
        revoked = _token(env, "revoke", "erp")
        assert revoked.exit_code == 0
        assert "Revoked the API token 'erp'" in revoked.stdout
        refused = await api.get("/api/v1/orders")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "invalid_token"
    row = _token(env, "list").stdout.splitlines()[1]
    assert row.startswith("erp ")
    assert not row.endswith("-")
    assert row.endswith("UTC")
