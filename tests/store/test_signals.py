"""Signals wake waiting loops, within one process and across processes through Redis."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import REDIS_URL, require_service
from theke.store.signals import LocalSignals, RedisSignals


async def test_a_signal_wakes_a_listener_that_registered_before() -> None:
    signals = LocalSignals()
    async with signals.listen("inbound") as woken:
        await signals.publish("inbound")
        await asyncio.wait_for(woken.wait(), timeout=1)


async def test_other_topics_do_not_wake() -> None:
    signals = LocalSignals()
    async with signals.listen("webchat:a") as woken:
        await signals.publish("webchat:b")
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(woken.wait(), timeout=0.1)


@pytest.mark.redis
async def test_redis_carries_signals_between_processes() -> None:
    require_service("Redis", "127.0.0.1", 6379)
    web, worker = RedisSignals(REDIS_URL), RedisSignals(REDIS_URL)
    await web.start()
    await worker.start()
    try:
        async with web.listen("webchat:c1") as woken:
            await worker.publish("webchat:c1")
            await asyncio.wait_for(woken.wait(), timeout=2)
    finally:
        await web.close()
        await worker.close()
