"""Send rate limits: the waits a sender sees, in one process and shared through Redis."""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as redis
from structlog.testing import capture_logs

from tests.conftest import REDIS_URL, free_port, require_service
from theke.channels.ratelimit import (
    ChannelLimits,
    Limit,
    LocalRateLimiter,
    RedisRateLimiter,
    pass_limits,
)
from theke.errors import ConfigurationError


class FakeTime:
    """A clock and a sleep: the clock moves only when a test (or ``advance``) moves it."""

    def __init__(self, *, sleeping_advances: bool) -> None:
        self.now = 1000.0
        self.slept: list[float] = []
        self._advances = sleeping_advances

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        if self._advances:
            self.now += seconds


def local(fake: FakeTime, **options: float) -> LocalRateLimiter:
    return LocalRateLimiter(clock=fake, sleep=fake.sleep, **options)


async def test_calls_at_once_are_spaced_by_the_rate() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    waits = [await limiter.acquire("whatsapp:1", Limit(2, 1)) for _ in range(5)]
    assert waits == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert fake.slept == [0.5, 1.0, 1.5, 2.0]


async def test_a_sender_that_waits_goes_out_once_per_interval() -> None:
    fake = FakeTime(sleeping_advances=True)
    limiter = local(fake)
    sent_at = []
    for _ in range(5):
        await limiter.acquire("whatsapp:1", Limit(2, 1))
        sent_at.append(fake.now - 1000)
    assert sent_at == [0.0, 0.5, 1.0, 1.5, 2.0]


async def test_concurrent_senders_queue_in_arrival_order() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    waits = await asyncio.gather(*(limiter.acquire("page", Limit(4, 1)) for _ in range(4)))
    assert waits == [0.0, 0.25, 0.5, 0.75]


async def test_a_burst_goes_at_once_and_refills_at_the_rate() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    chat = Limit(1, 3)
    assert [await limiter.acquire("chat", chat) for _ in range(4)] == [0, 0, 0, 1.0]
    fake.now += 2.0  # the queued call went at +1 s; one more second refills one slot
    assert [await limiter.acquire("chat", chat) for _ in range(2)] == [0, 1.0]
    fake.now += 10.0  # a quiet spell refills the whole burst, never more
    assert [await limiter.acquire("chat", chat) for _ in range(4)] == [0, 0, 0, 1.0]


async def test_keys_do_not_hold_each_other_up() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    for _ in range(10):
        await limiter.acquire("telegram:chat:1", Limit(1, 1))
    assert await limiter.acquire("telegram:chat:2", Limit(1, 1)) == 0


async def test_idle_keys_are_forgotten_without_changing_any_wait() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake, sweep_every=60)
    for chat in range(1000):
        await limiter.acquire(f"telegram:chat:{chat}", Limit(1, 3))
    busy = [await limiter.acquire("telegram:chat:busy", Limit(1, 1)) for _ in range(200)]
    assert busy[-1] == 199.0
    assert len(limiter) == 1001

    fake.now += 61
    assert await limiter.acquire("telegram:chat:0", Limit(1, 3)) == 0
    assert len(limiter) == 2  # chat 0 again, and the busy chat whose queue runs on
    assert await limiter.acquire("telegram:chat:busy", Limit(1, 1)) == 200.0 - 61


def test_a_rate_that_lets_nothing_through_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="positive"):
        Limit(0, 1)
    with pytest.raises(ConfigurationError, match="burst"):
        Limit(30, 0)


def test_each_channel_passes_its_platform_limits() -> None:
    limits = ChannelLimits()
    assert limits.limits_for("messenger", "psid-1", "page-9") == [
        ("messenger:page-9", Limit(300, 300))
    ]
    assert limits.limits_for("whatsapp", "4915112345678", "pn-7") == [
        ("whatsapp:pn-7", Limit(80, 80))
    ]
    assert limits.limits_for("telegram", "42", "") == [
        ("telegram:chat:42", Limit(1, 3)),
        ("telegram:all", Limit(30, 30)),
    ]
    assert limits.limits_for("webchat", "visitor", "") == []


def test_settings_override_the_rates() -> None:
    limits = ChannelLimits(whatsapp_rate=1000, telegram_chat_rate=0.5, telegram_chat_burst=1)
    assert limits.limits_for("whatsapp", "4915112345678", "pn-7") == [
        ("whatsapp:pn-7", Limit(1000, 1000))
    ]
    assert limits.limits_for("telegram", "42", "")[0] == ("telegram:chat:42", Limit(0.5, 1))


