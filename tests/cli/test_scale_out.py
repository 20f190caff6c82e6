"""Scale-out: web processes and worker processes on PostgreSQL and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import DEMO_BOT, POSTGRES_URL, REDIS_URL, free_port, require_service, truncate


def _theke(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "theke", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_healthy(base: str) -> None:
    for _ in range(150):
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the web process did not come up")


@pytest.mark.postgres
@pytest.mark.redis
def test_a_web_process_and_two_workers_answer_together(postgres_url: str) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    truncate(postgres_url)
    port = free_port()
    env = {
        **os.environ,
        "THEKE_DATABASE_URL": POSTGRES_URL,
        "THEKE_REDIS_URL": REDIS_URL,
        "THEKE_LOG_LEVEL": "WARNING",
    }
    processes = [
        _theke("run", str(DEMO_BOT), "--no-worker", "--port", str(port), env=env),
        _theke("worker", str(DEMO_BOT), env=env),
        _theke("worker", str(DEMO_BOT), env=env),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base)
        session = httpx.post(f"{base}/webchat/sessions").json()
        auth = {"Authorization": f"Bearer {session['token']}"}
        httpx.post(f"{base}/webchat/messages", headers=auth, json={"text": "Hallo"})
        first = httpx.get(f"{base}/webchat/messages", headers=auth).json()
        messages = first["messages"]
        if not any(m["from"] == "bot" for m in messages):  # the long poll wakes through Redis
            later = httpx.get(
                f"{base}/webchat/messages",
                headers=auth,
                params={"after": first["cursor"]},
                timeout=30,
            ).json()
            messages += later["messages"]
        assert any(m["from"] == "bot" for m in messages)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


@pytest.mark.parametrize("command", [("worker",), ("run", "--no-worker")])
def test_scale_out_commands_refuse_sqlite_with_the_fix(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    env = {**os.environ, "THEKE_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "theke", command[0], str(DEMO_BOT), *command[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr and "THEKE_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr
