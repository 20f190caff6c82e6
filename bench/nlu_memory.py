"""Resident memory of `theke run` with the demo bot after 10,000 understood messages.

python bench/nlu_memory.py [--messages 10000]

Starts the real server on an empty SQLite database, opens 100 web chat
sessions and posts the messages over HTTP, 16 at a time; the texts are the
xSID German utterances, cycled: questions the demo's keywords do not catch,
so every one goes through the NLU. When
the inbound queue is empty it reads the server's current and peak resident
memory. Writes bench/results/nlu_memory.json.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import nlu_data
from _machine import REPO, now_iso, tree_peak_rss_bytes
from _server import running_server
from _webchat import create_sessions, origin_of

RESULT = REPO / "bench" / "results" / "nlu_memory.json"
_BOT = REPO / "examples" / "sneakershop"
_DEPTH = re.compile(r'^theke_queue_depth\{queue="inbound"\} (\S+)$', re.MULTILINE)


def _texts() -> list[str]:
    return [row["text"] for row in nlu_data.load("xsid-de")]


def _rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def _post_all(base_url: str, tokens: Sequence[str], count: int) -> None:
    texts = itertools.cycle(_texts())
    jobs = iter(zip(itertools.cycle(tokens), texts, range(count), strict=False))
    headers = {"Origin": origin_of(base_url)}
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, trust_env=False, timeout=60
    ) as client:

        async def worker() -> None:
            for token, text, _ in jobs:
                response = await client.post(
                    "/webchat/messages",
                    json={"text": text},
                    headers={"Authorization": f"Bearer {token}"},
                )
                response.raise_for_status()

        await asyncio.gather(*(worker() for _ in range(16)))


async def _drained(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url, trust_env=False) as client:
        while True:
            found = _DEPTH.search((await client.get("/metrics")).text)
            if found and float(found.group(1)) == 0:
                return
            await asyncio.sleep(1)


async def measure(count: int) -> dict[str, object]:
    async with running_server(_BOT, "sqlite", "") as server:
        idle = _rss_bytes(server.pid)
        tokens = await create_sessions(server.base_url, 100)
        started = time.perf_counter()
        await _post_all(server.base_url, tokens, count)
        await _drained(server.base_url)
        seconds = time.perf_counter() - started
        return {
            "benchmark": "nlu_memory",
            "measured_at": now_iso(),
            "messages": count,
            "seconds": seconds,
            "rss_idle_mb": idle / 2**20,
            "rss_after_mb": _rss_bytes(server.pid) / 2**20,
            "rss_peak_mb": tree_peak_rss_bytes(server.pid) / 2**20,
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=10_000)
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.messages))
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
