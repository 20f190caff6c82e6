"""Kill workers with SIGKILL under load: no inbound event is lost, none is answered twice.

Two ``theke worker`` processes share PostgreSQL and Redis while messages keep
arriving, in the web chat and on Messenger (replies go to a loopback Graph API);
twenty times a random worker is killed at a random moment and started again.
Afterwards every event must be handled exactly once, with one set of replies;
every web chat reply delivered exactly once, and every Messenger reply at least
once — a reply being sent at the moment of a kill can go out twice, because the
Send API takes no idempotency key, and the test reports how many did.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from tests.conftest import POSTGRES_URL, REDIS_URL, require_service, truncate
from theke.bot import scaffold
from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.settings import Settings
from theke.store.schema import events, inbound_events, outbox, webchat_messages
from theke.testing.graph_api import GraphApi

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

KILLS = 20
RATE = 60  # messages per second
SECONDS = 8


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "theke", "worker"], env=env, stdout=sink, stderr=sink
        )


PSIDS = [f"2400000000{n:04d}" for n in range(20)]


async def _produce(settings: Settings, stop_at: float) -> int:
    runtime = await Runtime.open(settings, migrate=False)
    sent = 0
    try:
        customers = [(await runtime.webchat.create_session())[0] for _ in range(40)]
        # Words the scaffolded bot understands: three misses in a row would hand a
        # conversation to a person, and the bot would (rightly) answer nothing more.
        words = ["Hallo", "hilfe", "Guten Morgen", "danke", "hello"]
        started = time.monotonic()
        while time.monotonic() < stop_at:
            due = started + sent / RATE
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            text = random.choice(words)
            if sent % 3 == 2:  # every third message comes through Messenger
                event = InboundEvent.typed("messenger", PSIDS[sent % len(PSIDS)], text=text)
                await runtime.ingestor.submit(event)
            else:
                await runtime.webchat.accept(customers[sent % 40], text=text)
            sent += 1
    finally:
        await runtime.close()
    return sent


def _drained(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            pending = conn.scalar(select(func.count()).where(inbound_events.c.status != "done"))
            unsent = conn.scalar(select(func.count()).where(outbox.c.status != "sent"))
    finally:
        engine.dispose()
    return pending == 0 and unsent == 0


def _verify(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            inbound_total = conn.scalar(select(func.count()).select_from(inbound_events))
            logged_in = conn.scalar(
                select(func.count(func.distinct(events.c.inbound_id))).where(
                    events.c.kind == "message.in"
                )
            )
            logged_twice = conn.scalar(
                text(
                    "SELECT count(*) FROM (SELECT inbound_id FROM events WHERE kind='message.in'"
                    " GROUP BY inbound_id HAVING count(*) > 1) AS twice"
                )
            )
            answered = conn.scalar(select(func.count(func.distinct(outbox.c.inbound_id))))
            two_sets = conn.scalar(
                text(
                    "SELECT count(*) FROM (SELECT inbound_id FROM outbox GROUP BY inbound_id"
                    " HAVING count(DISTINCT created_at) > 1) AS sets"
                )
            )
            webchat_rows = conn.scalar(select(func.count()).where(outbox.c.channel == "webchat"))
            delivered = conn.scalar(select(func.count()).where(webchat_messages.c.sender == "bot"))
            messenger_ids = set(
                conn.scalars(select(outbox.c.id).where(outbox.c.channel == "messenger"))
            )
    finally:
        engine.dispose()
    return {
        "inbound": int(inbound_total or 0),
        "logged_once": int(logged_in or 0),
        "logged_twice": int(logged_twice or 0),
        "answered": int(answered or 0),
        "answered_twice": int(two_sets or 0),
        "replies": int(webchat_rows or 0),
        "delivered": int(delivered or 0),
        "messenger_replies": messenger_ids,  # type: ignore[dict-item]
    }


def test_sigkilled_workers_lose_no_event_and_answer_none_twice(
    postgres_url: str, tmp_path: Path
) -> None:
    require_service("Redis", "127.0.0.1", 6379)
    truncate(postgres_url)
    bot = tmp_path / "bot"
    scaffold(bot, "Crashtest")
    graph = GraphApi()
    graph.start()
    for psid in PSIDS:
        graph.messenger_user_wrote(psid)
    env = {
        **os.environ,
        "THEKE_MESSENGER_API_BASE": graph.base_url,
        "THEKE_MESSENGER_PAGE_ACCESS_TOKEN": graph.page_token,
        "THEKE_MESSENGER_PAGE_ID": graph.page_id,
        "THEKE_MESSENGER_APP_SECRET": "crash-test-secret",
        "THEKE_BOT": str(bot),
        "THEKE_DATABASE_URL": POSTGRES_URL,
        "THEKE_REDIS_URL": REDIS_URL,
        "THEKE_LEASE_SECONDS": "1",
        "THEKE_SEND_CLAIM_SECONDS": "1",
        "THEKE_POLL_INTERVAL": "0.1",
        "THEKE_LOG_LEVEL": "WARNING",
    }
    log = tmp_path / "workers.log"
    workers = [_start_worker(env, log) for _ in range(2)]
    settings = Settings(bot=bot, database_url=POSTGRES_URL, redis_url=REDIS_URL)
    seed = random.randrange(1_000_000)
    chooser = random.Random(seed)
    stop_at = time.monotonic() + SECONDS
    produced: list[int] = []
    producer = threading.Thread(
        target=lambda: produced.append(asyncio.run(_produce(settings, stop_at)))
    )
    producer.start()
    try:
        time.sleep(1.0)
        for _ in range(KILLS):
            time.sleep(chooser.uniform(0.05, (SECONDS - 1.5) / KILLS * 2 - 0.05))
            victim = chooser.randrange(len(workers))
            workers[victim].send_signal(signal.SIGKILL)
            workers[victim].wait()
            workers[victim] = _start_worker(env, log)
        producer.join()
        deadline = time.monotonic() + 60
        while not _drained(postgres_url):
            assert time.monotonic() < deadline, "the queues did not drain after the kills"
            time.sleep(0.5)
        report = _verify(postgres_url)
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
        graph.close()
    resumed = log.read_text(errors="replace").count("theke.worker.dispatcher.resend")
    messenger = report.pop("messenger_replies")
    arrived = Counter(
        int(call.body["message"]["metadata"].removeprefix("theke:"))
        for call in graph.sent
        if "message" in call.body
    )
    twice = sum(1 for outbox_id in messenger if arrived[outbox_id] > 1)
    print(
        f"\ncrash test (seed {seed}): {KILLS} kills, {produced[0]} messages, {report}; "
        f"{resumed} replies were in flight at a kill and claimed again; "
        f"{len(messenger)} Messenger replies, {twice} of them arrived twice"
    )
    assert messenger and all(arrived[outbox_id] >= 1 for outbox_id in messenger)  # none lost
    assert report["inbound"] == produced[0]
    assert report["logged_once"] == report["inbound"]  # no event lost
    assert report["logged_twice"] == 0  # no turn committed twice
    assert report["answered"] == report["inbound"]
    assert report["answered_twice"] == 0  # exactly one set of replies per event
    assert report["delivered"] == report["replies"]  # web chat delivery: none lost, none twice
