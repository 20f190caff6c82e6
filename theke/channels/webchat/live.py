"""The newest messages of watched visitors, in memory, so open sockets need no read per message.

The database stays the truth: a visitor's tail starts from a database read
(its *base*: every message after the base id is in the tail) and then grows
only from messages this process committed itself. That is complete only when
this process writes every mailbox row — one process with its in-process
worker — so the runtime switches the tail off when several processes share
the database (Redis set).
"""

from __future__ import annotations

import contextlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from theke.channels.webchat.message import WebchatMessage

__all__ = ["LiveTail"]


@dataclass
class _Tail:
    watchers: int = 0
    base: int | None = None  # None until anchored by a read
    items: deque[WebchatMessage] = field(default_factory=deque)
    overflowed: bool = False  # too much arrived before the first read: always read the DB


class LiveTail:
    """Per watched visitor: a base id and the messages committed after it."""

    def __init__(self, *, enabled: bool = True, size: int = 64) -> None:
        self.enabled = enabled
        self._size = size
        self._tails: dict[str, _Tail] = {}

    @contextlib.contextmanager
    def watching(self, customer_id: str) -> Iterator[None]:
        """Keep a tail for ``customer_id`` while the block runs (nests; shared by tabs)."""
        if not self.enabled:
            yield
            return
        tail = self._tails.setdefault(customer_id, _Tail())
        tail.watchers += 1
        try:
            yield
        finally:
            tail.watchers -= 1
            if tail.watchers == 0:
                del self._tails[customer_id]

    def after(self, customer_id: str, after_id: int) -> list[WebchatMessage] | None:
        """The messages after ``after_id`` if memory knows them all, else None (read the DB)."""
        tail = self._tails.get(customer_id)
        if tail is None or tail.base is None or after_id < tail.base:
            return None
        return [message for message in tail.items if message.id > after_id]

    def anchor(self, customer_id: str, read: Sequence[WebchatMessage], after_id: int) -> None:
        """After a read of everything past ``after_id``: the tail is complete from here on."""
        tail = self._tails.get(customer_id)
        if tail is None or tail.base is not None or tail.overflowed:
            return
        tail.base = read[-1].id if read else after_id
        while tail.items and tail.items[0].id <= tail.base:
            tail.items.popleft()

    def add(self, customer_id: str, messages: Sequence[WebchatMessage]) -> None:
        """Messages this process just committed for ``customer_id``, in id order."""
        tail = self._tails.get(customer_id)
        if tail is None:
            return
        for message in messages:
            last = tail.items[-1].id if tail.items else tail.base
            if last is not None and message.id <= last:
                continue
            tail.items.append(message)
            if len(tail.items) > self._size:
                dropped = tail.items.popleft()
                if tail.base is None:
                    tail.overflowed = True
                else:
                    tail.base = dropped.id
