"""The agent inbox under a big shop's data: the list, the search and a long conversation.

python bench/inbox.py                      # 100,000 conversations, 2,000,000 messages, both dbs
python bench/inbox.py --quick              # 10,000 conversations, 200,000 messages
python bench/inbox.py --db sqlite --conversations 50000 --messages 1000000

The data (``_inbox_data``, its docstring says how it is drawn) is loaded in bulk into a
fresh SQLite file or a PostgreSQL database of the benchmark's own (``theke_bench_inbox``,
created and dropped here), every inbox column and search row as the store would have
written them. Then the real app runs in-process (``create_app`` on a ``Runtime`` with the
demo bot, no worker) and one signed-in agent asks it, through ``httpx.ASGITransport``,
for each scenario: 10 warm-up requests, then 100 measured. The time of a request is
taken around the client call: routing, the session check, the database, the rendering
(no network). The list views are one address each; the searches cycle through several
words and e-mail addresses, the long conversation through several conversations, so the
database cannot answer one cached query. The target (issue): p95 under 200 ms for each.

The generated data stays in the benchmark's process (for the next database), which a
server's would not hold: ``gc.freeze()`` keeps Python's collector from walking its
millions of objects during the requests (without it, about one request in 500 took 0.7 s
more, a full collection). "Other processes" in the result is the CPU the rest of the
machine used meanwhile (not this process, not the PostgreSQL server for it): where it is
high, the run shared the cores.

The result goes to bench/results/inbox.json; its section of BENCHMARKS.md is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import platform
import re
import socket
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from _errors import BenchError
from _inbox_data import LONG, TEAM, Dataset, Thread, entry, generate, inbox_row, search_body
from _machine import REPO, cpu_model, git_commit, machine_cpu_seconds, now_iso, tree_cpu_seconds
from _report import inbox_section
from _stats import percentile
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from theke.inbox.passwords import hash_password
from theke.observability import configure_logging
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.settings import Settings, sqlalchemy_url
from theke.store import users
from theke.store.customers import contact_of
from theke.store.log import row as event_row
from theke.store.migrate import upgrade
from theke.store.schema import conversations, customers, events, identities, message_search

__all__ = ["SEARCH_WORDS", "Config", "load", "main", "measure", "run", "scenarios"]

OUT = REPO / "bench" / "results" / "inbox.json"
DEMO_BOT = REPO / "examples" / "sneakershop"
TARGET_P95_MS = 200.0
SEARCH_WORDS = ("retoure", "wasserdicht", "gutschein", "mahnung", "kiel")
"""What agents search for; each is in roughly 0.1–1 % of the messages (the result says)."""
PASSWORD = "Kiesel Laterne Honig Brücke"  # noqa: S105 - the benchmark's own agent
_PG_DATABASE = "theke_bench_inbox"
_BASE = "http://127.0.0.1:8000"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_VARIANTS = 10  # e-mail addresses and long conversations to cycle through
_CHUNK, _COMMIT_EVERY = 10_000, 20  # rows per statement, statements per transaction
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Config:
    conversations: int
    messages: int
    seed: int
    dbs: tuple[str, ...]
    postgres_url: str
    warmup: int = 10
    requests: int = 100


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    label: str
    paths: tuple[str, ...]


# --- loading ---------------------------------------------------------------------------------


def load(url: str, data: Dataset, password_hash: str) -> tuple[str, ...]:
    """Migrate the empty database at ``url`` and write ``data`` into it; the team's user ids.

    SQLite: ``synchronous=OFF``, the journal in memory and a 256 MB cache on the loading
    connection only; the search index fills through the migration's trigger. PostgreSQL:
    the word index is dropped for the load and built again after, then VACUUM ANALYZE
    (what autovacuum would have done to a database that grew by itself).
    """
    upgrade(url)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _fast_sqlite)
    try:
        with engine.begin() as conn:
            team = tuple(users.add(conn, email, "agent", password_hash).id for email in TEAM)
            _people(conn, data, team)
        index = _drop_word_index(engine)
        _messages(engine, data, team)
        _finish(engine, index)
    finally:
        engine.dispose()
    return team


def _fast_sqlite(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    for pragma in ("synchronous=OFF", "journal_mode=MEMORY", "cache_size=-262144"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _people(conn: Connection, data: Dataset, team: Sequence[str]) -> None:
    for chunk in _chunks(data.threads):
        conn.execute(customers.insert(), [_customer(t) for t in chunk])
        conn.execute(identities.insert(), [_identity(t) for t in chunk])
        conn.execute(conversations.insert(), [_conversation(t, team) for t in chunk])


def _customer(thread: Thread) -> dict[str, Any]:
    email, phone = contact_of(thread.profile)  # as conversations.save_profiles keeps them
    return {
        "id": thread.customer_id,
        "created_at": thread.messages[0].at,
        "last_seen_at": max(m.at for m in thread.messages if m.inbound),
        "language": thread.language,
        "profile": thread.profile,
        "email": email,
        "phone": phone,
    }


def _identity(thread: Thread) -> dict[str, Any]:
    return {
        "channel": thread.channel,
        "external_id": thread.external_id,
        "customer_id": thread.customer_id,
        "created_at": thread.messages[0].at,
    }


def _conversation(thread: Thread, team: Sequence[str]) -> dict[str, Any]:
    return {
        "id": thread.id,
        "key": f"{thread.channel}:{thread.external_id}",
        "customer_id": thread.customer_id,
        "channel": thread.channel,
        "external_id": thread.external_id,
        "state": {"introduced": False} if thread.closed_at is not None else {},
        "created_at": thread.messages[0].at,
        "updated_at": thread.closed_at or thread.messages[-1].at,
        **inbox_row(thread, team),
    }


def _messages(engine: Engine, data: Dataset, team: Sequence[str]) -> None:
    """The log and the search rows in id order; a transaction per ``_COMMIT_EVERY`` chunks."""
    numbered = enumerate(data.order, start=1)
    for batch in _chunks(_chunks(numbered), _COMMIT_EVERY):
        with engine.begin() as conn:
            for chunk in batch:
                rows, search = [], []
                for event_id, (number, position) in chunk:
                    thread = data.threads[number]
                    message = thread.messages[position]
                    rows.append({"id": event_id, **event_row(entry(thread, message, team))})
                    body = search_body(message)
                    search.append(
                        {"event_id": event_id, "conversation_id": thread.id, "body": body}
                    )
                conn.execute(events.insert(), rows)
                conn.execute(message_search.insert(), search)


def _drop_word_index(engine: Engine) -> str | None:
    """PostgreSQL: drop the GIN index for the load; its definition, to build it again."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.begin() as conn:
        definition = conn.execute(
            text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_message_search_words'")
        ).scalar_one()
        conn.execute(text("DROP INDEX ix_message_search_words"))
    return str(definition)


