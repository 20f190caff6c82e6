"""The dispatcher: claims outbox rows, asks the policy, delivers, retries, dead-letters."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from theke.channels.base import LocalSender, Sender
from theke.content import from_json
from theke.errors import ContentError, DeliveryError, RateLimited
from theke.observability import Metrics
from theke.outreach.policy import Hold, OutboundMessage, PolicyContext, decide
from theke.store import outbox
from theke.store.database import Database
from theke.store.outbox import ClaimedMessage
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals

__all__ = ["Backoff", "Dispatcher"]

_log = structlog.get_logger("theke.worker.dispatcher")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter, bounded by ``cap`` and ``max_attempts``."""

    base: float = 1.0
    cap: float = 300.0
    max_attempts: int = 8

    def delay(self, attempts: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after + random.uniform(0, min(1.0, self.base))  # noqa: S311 - jitter
        ceiling = min(self.cap, self.base * 2**attempts)
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not crypto


@dataclass
class _Outcome:
    sent: list[int]
    local: list[tuple[ClaimedMessage, LocalSender]]
    held: list[tuple[int, str]]
    retry: list[tuple[int, datetime, str, str]]
    dead: list[tuple[int, str, str]]
    untried: list[int]


class Dispatcher:
    """Delivers what turns and agents put into the outbox, within the policy."""

    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender | LocalSender],
        signals: LocalSignals,
        metrics: Metrics,
        *,
        owner: str,
        backoff: Backoff | None = None,
        claim_seconds: float = 60.0,
        batch: int = 128,
    ) -> None:
        self._db = db
        self._senders = senders
        self._signals = signals
        self._metrics = metrics
        self._owner = owner
        self._backoff = backoff or Backoff()
        self._claim_seconds = claim_seconds
        self._batch = batch

    async def run_once(self) -> int:
        """Deliver one batch; returns how many rows were settled (sent, held, dead or retried)."""
        async with self._db.write() as conn:
            claimed = await outbox.claim(conn, self._owner, self._batch, self._claim_seconds)
        if not claimed:
            return 0
        outcome = _Outcome([], [], [], [], [], [])
        by_conversation: dict[str, list[ClaimedMessage]] = {}
        for message in claimed:
            by_conversation.setdefault(message.conversation_id, []).append(message)
        await asyncio.gather(
            *(self._deliver_in_order(messages, outcome) for messages in by_conversation.values())
        )
        topics: set[str] = set()
        async with self._db.write() as conn:
            for message, sender in outcome.local:
                await sender.deliver(conn, message.recipient, message.content, outbox_id=message.id)
                topics.update(sender.topics(message.recipient))
                outcome.sent.append(message.id)
            await self._settle(conn, outcome)
        if topics:
            await self._signals.publish(*topics)
        if outcome.retry:
            await self._signals.publish("outbox.retry")
        return len(claimed) - len(outcome.untried)

    async def _deliver_in_order(
        self, messages: Sequence[ClaimedMessage], outcome: _Outcome
    ) -> None:
        for index, message in enumerate(messages):
            if message.resumed:
                _log.warning("theke.worker.dispatcher.resend", outbox_id=message.id)
            if not await self._deliver(message, outcome):
                outcome.untried.extend(m.id for m in messages[index + 1 :])
                return

    async def _deliver(self, message: ClaimedMessage, outcome: _Outcome) -> bool:
        """Deliver one message; False when later messages of its conversation must wait."""
        now = utcnow()
        decision = decide(
            OutboundMessage(
                channel=message.channel,
                actor=message.actor,  # type: ignore[arg-type]
                is_reply=message.is_reply,
            ),
            PolicyContext(now=now, mode=message.mode, last_inbound_at=message.last_inbound_at),
        )
        if isinstance(decision, Hold):
            outcome.held.append((message.id, decision.reason))
            self._metrics.held.labels(decision.reason).inc()
            return True
        sender = self._senders.get(message.channel)
        if sender is None:
            outcome.dead.append((message.id, "no_channel", f"no sender for {message.channel!r}"))
            return True
        if isinstance(sender, LocalSender):
            outcome.local.append((message, sender))
            self._metrics.messages_out.labels(message.channel).inc()
            return True
        try:
            await sender.send(message.recipient, from_json(message.content), outbox_id=message.id)
        except ContentError as exc:
            outcome.dead.append((message.id, "invalid_content", str(exc)))
            return True
        except DeliveryError as exc:
            return self._failed(message, exc, now, outcome)
        outcome.sent.append(message.id)
        self._metrics.messages_out.labels(message.channel).inc()
        return True

    def _failed(
        self, message: ClaimedMessage, exc: DeliveryError, now: datetime, outcome: _Outcome
    ) -> bool:
        self._metrics.send_failures.labels(message.channel, exc.code).inc()
        attempts = message.attempts + 1
        if exc.permanent or attempts >= self._backoff.max_attempts:
            _log.warning("theke.worker.dispatcher.dead", outbox_id=message.id, code=exc.code)
            outcome.dead.append((message.id, exc.code, str(exc)))
            return True
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        at = now + timedelta(seconds=self._backoff.delay(attempts, retry_after))
        outcome.retry.append((message.id, at, exc.code, str(exc)))
        return False

    async def _settle(self, conn: AsyncConnection, outcome: _Outcome) -> None:
        await outbox.mark_sent(conn, outcome.sent)
        for message_id, reason in outcome.held:
            await outbox.mark_held(conn, message_id, reason)
        for message_id, at, code, error in outcome.retry:
            await outbox.mark_retry(conn, message_id, at, code, error)
        for message_id, code, error in outcome.dead:
            await outbox.mark_dead(conn, message_id, code, error)
        await outbox.release(conn, outcome.untried)
