"""An owner edits the bot folder while the bot runs: good edits apply, mistakes are refused."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from tests.conftest import make_settings
from theke.content import QuickReplies, Text
from theke.dialogue import Inbound
from theke.runtime import Runtime
from theke.worker.reload import BotReloader

FLOWBOT = Path(__file__).resolve().parents[1] / "dialogue" / "flowbot"


@pytest.fixture
async def folder_runtime(tmp_path: Path) -> AsyncIterator[tuple[Path, Runtime]]:
    folder = tmp_path / "flowbot"
    shutil.copytree(FLOWBOT, folder, ignore=shutil.ignore_patterns(".theke"))
    settings = make_settings(f"sqlite:///{tmp_path / 'bot.db'}", bot=folder)
    runtime = await Runtime.open(settings)
    try:
        yield folder, runtime
    finally:
        await runtime.close()


def _answer(runtime: Runtime, text: str) -> str:
    turn = runtime.engine.handle(
        {"introduced": True}, Inbound(text=text), conversation_key="web:reload"
    )
    reply = turn.replies[0]
    assert isinstance(reply, Text | QuickReplies)
    return reply.text


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    stat = path.stat()  # a new mtime even within the file system's clock resolution
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


async def test_an_edited_response_answers_without_a_restart(
    folder_runtime: tuple[Path, Runtime],
) -> None:
    folder, runtime = folder_runtime
    reloader = BotReloader(folder, runtime.install)
    assert _answer(runtime, "öffnungszeiten") == "Wir haben Mo–Fr 10–19 Uhr geöffnet."
    assert not await reloader.check()  # nothing changed yet
    _edit(folder / "responses" / "de.yml", "Mo–Fr 10–19 Uhr", "Mo–Sa 9–20 Uhr")
    assert await reloader.check()
    assert _answer(runtime, "öffnungszeiten") == "Wir haben Mo–Sa 9–20 Uhr geöffnet."


async def test_a_broken_flow_is_refused_and_the_bot_keeps_answering(
    folder_runtime: tuple[Path, Runtime],
) -> None:
    folder, runtime = folder_runtime
    reloader = BotReloader(folder, runtime.install)
    engine = runtime.engine
    _edit(folder / "flows" / "advice.yml", "prompt: ask_size", "prompt: ask_shoe_size")
    with capture_logs() as logs:
        assert not await reloader.check()
    refused = [log for log in logs if log["event"] == "theke.worker.reload.refused"]
    lines = (folder / "flows" / "advice.yml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "prompt: ask_shoe_size" in text)
    assert f"advice.yml:{line}:" in refused[0]["error"]
    assert "ask_shoe_size" in refused[0]["error"]
    assert runtime.engine is engine
    assert _answer(runtime, "ich suche laufschuhe") == "Wie viel möchtest du ausgeben?"


async def test_new_training_examples_retrain_the_nlu(
    folder_runtime: tuple[Path, Runtime],
) -> None:
    folder, runtime = folder_runtime
    reloader = BotReloader(folder, runtime.install)
    assert runtime.engine.nlu is not None
    before = runtime.engine.nlu.model.fingerprint
    _edit(folder / "nlu" / "de.yml", "      - servus\n", "      - servus\n      - grüezi\n")
    assert await reloader.check()
    assert runtime.engine.nlu is not None
    assert runtime.engine.nlu.model.fingerprint != before


async def test_the_worker_loops_watch_the_folder(folder_runtime: tuple[Path, Runtime]) -> None:
    folder, runtime = folder_runtime
    runtime.settings = runtime.settings.model_copy(update={"reload_seconds": 0.05})
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.loops().run(stop))
    try:
        _edit(folder / "responses" / "de.yml", "Mo–Fr 10–19 Uhr", "rund um die Uhr")
        for _ in range(100):
            if "rund um die Uhr" in _answer(runtime, "öffnungszeiten"):
                break
            await asyncio.sleep(0.05)
        assert _answer(runtime, "öffnungszeiten") == "Wir haben rund um die Uhr geöffnet."
    finally:
        stop.set()
        await task
