"""Conversation tests: ``tests/*.yml`` in a bot folder, run in-process against the engine.

A file is a list of stories; a story is a list of steps. A step is what the
customer does — ``user: text``, ``tap: PAYLOAD`` or ``wait: 2h`` — and what
the bot must do in answer::

    - story: Laufschuhe mit Budget
      steps:
        - user: Habt ihr Laufschuhe unter 100 Euro in 43?
          bot:
            - type: carousel
            - text: /passend|gefunden/
          slots: {category: running, size: 43}
          flow: null

``bot`` lists messages that must come, in this order (others may come in
between): ``text`` is contained (ignoring case) or, between slashes, a regular
expression; ``type`` is the content type. ``intent``, ``response`` (a response
key sent), ``slots`` (each given slot has that value), ``flow`` (the running
flow, ``null`` for none) and ``handoff`` check the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from theke.bot.yamlsource import Loc, YamlDocument, read_yaml, validate_at
from theke.content import Content, to_json
from theke.dialogue import Engine, Inbound, Turn
from theke.errors import BotFolderError

__all__ = ["Expectation", "Story", "StoryResult", "load_stories", "run_stories"]

_START = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|min|h|d)\s*$")
_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


class _Schema(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class MessageCheck(_Schema):
    text: str | None = None
    type: str | None = None


class Expectation(_Schema):
    """One step: what the customer does, and what must follow."""

    user: str | None = None
    tap: str | None = None
    wait: str | None = None
    bot: tuple[MessageCheck, ...] = ()
    intent: str | None = None
    response: str | None = None
    slots: dict[str, Any] = Field(default_factory=dict)
    flow: str | None = "__any__"
    handoff: bool | None = None


class _StorySchema(_Schema):
    story: Annotated[str, Field(min_length=1)]
    language: str | None = None
    customer: dict[str, Any] = Field(default_factory=dict)
    steps: tuple[Expectation, ...] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Story:
    name: str
    path: Path
    line: int | None
    steps: tuple[Expectation, ...]
    lines: tuple[int | None, ...]
    customer: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None


@dataclass(frozen=True, slots=True)
class StoryResult:
    story: Story
    failure: str | None  # a readable diff, or None when the story passed
    seconds: float

    @property
    def passed(self) -> bool:
        return self.failure is None


def load_stories(folder: Path) -> list[Story]:
    """Every story in the bot folder's ``tests/*.yml``."""
    directory = folder / "tests"
    stories: list[Story] = []
    if directory.is_dir():
        for path in sorted(directory.glob("*.yml")):
            stories.extend(_read(read_yaml(path)))
    return stories


def _read(doc: YamlDocument) -> Iterator[Story]:
    if doc.data is None:
        return
    if not isinstance(doc.data, list):
        raise doc.error((), "a test file is a list of stories", "start each with `- story: name`")
    for index, raw in enumerate(doc.data):
        schema = validate_at(doc, (index,), raw, _StorySchema)
        for number, step in enumerate(schema.steps):
            _check_step(doc, (index, "steps", number), step)
        yield Story(
            name=schema.story,
            path=doc.path,
            line=doc.line((index,)),
            steps=schema.steps,
            lines=tuple(doc.line((index, "steps", n)) for n in range(len(schema.steps))),
            customer=schema.customer,
            language=schema.language,
        )


def _check_step(doc: YamlDocument, loc: Loc, step: Expectation) -> None:
    actions = [name for name in ("user", "tap", "wait") if getattr(step, name) is not None]
    if len(actions) != 1:
        problem = "a step needs exactly one of `user`, `tap` or `wait`"
        raise doc.error(loc, problem, "write what the customer does, like `- user: Hallo`")
    if step.wait is not None and _DURATION.match(step.wait) is None:
        raise doc.error(
            (*loc, "wait"), f"`{step.wait}` is not a duration", "write e.g. `30m`, `2h`, `1d`"
        )
    for number, check in enumerate(step.bot):
        if (
            check.text
            and len(check.text) > 1
            and check.text.startswith("/")
            and check.text.endswith("/")
        ):
            try:
                re.compile(check.text[1:-1])
            except re.error as exc:
                raise doc.error(
                    (*loc, "bot", number, "text"), f"bad regular expression: {exc}", "fix it"
                ) from exc


def run_stories(engine: Engine, stories: Sequence[Story]) -> list[StoryResult]:
    """Run each story in a fresh conversation; a failure stops that story at its step."""
    import time

    results: list[StoryResult] = []
    for number, story in enumerate(stories):
        began = time.perf_counter()
        failure = _run(engine, story, f"test:{number}")
        results.append(StoryResult(story, failure, time.perf_counter() - began))
    return results


