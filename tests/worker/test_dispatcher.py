"""Delivery: retries with backoff, Retry-After, dead letters, order within a conversation."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from theke.channels.base import InboundEvent
from theke.content import Content
from theke.errors import DeliveryError, RateLimited, RecipientUnavailable
from theke.outreach.policy import SEND, Allow
from theke.runtime import Runtime
from theke.store.schema import outbox, utcnow
from theke.worker.dispatcher import Backoff


class Channel:
    """A test channel that fails as told, then accepts (like a platform's send API)."""

    channel = "testchan"

    def __init__(self) -> None:
        self.failures: list[Exception] = []
        self.delivered: list[int] = []

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.delivered.append(outbox_id)


@pytest.fixture
async def channel_runtime(database_url: str) -> AsyncIterator[tuple[Runtime, Channel]]:
    channel = Channel()
    runtime = await Runtime.open(
        make_settings(database_url, send_max_attempts=3),
        senders={"testchan": channel},
        migrate=False,
    )
    try:
        yield runtime, channel
    finally:
        await runtime.close()


async def _say(runtime: Runtime, text: str, sender: str = "u1") -> None:
    event = InboundEvent(
        channel="testchan",
        event_id=secrets.token_hex(8),
        sender=sender,
        kind="message",
        received_at=utcnow(),
        text=text,
    )
    await runtime.ingestor.submit(event)
    await runtime.turns("w").run_once()


async def _dispatch_until(runtime: Runtime, done: Callable[[list[str]], bool]) -> None:
    """Let the dispatcher work (retries included) until the outbox statuses satisfy ``done``."""
    dispatcher = runtime.dispatcher("w")
    for _ in range(60):
        await dispatcher.run_once()
        if done([status for status, _, _ in await _statuses(runtime)]):
            return
        await asyncio.sleep(0.05)


async def _statuses(runtime: Runtime) -> list[tuple[str, int, str | None]]:
    with runtime.db.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.status, outbox.c.attempts, outbox.c.error_code).order_by(outbox.c.id)
        )
        return [(row.status, row.attempts, row.error_code) for row in rows]


async def test_rate_limited_sends_wait_for_retry_after_then_go_out(
    channel_runtime: tuple[Runtime, Channel],
) -> None:
    runtime, channel = channel_runtime
    channel.failures.append(RateLimited("slow down", retry_after=0.2))
    await _say(runtime, "Hallo")
    dispatcher = runtime.dispatcher("w")

    await dispatcher.run_once()
    status, attempts, code = (await _statuses(runtime))[0]
    assert (status, attempts, code) == ("pending", 1, "rate_limited")
    assert channel.delivered == []

    assert await dispatcher.run_once() == 0  # not due yet: Retry-After is honoured
    await asyncio.sleep(0.5)
    await dispatcher.run_once()
    assert [s for s, _, _ in await _statuses(runtime)] == ["sent"] * len(await _statuses(runtime))
    assert len(channel.delivered) >= 1


async def test_a_permanent_error_dead_letters_at_once_and_keeps_the_error(
    channel_runtime: tuple[Runtime, Channel],
) -> None:
    runtime, channel = channel_runtime
    channel.failures.append(RecipientUnavailable("the customer blocked the page"))
    await _say(runtime, "Hallo")
    await runtime.dispatcher("w").run_once()
    status, attempts, code = (await _statuses(runtime))[0]
    assert (status, attempts, code) == ("dead", 1, "recipient_unavailable")


async def test_retries_stop_after_the_bound(channel_runtime: tuple[Runtime, Channel]) -> None:
    runtime, channel = channel_runtime
    channel.failures.extend(DeliveryError("HTTP 503") for _ in range(10))
    await _say(runtime, "Hallo")
    await _dispatch_until(runtime, lambda statuses: statuses[0] == "dead")
    status, attempts, code = (await _statuses(runtime))[0]
    assert (status, attempts, code) == ("dead", 3, "delivery_failed")


async def test_later_messages_never_overtake_a_retried_one(
    channel_runtime: tuple[Runtime, Channel],
) -> None:
    runtime, channel = channel_runtime
    await _say(runtime, "Hallo")
    channel.failures.append(DeliveryError("HTTP 500"))
    await _say(runtime, "Versand?")
    await _say(runtime, "danke")
    await _dispatch_until(runtime, lambda statuses: all(s == "sent" for s in statuses))
    with runtime.db.engine.connect() as conn:
        order = list((conn.execute(select(outbox.c.id).order_by(outbox.c.id))).scalars())
    assert channel.delivered == order  # each once, in the order the bot said them
    attempts = [attempts for _, attempts, _ in await _statuses(runtime)]
    assert 2 in attempts  # the failed one was retried, and nothing after it went first


def test_backoff_grows_exponentially_with_jitter_and_is_capped() -> None:
    backoff = Backoff(base=1.0, cap=30.0)
    for attempt in range(1, 10):
        delay = backoff.delay(attempt)
        ceiling = min(30.0, 2.0**attempt)
        assert ceiling / 2 <= delay <= ceiling
    assert 5.0 <= backoff.delay(3, retry_after=5.0) <= 6.0


async def test_a_sender_bug_is_retried_then_dead_lettered_and_sends_nothing_twice(
    channel_runtime: tuple[Runtime, Channel],
) -> None:
    runtime, channel = channel_runtime
    channel.failures.extend(ConnectionResetError("peer reset") for _ in range(5))
    await _say(runtime, "Hallo")
    await _dispatch_until(runtime, lambda statuses: statuses[0] == "dead")
    assert (await _statuses(runtime))[0] == ("dead", 3, "internal")
    assert channel.delivered == []


async def test_a_slow_platform_keeps_its_claim_so_no_one_sends_twice(database_url: str) -> None:
    class Slow(Channel):
        async def send(
            self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
        ) -> None:
            await asyncio.sleep(1.0)  # longer than the claim (0.3 s) lasts
            self.delivered.append(outbox_id)

    slow = Slow()
    runtime = await Runtime.open(
        make_settings(database_url, send_claim_seconds=0.3),
        senders={"testchan": slow},
        migrate=False,
    )
    try:
        await _say(runtime, "Hallo")
        first = asyncio.create_task(runtime.dispatcher("one").run_once())
        await asyncio.sleep(0.6)  # the first claim would have lapsed by now
        assert await runtime.dispatcher("two").run_once() == 0
        await first
        assert len(slow.delivered) == len(set(slow.delivered)) >= 1
        assert {status for status, _, _ in await _statuses(runtime)} == {"sent"}
    finally:
        await runtime.close()