def _finish(engine: Engine, index: str | None) -> None:
    if index is None:
        return
    with engine.begin() as conn:
        conn.execute(text(index))
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence('events', 'id'), max(id)) FROM events")
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def _chunks(items: Iterable[T], size: int = _CHUNK) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := [item for _, item in zip(range(size), iterator, strict=False)]:
        yield chunk


# --- the databases ---------------------------------------------------------------------------


@contextlib.contextmanager
def _database(db: str, workdir: Path, postgres_url: str) -> Iterator[str]:
    """A URL to an empty database: a file in ``workdir``, or the benchmark's own database
    on the PostgreSQL server (dropped at the end)."""
    if db == "sqlite":
        yield f"sqlite:///{workdir / 'inbox.db'}"
        return
    admin = create_engine(
        sqlalchemy_url(f"{postgres_url.rstrip('/')}/postgres"), isolation_level="AUTOCOMMIT"
    )
    drop = text(f"DROP DATABASE IF EXISTS {_PG_DATABASE} WITH (FORCE)")
    try:
        with admin.connect() as conn:
            conn.execute(drop)
            conn.execute(text(f"CREATE DATABASE {_PG_DATABASE}"))
        yield sqlalchemy_url(f"{postgres_url.rstrip('/')}/{_PG_DATABASE}")
    finally:
        with admin.connect() as conn:
            conn.execute(drop)
        admin.dispose()


def _postgres_reachable(postgres_url: str) -> bool:
    url = make_url(sqlalchemy_url(postgres_url))
    try:
        with socket.create_connection((url.host or "127.0.0.1", url.port or 5432), timeout=1):
            return True
    except OSError:
        return False


def _size_mb(url: str) -> float:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                size = conn.execute(text("SELECT pg_database_size(current_database())"))
                return float(size.scalar_one()) / 1e6
        path = Path(make_url(url).database or "")
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
    finally:
        engine.dispose()


# --- measuring --------------------------------------------------------------------------------