async def test_a_telegram_answer_of_four_messages_waits_one_second_for_the_fourth() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    limits = ChannelLimits().limits_for("telegram", "42", "")
    assert [await pass_limits(limiter, limits) for _ in range(4)] == [0, 0, 0, 1.0]


async def test_thirty_one_chats_at_once_spill_into_the_next_second() -> None:
    fake = FakeTime(sleeping_advances=False)
    limiter = local(fake)
    limits = ChannelLimits()
    waits = [
        await pass_limits(limiter, limits.limits_for("telegram", str(c), "")) for c in range(31)
    ]
    assert waits[:30] == [0.0] * 30
    assert waits[30] == pytest.approx(1 / 30)


# Redis: two limiters with their own connections stand for two processes.


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    """A key prefix of its own for one test; its keys are deleted after."""
    require_service("Redis", "127.0.0.1", 6379)
    prefix = f"theke:test:rl:{secrets.token_hex(6)}:"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def shared(prefix: str, slept: list[float]) -> RedisRateLimiter:
    async def record(seconds: float) -> None:
        slept.append(seconds)

    return RedisRateLimiter.from_url(REDIS_URL, prefix=prefix, sleep=record)


@pytest.mark.redis
async def test_two_processes_share_one_budget(redis_prefix: str) -> None:
    slept: list[float] = []
    web, worker = shared(redis_prefix, slept), shared(redis_prefix, slept)
    limit = Limit(20, 1)
    try:

        async def send(limiter: RedisRateLimiter) -> list[float]:
            return [await limiter.acquire("whatsapp:pn-7", limit) for _ in range(20)]

        from_web, from_worker = await asyncio.gather(send(web), send(worker))
    finally:
        await web.close()
        await worker.close()
    waits = sorted(from_web + from_worker)
    assert waits.count(0) == 1  # only the very first call goes at once
    assert waits[-1] >= 1.9  # 40 calls at 20/s: the last one 39 intervals (1.95 s) on
    gaps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert (
        min(gaps) > 0.04
    )  # each reservation ~50 ms after the one before, less the time between calls
    assert sorted(slept) == waits[1:]


@pytest.mark.redis
async def test_a_burst_is_shared_between_processes(redis_prefix: str) -> None:
    slept: list[float] = []
    web, worker = shared(redis_prefix, slept), shared(redis_prefix, slept)
    chat = Limit(1, 3)
    try:
        waits = [
            await web.acquire("telegram:chat:42", chat),
            await worker.acquire("telegram:chat:42", chat),
            await web.acquire("telegram:chat:42", chat),
            await worker.acquire("telegram:chat:42", chat),
        ]
    finally:
        await web.close()
        await worker.close()
    assert waits[:3] == [0, 0, 0]
    assert 0.9 < waits[3] <= 1.0


@pytest.mark.redis
async def test_idle_keys_expire_in_redis(redis_prefix: str) -> None:
    limiter = shared(redis_prefix, [])
    client = redis.Redis.from_url(REDIS_URL)
    try:
        # One call a minute: the key must outlive the wait, then go (a 50 ms key could be
        # gone before a loaded machine reads its TTL).
        await limiter.acquire("messenger:page-9", Limit(1 / 60))
        ttl_ms = await client.pttl(f"{redis_prefix}messenger:page-9")
    finally:
        await limiter.close()
        await client.aclose()
    assert 50_000 < ttl_ms <= 60_000  # gone once the next call could go at once anyway


async def test_sending_goes_on_with_the_local_limit_when_redis_is_down() -> None:
    fake = FakeTime(sleeping_advances=False)
    dead = f"redis://127.0.0.1:{free_port()}/0"
    limiter = RedisRateLimiter.from_url(dead, sleep=fake.sleep, fallback=local(fake))
    try:
        with capture_logs() as logs:
            waits = [await limiter.acquire("whatsapp:pn-7", Limit(2, 1)) for _ in range(3)]
    finally:
        await limiter.close()
    assert waits == [0.0, 0.5, 1.0]
    warnings = [log for log in logs if log["log_level"] == "warning"]
    assert [log["event"] for log in warnings] == ["theke.channels.ratelimit.redis_unavailable"]
