"""What the browser tests share: Debian's Chromium, and ``theke run`` on a free port."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright

from tests.conftest import DEMO_BOT, IN_CI, free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
THEKE = Path(sys.executable).with_name("theke")


def require_chromium() -> None:
    """Skip without Chromium on a developer's machine; fail in CI, where it must run."""
    if CHROMIUM.exists():
        return
    if IN_CI:
        pytest.fail(f"{CHROMIUM} is missing, and CI must run the browser tests")
    pytest.skip(f"the browser tests need {CHROMIUM} (apt-get install chromium)")


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextlib.contextmanager
def theke_run(folder: Path, database_url: str) -> Iterator[str]:
    """``theke run`` of the demo shop on a free port; yields its base URL once it is healthy."""
    require_chromium()
    port = free_port()
    env = {**os.environ, "THEKE_DATABASE_URL": database_url}
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(THEKE), "run", str(DEMO_BOT), "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"theke run exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"theke run did not answer /healthz within 60 s:\n{log.read_text()[-3000:]}")
