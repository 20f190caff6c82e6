"""Send rate limits per channel, kept before each call so the platforms never have to refuse.

The platforms' rules (what ``ChannelLimits`` defaults to):

- Messenger: 300 Send API calls per second per Page (text, links, stickers);
- WhatsApp Cloud API: 80 messages per second per business phone number by default
  (up to 1,000 after Meta's automatic upgrade, hence configurable); beyond it the
  API answers error 130429;
- Telegram: about 30 messages per second per bot in total, and no more than one per
  second in one chat, short bursts tolerated; beyond it a 429 with ``retry_after``.

Each limit is a GCRA (generic cell rate algorithm): per key one number, the
theoretical arrival time (TAT) of the next call if calls came exactly at the rate.
A call may go once ``now >= TAT - tolerance``, where the tolerance
``interval * (burst - 1)`` lets ``burst`` calls go at once after a quiet spell.
``acquire`` *reserves*: it moves the TAT on at once and then sleeps until its slot,
so every caller waits exactly once and concurrent callers queue in arrival order.
A caller cancelled while it sleeps leaves its slot unused: the send only gets
slower, never faster than the platform allows.

``LocalRateLimiter`` keeps the TATs in memory (one process); ``RedisRateLimiter``
keeps them in Redis, so every web and worker process shares one budget.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from theke.channels._ratelimit_lua import GCRA_SCRIPT
from theke.errors import ConfigurationError

__all__ = [
    "ChannelLimits",
    "Limit",
    "LocalRateLimiter",
    "RateLimiter",
    "RedisRateLimiter",
    "pass_limits",
]

_log = structlog.get_logger("theke.channels.ratelimit")

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Limit:
    """``rate`` calls per second, of which ``burst`` may go at once after a quiet spell."""

    rate: float
    burst: int = 1

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ConfigurationError(f"a send rate must be a positive number, not {self.rate}")
        if self.burst < 1:
            raise ConfigurationError(
                f"a burst must let at least one call through, not {self.burst}"
            )

    @property
    def interval(self) -> float:
        """Seconds between two calls at the rate."""
        return 1.0 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of the TAT a call may go: the room the burst needs."""
        return self.interval * (self.burst - 1)


class RateLimiter(Protocol):
    """Holds sends back until the channel's limits allow them."""

    async def acquire(self, key: str, limit: Limit) -> float:
        """Wait until one call under ``key`` is allowed; the seconds it waited."""
        ...

    async def close(self) -> None: ...