def scenarios(data: Dataset) -> list[Scenario]:
    """The requests of each scenario, cycled through in order."""
    emails = [t.profile["email"] for t in data.threads if "email" in t.profile][:_VARIANTS]
    long = sorted(
        (t for t in data.threads if len(t.messages) >= LONG),
        key=lambda t: len(t.messages) != LONG,  # the one of exactly LONG first
    )[:_VARIANTS]
    return [
        Scenario("waiting", "list, default view (waiting)", ("/inbox",)),
        Scenario("all", "list, all conversations, newest first", ("/inbox?view=all",)),
        Scenario(
            "search_word",
            f"search a word in all ({len(SEARCH_WORDS)} words)",
            tuple(f"/inbox?view=all&q={word}" for word in SEARCH_WORDS),
        ),
        Scenario(
            "search_email",
            f"search an e-mail address a customer gave ({len(emails)} addresses)",
            tuple(f"/inbox?view=all&q={quote(email)}" for email in emails),
        ),
        Scenario(
            "conversation",
            f"a conversation of {LONG}+ messages ({len(long)} conversations, "
            f"{min(len(t.messages) for t in long):,}–{max(len(t.messages) for t in long):,})",
            tuple(f"/inbox/c/{t.id}" for t in long),
        ),
    ]


async def measure(url: str, data: Dataset, config: Config) -> dict[str, Any]:
    """Every scenario through the real app on the loaded database at ``url``."""
    runtime = await Runtime.open(Settings(bot=DEMO_BOT, database_url=url), migrate=False)
    try:
        app = create_app(runtime, run_worker=False)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=_BASE) as client:
            await _sign_in(client)
            measured = [await _scenario(client, s, config) for s in scenarios(data)]
        frequencies = await runtime.db.read(lambda conn: _word_counts(conn, len(data.order)))
    finally:
        await runtime.close()
    return {"scenarios": measured, "search_words": frequencies}


async def _sign_in(client: httpx.AsyncClient) -> None:
    form = await client.get("/inbox/login")
    found = _CSRF.search(form.text)
    if found is None:
        raise BenchError(f"the login page has no CSRF field (status {form.status_code})")
    data = {"csrf": found.group(1), "email": TEAM[0], "password": PASSWORD}
    response = await client.post("/inbox/login", data=data)
    if response.status_code != httpx.codes.SEE_OTHER:
        raise BenchError(f"signing in failed with {response.status_code}")


async def _scenario(
    client: httpx.AsyncClient, scenario: Scenario, config: Config
) -> dict[str, Any]:
    paths = scenario.paths
    shown: dict[str, int] = {}
    for i in range(config.warmup):
        await _get(client, paths[i % len(paths)])
    times = []
    cpu, began = _cpu_seconds(), time.perf_counter()
    for i in range(config.requests):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        response = await client.get(path)
        times.append((time.perf_counter() - started) * 1e3)
        _check(response, path)
        shown.setdefault(path, _shown(response.text))
    others = _others_percent(cpu, _cpu_seconds(), time.perf_counter() - began)
    times.sort()
    latency = {f"p{q}": percentile(times, q) for q in (50, 95, 99)} | {"max": times[-1]}
    return {
        "scenario": scenario.name,
        "label": scenario.label,
        "paths": list(paths),
        "latency_ms": latency,
        "target_met": latency["p95"] < TARGET_P95_MS,
        "shown": shown,
        "other_cpu_percent": others,
    }


async def _get(client: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await client.get(path)
    _check(response, path)
    return response


def _check(response: httpx.Response, path: str) -> None:
    if response.status_code != httpx.codes.OK:
        raise BenchError(f"GET {path} answered {response.status_code}: {response.text[:300]}")


def _shown(page: str) -> int:
    """Conversations on a list page, or messages on a conversation page."""
    return page.count('<li class="conversation') + page.count('<article class="bubble')


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds used so far by the machine, and by this process (with its children)
    and the PostgreSQL server for it."""
    ours = tree_cpu_seconds(os.getpid())
    for process in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if process.name.isdigit() and (process / "comm").read_text().strip() == "postgres":
                ours += _postgres_seconds(process)
    return machine_cpu_seconds(), ours


def _postgres_seconds(process: Path) -> float:
    """A PostgreSQL process's CPU seconds, with those of its ended children (parallel
    workers end within a query); none for a session on another database."""
    command = (process / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    session = "(" in command or "[local]" in command
    if session and f" {_PG_DATABASE} " not in command:
        return 0.0
    stat = (process / "stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _others_percent(before: tuple[float, float], after: tuple[float, float], wall: float) -> float:
    """What other processes used meanwhile, in % of one core: a busy machine slows the run."""
    machine, ours = after[0] - before[0], after[1] - before[1]
    return round(max(0.0, machine - ours) / wall * 100, 1)


def _word_counts(conn: Connection, messages: int) -> dict[str, dict[str, float]]:
    """How many messages the search's own word index finds for each search word."""
    if conn.dialect.name == "sqlite":
        query = text("SELECT count(*) FROM message_search_fts WHERE message_search_fts MATCH :q")
        terms = {word: f'"{word}"*' for word in SEARCH_WORDS}
    else:
        query = text(
            "SELECT count(*) FROM message_search "
            "WHERE to_tsvector('simple', body) @@ to_tsquery('simple', :q)"
        )
        terms = {word: f"{word}:*" for word in SEARCH_WORDS}
    counts = {
        word: int(conn.execute(query, {"q": term}).scalar_one()) for word, term in terms.items()
    }
    return {word: {"messages": n, "share": n / messages} for word, n in counts.items()}


