"""The inbox benchmark on a tiny SQLite data set: its bulk-loaded rows are what the store
writes for the same messages, and a short run writes a well-formed result."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import inbox as bench
import pytest
from _inbox_data import LONG, Dataset, entry, generate
from sqlalchemy import Connection, Engine, create_engine, func, select, update

from theke.inbox.passwords import hash_password
from theke.store import log
from theke.store.migrate import upgrade
from theke.store.schema import (
    conversations,
    customers,
    events,
    identities,
    message_search,
    users,
)
from theke.store.search import matching_conversations

CONVERSATIONS, MESSAGES, SEED = 200, 4000, 5
END = datetime(2026, 11, 1, tzinfo=UTC)
_INBOX: tuple[str, ...] = ("mode", "assigned_to", "last_message_at", "preview")
_INBOX += ("inbound_count", "waiting_since", "closed_at")


@pytest.fixture(scope="module")
def data() -> Dataset:
    return generate(CONVERSATIONS, MESSAGES, SEED, END)


def test_the_data_has_the_counts_and_the_long_tail_asked_for(data: Dataset) -> None:
    lengths = sorted(len(thread.messages) for thread in data.threads)
    assert len(lengths) == CONVERSATIONS and sum(lengths) == MESSAGES == len(data.order)
    assert LONG in lengths and lengths[-2] < LONG  # one in 400, at least one
    assert lengths[len(lengths) // 2] in range(5, 31)
    summary = data.summary()
    assert 0 < summary["human"] < CONVERSATIONS * 0.15 and summary["closed"] > 0
    assert summary["gave_email"] > 0 and summary["messages_5_to_30"] > CONVERSATIONS / 2
    stamps = [data.threads[t].messages[m].at for t, m in data.order]
    assert stamps == sorted(stamps) and stamps[-1] < END
    assert generate(CONVERSATIONS, MESSAGES, SEED, END) == data
    assert generate(CONVERSATIONS, MESSAGES, SEED + 1, END) != data


def test_the_bulk_load_writes_what_logging_each_message_writes(
    tmp_path: Path, data: Dataset
) -> None:
    bulk, replayed = f"sqlite:///{tmp_path / 'bulk.db'}", f"sqlite:///{tmp_path / 'log.db'}"
    team = bench.load(bulk, data, hash_password(bench.PASSWORD))
    upgrade(replayed)
    one, other = create_engine(bulk), create_engine(replayed)
    try:
        with other.begin() as conn:
            _replay(conn, one, data, team)
        with one.connect() as a, other.connect() as b:
            for table, key in ((events, events.c.id), (message_search, message_search.c.event_id)):
                assert _rows(a, select(table).order_by(key)) == _rows(
                    b, select(table).order_by(key)
                )
            inbox = select(*(conversations.c[name] for name in _INBOX)).order_by(conversations.c.id)
            assert _rows(a, inbox) == _rows(b, inbox)
            for word in bench.SEARCH_WORDS:  # the word index filled by the migration's trigger
                assert matching_conversations(a, word) == matching_conversations(b, word)
            assert matching_conversations(a, "retoure")
            count = a.execute(select(func.count()).select_from(conversations)).scalar_one()
            assert count == CONVERSATIONS
            emails = a.execute(select(customers.c.id, customers.c.email)).all()
            gave = {t.customer_id: t.profile["email"] for t in data.threads if t.profile}
            assert {row.id: row.email for row in emails if row.email} == gave  # for the search
    finally:
        one.dispose()
        other.dispose()


def _replay(conn: Connection, bulk: Engine, data: Dataset, team: tuple[str, ...]) -> None:
    """The same people, and each message through ``log.append`` in time order; the hand-over
    and the closing as ``set_mode`` and ``handling.close`` do them, at the data's times
    (those stamp the clock's time)."""
    with bulk.connect() as source:
        for table in (users, customers, identities):
            conn.execute(table.insert(), _rows(source, select(table)))
    conn.execute(
        conversations.insert(),
        [
            {"id": t.id, "key": f"{t.channel}:{t.external_id}", "customer_id": t.customer_id,
             "channel": t.channel, "external_id": t.external_id, "mode": "bot", "state": {},
             "created_at": t.messages[0].at, "updated_at": t.messages[0].at}
            for t in data.threads
        ],
    )  # fmt: skip
    c = conversations.c
    for number, position in data.order:
        thread = data.threads[number]
        message = thread.messages[position]
        log.append(conn, [entry(thread, message, team)])
        if position == thread.handover:
            assigned = team[thread.assignee] if thread.assignee is not None else None
            waiting = func.coalesce(c.waiting_since, message.at)
            conn.execute(
                update(conversations)
                .where(c.id == thread.id)
                .values(mode="human", assigned_to=assigned, waiting_since=waiting)
            )
        if position == len(thread.messages) - 1 and thread.closed_at is not None:
            conn.execute(
                update(conversations)
                .where(c.id == thread.id)
                .values(
                    mode="bot", assigned_to=None, waiting_since=None, closed_at=thread.closed_at
                )
            )


def _rows(conn: Connection, statement: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in conn.execute(statement)]


def test_a_short_run_measures_every_scenario_and_reports_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inbox.json"
    args = ["--db", "sqlite", "--conversations", str(CONVERSATIONS), "--messages", str(MESSAGES)]
    args += ["--seed", str(SEED), "--requests", "5", "--warmup", "1", "--out", str(out)]
    assert bench.main(args) == 0
    result = json.loads(out.read_text())
    assert result["benchmark"] == "inbox" and result["cores"] >= 1
    assert (result["conversations"], result["messages"], result["requests"]) == (200, 4000, 5)
    [sqlite] = result["databases"]
    assert sqlite["db"] == "sqlite" and sqlite["load_s"] > 0 and sqlite["size_mb"] > 0
    by_name = {scenario["scenario"]: scenario for scenario in sqlite["scenarios"]}
    assert list(by_name) == ["waiting", "all", "search_word", "search_email", "conversation"]
    for scenario in by_name.values():
        latency = scenario["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["p99"] <= latency["max"]
        assert scenario["target_met"] == (latency["p95"] < result["target_p95_ms"])
        assert all(shown > 0 for shown in scenario["shown"].values()), scenario
        assert scenario["other_cpu_percent"] >= 0
    assert set(by_name["conversation"]["shown"].values()) == {LONG}  # the newest 500 messages
    assert len(by_name["search_word"]["shown"]) == len(bench.SEARCH_WORDS)
    counts = sqlite["search_words"]
    assert set(counts) == set(bench.SEARCH_WORDS)
    assert all(0 < c["messages"] == round(c["share"] * MESSAGES) for c in counts.values())

    printed = capsys.readouterr().out
    assert printed.startswith("## Inbox:")
    assert printed.count("| sqlite |") == 5
    assert printed.count(f"{result['cores']} cores, other processes") == 5
    assert "200 conversations" in " ".join(printed.split())
