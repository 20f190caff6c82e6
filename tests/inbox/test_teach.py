"""Teaching the bot: what an agent teaches is stored as an overlay on the bot folder,
versioned, retrained by a worker job, and answered by every process without a restart
(SQLite; two runtimes on one database play two processes)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, select

from tests.conftest import copy_demo, make_settings
from theke.bot import Bot, load_bot
from theke.bot.overlay import Taught, apply_overlay, taught_entry_id
from theke.content import to_json
from theke.dialogue import Inbound
from theke.inbox.teach import (
    RETRAIN_JOB,
    current_overlay,
    mark_exported,
    remove,
    teach,
    trained_version,
)
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store import users
from theke.store.migrate import upgrade
from theke.store.schema import audit_log, scheduled_jobs
from theke.store.users import User
from theke.worker.jobs import JobRunner
from theke.worker.overlay import OverlayWatcher, RetrainJob

NOW = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)
REPAIR = "Verkauft ihr auch Schnürsenkel einzeln?"
REPAIR_ANSWER = "Ja! Schnürsenkel gibt es im Laden in der Lindwurmstraße für 4 € das Paar."


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo shop (its trained model is its own)."""
    target = tmp_path_factory.mktemp("teach") / "sneakershop"
    copy_demo(target)
    return target


@pytest.fixture(scope="module")
def bot(folder: Path) -> Bot:
    return load_bot(folder)


@pytest.fixture
def engine(sqlite_engine: Engine) -> Engine:
    return sqlite_engine


def _agent(conn: Connection, email: str = "anna@sohle.example") -> User:
    return users.add(conn, email, "agent", "not-a-real-hash")


def test_a_taught_faq_entry_and_example_join_the_bot(bot: Bot) -> None:
    items = [
        Taught(1, "faq", "de", REPAIR, REPAIR_ANSWER),
        Taught(2, "example", "de", "wie lang braucht ein paket nach wien", intent="shipping"),
        Taught(3, "example", "de", "egal", intent="no_such_intent"),
        Taught(4, "faq", "fr", "Réparez-vous?", "Oui"),
    ]
    overlaid = apply_overlay(bot, items)
    entry = overlaid.knowledge[taught_entry_id(1)]
    assert entry.questions == {"de": (REPAIR,)}
    assert entry.title("de") == "Verkauft ihr auch S…"
    german = next(data for data in overlaid.nlu if data.language == "de")
    added = [e for e in german.examples if e.source is not None and e.source.path == "inbox"]
    assert [(e.text, e.intent) for e in added] == [
        ("wie lang braucht ein paket nach wien", "shipping")
    ]
    assert taught_entry_id(4) not in overlaid.knowledge  # the bot speaks no French
    assert bot.knowledge is not overlaid.knowledge and taught_entry_id(1) not in bot.knowledge


def test_teaching_checks_what_it_is_told(bot: Bot, engine: Engine) -> None:
    existing = next(iter(bot.knowledge.values()))
    asked = existing.questions["de"][0]
    with engine.begin() as conn:
        anna = _agent(conn)
        cases = [
            ({"kind": "faq", "question": "  ", "answer": "x"}, "Die Frage des Kunden fehlt"),
            ({"kind": "faq", "question": REPAIR, "answer": ""}, "Die Antwort fehlt"),
            ({"kind": "faq", "question": asked.upper() + "!", "answer": "x"}, "schon im FAQ"),
            ({"kind": "example", "question": REPAIR, "intent": "nope"}, "Wähle, was der Kunde"),
            ({"kind": "faq", "question": "x" * 501, "answer": "x"}, "zu lang"),
            ({"kind": "other", "question": REPAIR}, "FAQ-Eintrag oder ein Beispiel"),
        ]
        for fields, message in cases:
            with pytest.raises(ValueError, match=message):
                teach(conn, bot, anna, language="de", now=NOW, **fields)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="spricht fr nicht"):
            teach(conn, bot, anna, kind="faq", language="fr", question=REPAIR, answer="x", now=NOW)
        assert current_overlay(conn).items == ()


