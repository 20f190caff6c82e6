"""``theke chat``: talk to a bot in the terminal, or drive it with JSON lines."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import IO, Any

from theke.channels.console import CHANNEL, ConsoleSender, console_event
from theke.content import Content, as_plain_text, numbered_choices, to_json
from theke.runtime import Runtime, worker_id
from theke.settings import Settings

__all__ = ["run_chat"]

_MAX_LINE = 64 * 1024


async def run_chat(
    settings: Settings, *, jsonl: bool, customer: str, stdin: IO[str], stdout: IO[str]
) -> int:
    """Run the conversation loop; returns the exit code."""
    shown: list[tuple[str, Content]] = []
    runtime = await Runtime.open(
        settings,
        senders={CHANNEL: ConsoleSender(lambda who, content: shown.append((who, content)))},
        migrate=True,
    )
    try:
        turn = _Turn(runtime, shown)
        if jsonl:
            return await _jsonl(turn, stdin, stdout)
        return await _interactive(turn, runtime, customer, stdin, stdout)
    finally:
        await runtime.close()


class _Turn:
    """Sends one input through the real pipeline and collects what was delivered."""

    def __init__(self, runtime: Runtime, shown: list[tuple[str, Content]]) -> None:
        owner = worker_id()
        self._ingestor = runtime.ingestor
        self._turns = runtime.turns(owner)
        self._dispatcher = runtime.dispatcher(owner)
        self._shown = shown

    async def __call__(
        self, customer: str, *, text: str | None = None, postback: str | None = None
    ) -> list[Content]:
        await self._ingestor.submit(console_event(customer, text=text, postback=postback))
        while await self._turns.run_once() + await self._dispatcher.run_once():
            pass
        delivered = [content for who, content in self._shown if who == customer]
        self._shown.clear()
        return delivered


def _write(stdout: IO[str], record: dict[str, Any]) -> None:
    stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
    stdout.flush()


def _parse_line(line: str, number: int) -> tuple[str, dict[str, str]] | str:
    """(customer, {"text"|"postback": value}) or an error message naming the line."""
    if len(line) > _MAX_LINE:
        return f"line {number}: longer than {_MAX_LINE} characters"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(record, dict):
        return f'line {number}: expected an object like {{"customer": "c1", "text": "Hallo"}}'
    customer = record.get("customer")
    if not isinstance(customer, str) or not customer or len(customer) > 200:
        return f'line {number}: "customer" must be a non-empty string'
    given = {key: record[key] for key in ("text", "postback") if key in record}
    if len(given) != 1 or not all(isinstance(v, str) and v for v in given.values()):
        return f'line {number}: give exactly one of "text" or "postback" as a non-empty string'
    return customer, given


async def _jsonl(turn: _Turn, stdin: IO[str], stdout: IO[str]) -> int:
    failures = 0
    number = 0
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return 1 if failures else 0
        number += 1
        if not line.strip():
            continue
        parsed = _parse_line(line.rstrip("\n"), number)
        if isinstance(parsed, str):
            failures += 1
            _write(stdout, {"error": parsed, "line": number})
            continue
        customer, given = parsed
        for content in await turn(customer, **given):
            _write(stdout, {"customer": customer, "content": to_json(content)})
        _write(stdout, {"customer": customer, "turn_end": True})


async def _interactive(
    turn: _Turn, runtime: Runtime, customer: str, stdin: IO[str], stdout: IO[str]
) -> int:
    language = runtime.bot.config.default_language
    prompt = "Du: " if language == "de" else "You: "
    say: Callable[[str], None] = lambda text: print(text, file=stdout, flush=True)  # noqa: E731
    say(f"{runtime.bot.config.name} — Strg+D / Ctrl+D beendet.")
    choices: dict[str, str] = {}
    while True:
        stdout.write(prompt)
        stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            say("")
            return 0
        text = line.strip()
        if not text:
            continue
        if text in choices:
            replies = await turn(customer, postback=choices[text])
        else:
            replies = await turn(customer, text=text)
        choices = {}
        for content in replies:
            say(f"{runtime.bot.config.persona or 'Bot'}: {as_plain_text(content, language)}")
            choices.update(numbered_choices(content))