class LocalRateLimiter:
    """The GCRA in memory, for one process (``theke serve`` without Redis).

    The check and the reservation run without an ``await`` between them, so tasks of
    one event loop cannot interleave there: no lock needed.

    Keys come and go (one per Telegram chat), so idle keys are forgotten: a key whose
    TAT has passed behaves exactly like a key never seen (``max(TAT, now)`` is
    ``now``), so dropping it loses nothing. At most every ``sweep_every`` seconds the
    passed keys are dropped, which bounds memory by the keys used in that span plus
    those with calls still queued.
    """

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        sweep_every: float = 60.0,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self._sweep_every = sweep_every
        self._tat: dict[str, float] = {}
        self._next_sweep = clock() + sweep_every

    def __len__(self) -> int:
        """How many keys hold state."""
        return len(self._tat)

    def reserve(self, key: str, limit: Limit) -> float:
        """Take the next slot under ``key``; the seconds until it may be used."""
        now = self._clock()
        self._forget_idle(now)
        tat = max(self._tat.get(key, now), now)
        self._tat[key] = tat + limit.interval
        return max(0.0, tat - limit.tolerance - now)

    async def acquire(self, key: str, limit: Limit) -> float:
        wait = self.reserve(key, limit)
        if wait > 0:
            await self._sleep(wait)
        return wait

    async def close(self) -> None:
        self._tat.clear()

    def _forget_idle(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._tat = {key: tat for key, tat in self._tat.items() if tat > now}
        self._next_sweep = now + self._sweep_every


class RedisRateLimiter:
    """The GCRA in Redis: one budget for every process that sends on a channel.

    One Lua script reads the TAT, reserves the slot and answers how long to wait,
    atomically and by Redis's clock (see ``theke.channels._ratelimit_lua``); the
    client then sleeps once. Keys expire when they go idle. The script is sent once
    and then called by its SHA (EVALSHA, loaded again if Redis forgot it).

    If Redis cannot be reached, the call is limited by a ``LocalRateLimiter`` in this
    process instead: sending must not stop because Redis hiccups. A warning is
    logged once per outage (and an info line when Redis answers again). While Redis
    is away each process keeps the full rate on its own, so several processes may
    exceed it together; the platform's 429 (``RateLimited``) then slows the outbox.
    How long a call waits for a dead Redis before it falls back is up to the client:
    redis-py's defaults retry three times with backoff (seconds per call), so
    ``from_url`` builds one with short timeouts and a single immediate retry.

    The limiter owns the client: ``close`` closes it.
    """

    def __init__(
        self,
        redis: Redis,
        *,
        prefix: str = "theke:rl:",
        sleep: Sleep = asyncio.sleep,
        fallback: LocalRateLimiter | None = None,
    ) -> None:
        self._redis = redis
        self._prefix = prefix
        self._sleep = sleep
        self._script = redis.register_script(GCRA_SCRIPT)
        self._fallback = fallback if fallback is not None else LocalRateLimiter(sleep=sleep)
        self._degraded = False

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        timeout: float = 0.5,
        prefix: str = "theke:rl:",
        sleep: Sleep = asyncio.sleep,
        fallback: LocalRateLimiter | None = None,
    ) -> RedisRateLimiter:
        """A limiter on its own client that gives up on Redis after ``timeout`` seconds."""
        client = Redis.from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1),
        )
        return cls(client, prefix=prefix, sleep=sleep, fallback=fallback)

    async def acquire(self, key: str, limit: Limit) -> float:
        try:
            wait = await self._reserve(key, limit)
        except (RedisError, OSError) as exc:
            self._report_outage(exc)
            return await self._fallback.acquire(key, limit)
        if self._degraded:
            self._degraded = False
            _log.info("theke.channels.ratelimit.redis_recovered")
        if wait > 0:
            await self._sleep(wait)
        return wait

    async def close(self) -> None:
        await self._redis.aclose()
        await self._fallback.close()

    async def _reserve(self, key: str, limit: Limit) -> float:
        interval_us = math.ceil(1_000_000 / limit.rate)  # rounded up: never faster than the rate
        tolerance_us = interval_us * (limit.burst - 1)
        wait_us = await self._script(keys=[self._prefix + key], args=[interval_us, tolerance_us])
        return int(wait_us) / 1_000_000

    def _report_outage(self, exc: BaseException) -> None:
        if not self._degraded:
            self._degraded = True
            _log.warning("theke.channels.ratelimit.redis_unavailable", error=type(exc).__name__)


@dataclass(frozen=True, slots=True)
class ChannelLimits:
    """The limits one send must pass, per channel; rates overridable from the settings.

    Messenger's and WhatsApp's per-second budgets may be spent at once (a burst of one
    second's worth); a Telegram chat takes ``telegram_chat_burst`` messages at once
    (a bot answer often is a text and a keyboard) and then one per second.
    """

    messenger_rate: float = 300.0  # Send API calls per second per Page
    whatsapp_rate: float = 80.0  # messages per second per business phone number
    telegram_rate: float = 30.0  # messages per second per bot, all chats together
    telegram_chat_rate: float = 1.0  # messages per second in one chat
    telegram_chat_burst: int = 3

    def limits_for(self, channel: str, recipient: str, account: str) -> list[tuple[str, Limit]]:
        """The keys and limits one send passes, narrowest first; none for other channels.

        ``account`` is the Page id (Messenger) or the phone number id (WhatsApp);
        Telegram runs one bot per deployment, so its overall key is fixed. The chat's
        limit comes before the bot's: its waits are the long ones, and the shared slot
        taken last is then not held idle while the chat's wait runs.
        """
        if channel == "messenger":
            return [(f"messenger:{account}", _per_second(self.messenger_rate))]
        if channel == "whatsapp":
            return [(f"whatsapp:{account}", _per_second(self.whatsapp_rate))]
        if channel == "telegram":
            chat = Limit(self.telegram_chat_rate, self.telegram_chat_burst)
            return [
                (f"telegram:chat:{recipient}", chat),
                ("telegram:all", _per_second(self.telegram_rate)),
            ]
        return []


def _per_second(rate: float) -> Limit:
    """A limit whose burst is one second's worth of calls."""
    return Limit(rate, max(1, math.floor(rate)))


async def pass_limits(limiter: RateLimiter, limits: Sequence[tuple[str, Limit]]) -> float:
    """Acquire every limit in order; the seconds waited in all."""
    waited = 0.0
    for key, limit in limits:
        waited += await limiter.acquire(key, limit)
    return waited