def test_two_agents_teaching_at_once_both_keep_what_they_taught(bot: Bot, engine: Engine) -> None:
    with engine.begin() as conn:
        anna, ben = _agent(conn), _agent(conn, "ben@sohle.example")
    # Two transactions open at the same time, as two agents pressing "Beibringen" would.
    with engine.connect() as first, engine.connect() as second:
        first.begin()
        teach(first, bot, anna, kind="faq", language="de", question=REPAIR,
              answer=REPAIR_ANSWER, now=NOW)  # fmt: skip
        first.commit()
        second.begin()
        teach(second, bot, ben, kind="example", language="de", intent="shipping",
              question="dauert das paket nach wien lange", now=NOW)  # fmt: skip
        second.commit()
    with engine.begin() as conn:
        overlay = current_overlay(conn)
        jobs = conn.execute(select(scheduled_jobs.c.kind)).scalars().all()
        actions = conn.execute(select(audit_log.c.action)).scalars().all()
        assert remove(conn, overlay.items[0].id, anna, NOW)
        assert not remove(conn, overlay.items[0].id, anna, NOW)  # already taken back
        after = current_overlay(conn)
    assert [item.kind for item in overlay.items] == ["faq", "example"]
    assert overlay.version == 2
    assert jobs == [RETRAIN_JOB, RETRAIN_JOB]
    assert actions == ["bot.taught", "bot.taught"]
    assert [item.kind for item in after.items] == ["example"]
    assert after.version == 3


async def _answer(runtime: Runtime, text: str) -> str:
    turn = runtime.engine.handle(
        {"language": "de", "introduced": True}, Inbound(text=text), conversation_key="webchat:x"
    )
    return " ".join(str(to_json(reply).get("text", "")) for reply in turn.replies)


@pytest.fixture
async def two_processes(folder: Path, tmp_path: Path) -> AsyncIterator[tuple[Runtime, Runtime]]:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    worker = await Runtime.open(make_settings(url, bot=folder), migrate=False)
    web = await Runtime.open(make_settings(url, bot=folder), migrate=False)
    try:
        yield worker, web
    finally:
        await worker.close()
        await web.close()


async def test_the_taught_answer_reaches_every_process_without_a_restart(
    two_processes: tuple[Runtime, Runtime],
) -> None:
    worker, web = two_processes
    assert REPAIR_ANSWER not in await _answer(worker, REPAIR)

    def teach_it(conn: Connection) -> None:
        anna = _agent(conn)
        assert worker.folder_bot is not None
        teach(conn, worker.folder_bot, anna, kind="faq", language="de", question=REPAIR,
              answer=REPAIR_ANSWER, now=datetime.now(UTC))  # fmt: skip

    await worker.db.write(teach_it)
    watcher = OverlayWatcher(web.db, lambda: web.overlay.version, web.install_overlay)
    assert not await watcher.check()  # not trained yet: the running bot stays
    jobs = JobRunner(worker.db, {RETRAIN_JOB: RetrainJob(worker.db, worker.install_overlay)},
                     owner="w")  # fmt: skip
    assert await jobs.run_once() == 1
    assert await worker.db.read(trained_version) == 1
    assert REPAIR_ANSWER in await _answer(worker, REPAIR)
    assert await watcher.check()
    assert REPAIR_ANSWER in await _answer(web, "verkauft ihr schnuersenkel einzeln")
    assert not await watcher.check()  # installed once

    await worker.db.write(lambda conn: mark_exported(conn, [1], datetime.now(UTC)))
    assert await jobs.run_once() == 1
    assert await watcher.check()
    assert REPAIR_ANSWER not in await _answer(web, REPAIR)  # no longer in the overlay


async def test_a_web_process_without_the_worker_picks_up_the_trained_version(
    folder: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'theke.db'}"
    upgrade(url)
    worker = await Runtime.open(make_settings(url, bot=folder), migrate=False)
    web = await Runtime.open(make_settings(url, bot=folder, reload_seconds=0.05), migrate=False)
    app = create_app(web, run_worker=False)
    try:
        async with app.router.lifespan_context(app):

            def teach_it(conn: Connection) -> None:
                assert worker.folder_bot is not None
                teach(conn, worker.folder_bot, _agent(conn), kind="faq", language="de",
                      question=REPAIR, answer=REPAIR_ANSWER, now=datetime.now(UTC))  # fmt: skip

            await worker.db.write(teach_it)
            jobs = JobRunner(
                worker.db, {RETRAIN_JOB: RetrainJob(worker.db, worker.install_overlay)}, owner="w"
            )
            assert await jobs.run_once() == 1
            for _ in range(200):
                if web.overlay.version == 1:
                    break
                await asyncio.sleep(0.05)
            assert REPAIR_ANSWER in await _answer(web, REPAIR)
    finally:
        await worker.close()
        await web.close()