def _run(engine: Engine, story: Story, key: str) -> str | None:
    state: dict[str, Any] = {"language": story.language} if story.language else {}
    customer = dict(story.customer)
    now = _START
    for step, line in zip(story.steps, story.lines, strict=True):
        if step.wait is not None:
            now += _duration(step.wait)
            continue
        inbound = Inbound(text=step.user) if step.user is not None else Inbound(postback=step.tap)
        try:
            turn = engine.handle(state, inbound, conversation_key=key, customer=customer, now=now)
        except Exception as exc:  # a bot bug is a failed test, with what raised
            return f"{_where(story, line)}: the bot raised {type(exc).__name__}: {exc}"
        state = turn.state
        if turn.profile is not None:
            customer = turn.profile
        now += timedelta(seconds=30)
        problems = list(_compare(step, turn))
        if problems:
            said = step.user if step.user is not None else f"[tap {step.tap}]"
            return _report(story, line, said, problems, turn)
    return None


def _compare(step: Expectation, turn: Turn) -> Iterator[str]:
    yield from _messages(step.bot, turn.replies)
    events = turn.events
    if step.intent is not None:
        got = next((data.get("intent") for kind, data in events if kind == "nlu"), None)
        if got != step.intent:
            yield f"intent: expected {step.intent}, got {got}"
    if step.response is not None:
        sent = [data.get("key") for kind, data in events if kind == "response"]
        if step.response not in sent:
            yield f"response: expected {step.response}, sent {', '.join(map(str, sent)) or 'none'}"
    slots = turn.state.get("slots") or {}
    for name, expected in step.slots.items():
        if not _same(slots.get(name), expected):
            yield f"slot {name}: expected {expected!r}, got {slots.get(name)!r}"
    if step.flow != "__any__":
        stack = turn.state.get("stack") or []
        running = stack[-1]["flow"] if stack else None
        if running != step.flow:
            yield f"flow: expected {step.flow or 'none'}, running {running or 'none'}"
    if step.handoff is not None and turn.handoff != step.handoff:
        yield f"handoff: expected {step.handoff}, got {turn.handoff}"


def _messages(checks: Sequence[MessageCheck], replies: Sequence[Content]) -> Iterator[str]:
    position = 0
    for check in checks:
        while position < len(replies) and not _matches(check, replies[position]):
            position += 1
        if position == len(replies):
            yield f"bot: expected a message {_describe(check)} (in this order)"
            return
        position += 1


def _matches(check: MessageCheck, content: Content) -> bool:
    if check.type is not None and content.type != check.type:
        return False
    if check.text is None:
        return True
    text = _text_of(content)
    pattern = check.text
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        return re.search(pattern[1:-1], text, re.IGNORECASE) is not None
    return pattern.casefold() in text.casefold()


def _text_of(content: Content) -> str:
    data = to_json(content)
    parts = [str(data.get(key) or "") for key in ("text", "caption", "title", "subtitle")]
    for card in data.get("cards") or []:
        parts.extend(str(card.get(key) or "") for key in ("title", "subtitle"))
    return " ".join(part for part in parts if part)


def _same(got: object, expected: object) -> bool:
    if isinstance(got, int | float) and isinstance(expected, int | float | str):
        try:
            return float(got) == float(expected)
        except ValueError:
            return False
    if isinstance(got, dict) and isinstance(expected, dict):
        return all(_same(got.get(key), value) for key, value in expected.items())
    return got == expected


def _describe(check: MessageCheck) -> str:
    parts = [
        f"of type {check.type}" if check.type else "",
        f"with text {check.text!r}" if check.text else "",
    ]
    return " ".join(part for part in parts if part) or "(any)"


def _report(story: Story, line: int | None, said: str, problems: list[str], turn: Turn) -> str:
    lines = [f"{_where(story, line)}: customer: {said}"]
    lines += [f"  - {problem}" for problem in problems]
    lines.append("  the bot answered:")
    for reply in turn.replies:
        lines.append(f"    [{reply.type}] {_text_of(reply)[:300]}")
    if not turn.replies:
        lines.append("    (nothing)")
    return "\n".join(lines)


def _where(story: Story, line: int | None) -> str:
    return f"{story.path.name} line {line} (story “{story.name}”)"


def _duration(text: str) -> timedelta:
    match = _DURATION.match(text)
    if match is None:  # checked when the file was read
        raise BotFolderError("", None, f"`{text}` is not a duration", "write e.g. `30m`")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])