# --- the run -----------------------------------------------------------------------------------


async def run(config: Config, end: datetime | None = None) -> dict[str, Any]:
    """Generate the data, then load and measure it on each database of ``config``."""
    started = time.perf_counter()
    data = generate(config.conversations, config.messages, config.seed, end or _this_hour())
    generate_s = time.perf_counter() - started
    print(f"inbox: generated {config.conversations:,} conversations, {config.messages:,} "
          f"messages in {generate_s:.1f} s", file=sys.stderr)  # fmt: skip
    password_hash = await asyncio.to_thread(hash_password, PASSWORD)
    databases = []
    for db in config.dbs:
        if db == "postgres" and not _postgres_reachable(config.postgres_url):
            reason = f"no PostgreSQL at {config.postgres_url}"
            print(f"inbox: skipped postgres: {reason}", file=sys.stderr)
            databases.append({"db": db, "skipped": reason})
            continue
        databases.append(await _one_database(db, data, password_hash, config))
    return {
        "benchmark": "inbox",
        "cores": os.cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "timestamp": now_iso(),
        "git_commit": git_commit(),
        "conversations": config.conversations,
        "messages": config.messages,
        "seed": config.seed,
        "long_messages": LONG,
        "warmup": config.warmup,
        "requests": config.requests,
        "target_p95_ms": TARGET_P95_MS,
        "data": data.summary(),
        "generate_s": generate_s,
        "databases": databases,
        "total_s": time.perf_counter() - started,
    }


async def _one_database(
    db: str, data: Dataset, password_hash: str, config: Config
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="theke-inbox-") as tmp:
        with _database(db, Path(tmp), config.postgres_url) as url:
            started = time.perf_counter()
            await asyncio.to_thread(load, url, data, password_hash)
            load_s = time.perf_counter() - started
            print(f"inbox: loaded {db} in {load_s:.1f} s", file=sys.stderr)
            # The data stays in this process, a server's would not hold it: keep the
            # collector from walking its millions of objects in a measured request.
            gc.collect()
            gc.freeze()
            try:
                measured = await measure(url, data, config)
            finally:
                gc.unfreeze()
            size = await asyncio.to_thread(_size_mb, url)
    for scenario in measured["scenarios"]:
        latency = scenario["latency_ms"]
        print(f"inbox: {db} {scenario['scenario']}: p50 {latency['p50']:.1f} ms, "
              f"p95 {latency['p95']:.1f} ms", file=sys.stderr)  # fmt: skip
    return {"db": db, "load_s": load_s, "size_mb": size, **measured}


def _this_hour() -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


# --- the command ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--conversations", type=int, default=None, help="default 100,000")
    parser.add_argument("--messages", type=int, default=None, help="default 2,000,000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="10,000 / 200,000 by default")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    scale = (10_000, 200_000) if args.quick else (100_000, 2_000_000)
    config = Config(
        conversations=args.conversations or scale[0],
        messages=args.messages or scale[1],
        seed=args.seed,
        dbs=("sqlite", "postgres") if args.db == "both" else (args.db,),
        postgres_url=args.postgres_url,
        warmup=args.warmup,
        requests=args.requests,
    )
    configure_logging("WARNING")
    try:
        result = asyncio.run(run(config))
    except BenchError as exc:
        print(f"inbox: {exc}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(inbox_section(result))
    print(f"wrote {args.out} in {result['total_s']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
