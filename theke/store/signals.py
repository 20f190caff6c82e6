"""Wake-ups between loops and processes: "there is new work on topic X".

A signal carries no data; the database is the truth. Waiters register before
they look at the database, so a signal between their look and their wait is
never lost. With Redis, signals reach every web and worker process.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncIterator

import structlog
from redis.exceptions import RedisError

__all__ = ["LocalSignals", "RedisSignals"]

_log = structlog.get_logger("theke.store.signals")
_PREFIX = "theke:signal:"


class LocalSignals:
    """Signals inside one process."""

    def __init__(self) -> None:
        self._waiters: defaultdict[str, set[asyncio.Event]] = defaultdict(set)

    def _fan_out(self, topic: str) -> None:
        for event in self._waiters.pop(topic, ()):
            event.set()

    def _fan_out_all(self) -> None:
        for topic in list(self._waiters):
            self._fan_out(topic)

    async def publish(self, *topics: str) -> None:
        for topic in topics:
            self._fan_out(topic)

    @contextlib.asynccontextmanager
    async def listen(self, topic: str) -> AsyncIterator[asyncio.Event]:
        """An event that is set by the next ``publish(topic)``; register, check, then wait."""
        event = asyncio.Event()
        self._waiters[topic].add(event)
        try:
            yield event
        finally:
            waiting = self._waiters.get(topic)
            if waiting is not None:
                waiting.discard(event)
                if not waiting:
                    del self._waiters[topic]

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class RedisSignals(LocalSignals):
    """Signals across processes through Redis pub/sub (and locally without a round trip)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        import redis.asyncio as redis

        self._redis = redis.from_url(url)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="theke-redis-signals")
        await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def publish(self, *topics: str) -> None:
        """Wake local waiters at once, and other processes through Redis.

        A Redis outage costs other processes their prompt wake-up (they still
        poll), never the caller's work: the error is logged, not raised.
        """
        await super().publish(*topics)
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for topic in topics:
                    pipe.publish(_PREFIX + topic, b"")
                await pipe.execute()
        except (RedisError, OSError) as exc:
            _log.warning("theke.store.signals.publish_failed", error=type(exc).__name__)

    async def _listen(self) -> None:
        """Subscribe, and subscribe again after Redis went away (with backoff)."""
        delay = 0.5
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.psubscribe(_PREFIX + "*")
                self._ready.set()
                delay = 0.5
                self._fan_out_all()  # whatever was signalled while we were away
                async for message in pubsub.listen():
                    channel = message.get("channel", b"")
                    topic = channel.decode() if isinstance(channel, bytes) else str(channel)
                    self._fan_out(topic.removeprefix(_PREFIX))
            except (RedisError, OSError) as exc:
                _log.warning("theke.store.signals.disconnected", error=type(exc).__name__)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, RedisError, OSError):
                await self._task
        with contextlib.suppress(RedisError, OSError):
            await self._redis.aclose()
