"""JSON over HTTP for the platforms' send APIs: aiohttp, on the hot path of every answer.

Every answer, typing indicator and read receipt is one call to Meta or Telegram, so the
client's own cost per call decides how many answers a second one core can send. Measured
on the benchmark machine against a loopback server (bench/webhooks.py): httpx spent
0.70 ms of CPU per call, aiohttp 0.10 ms. httpx stays where a call is rare and needs its
transport hooks (fetching customers' media).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

__all__ = ["HttpFailed", "JsonAnswer", "JsonHttp"]


class HttpFailed(Exception):
    """No answer came: the connection failed or timed out (the call may be tried again)."""


@dataclass(frozen=True, slots=True)
class JsonAnswer:
    """An HTTP answer: its status and its body read as JSON (None when it is not JSON)."""

    status: int
    body: Any


class JsonHttp:
    """Calls JSON APIs with at most ``concurrency`` connections in flight, kept alive."""

    def __init__(
        self, *, concurrency: int = 32, timeout: float = 10.0, connect_timeout: float = 5.0
    ) -> None:
        self._concurrency = concurrency
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=connect_timeout)
        self._session: aiohttp.ClientSession | None = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> JsonAnswer:
        """``method url`` with ``body`` as JSON; raises ``HttpFailed`` when nothing came back."""
        try:
            async with self._open().request(
                method, url, json=body, headers=dict(headers or {})
            ) as response:
                raw = await response.read()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise HttpFailed(type(exc).__name__) from exc
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = None
        return JsonAnswer(status, parsed)

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use inside the running event loop."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._concurrency, ttl_dns_cache=300)
            self._session = aiohttp.ClientSession(
                connector=connector, timeout=self._timeout, trust_env=False
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
