"""The dispatcher: claims outbox rows, asks the policy, delivers, retries, dead-letters."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection

from theke.bot.config import WhatsAppTemplate
from theke.channels.base import (
    Delivered,
    LocalDelivery,
    LocalSender,
    Sender,
    announce,
    deliver_locally,
)
from theke.channels.whatsapp.templates import template_message
from theke.content import from_json
from theke.errors import (
    ContentError,
    DeliveryError,
    InvalidToken,
    RateLimited,
    RecipientUnavailable,
)
from theke.observability import Metrics
from theke.outreach.policy import (
    STANDARD_WINDOW,
    Decision,
    Hold,
    OutboundMessage,
    PolicyContext,
    decide,
)
from theke.store import conversations, log, optins, outbox
from theke.store.database import Database
from theke.store.outbox import ClaimedMessage, Failure
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
    local: list[ClaimedMessage]  # for channels whose platform is our database
    held: list[tuple[int, str]]
    failed: list[Failure]
    untried: list[int]
    unreachable: list[ClaimedMessage] = field(default_factory=list)


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
        stop_seconds: float = 300.0,
        templates: Callable[[], Mapping[str, WhatsAppTemplate]] = dict,
    ) -> None:
        self._db = db
        self._senders = senders
        self._local = {
            channel: sender
            for channel, sender in senders.items()
            if isinstance(sender, LocalSender)
        }
        self._signals = signals
        self._metrics = metrics
        self._owner = owner
        self._backoff = backoff or Backoff()
        self._claim_seconds = claim_seconds
        self._batch = batch
        self._stop_seconds = stop_seconds
        self._templates = templates
        self._stopped: dict[str, datetime] = {}  # channel -> when to try its token again

    async def run_once(self) -> int:
        """Deliver one batch; returns how many rows were settled (sent, held, dead or retried)."""
        skip = self._stopped_channels(utcnow())
        claimed = await self._db.write(
            lambda conn: outbox.claim(
                conn, self._owner, self._batch, self._claim_seconds, skip=skip
            )
        )
        if not claimed:
            return 0
        outcome = _Outcome([], [], [], [], [])
        by_conversation: dict[str, list[ClaimedMessage]] = {}
        for message in claimed:
            by_conversation.setdefault(message.conversation_id, []).append(message)
        keep = asyncio.create_task(self._keep_claim([message.id for message in claimed]))
        try:
            await asyncio.gather(
                *(
                    self._deliver_in_order(messages, outcome)
                    for messages in by_conversation.values()
                )
            )
        finally:
            keep.cancel()
        local = [
            (
                message.channel,
                LocalDelivery(message.recipient, message.content, message.id, message.actor),
            )
            for message in outcome.local
        ]
        outcome.sent.extend(message.id for message in outcome.local)

        def settle(conn: Connection) -> tuple[int, Delivered]:
            delivered = deliver_locally(conn, self._local, local)
            return _settle(conn, outcome, self._owner), delivered

        still_ours, delivered = await self._db.write(settle)
        if still_ours < len(outcome.sent):
            _log.warning("theke.worker.dispatcher.claim_lost", claimed=len(claimed))
        await announce(delivered)
        return len(claimed) - len(outcome.untried)

    async def _keep_claim(self, ids: list[int]) -> None:
        """While a slow platform takes its time, renew the claim before it lapses: another
        dispatcher would send the same messages again."""
        while True:
            await asyncio.sleep(self._claim_seconds / 3)
            await self._db.write(
                lambda conn: outbox.extend_claim(conn, ids, self._owner, self._claim_seconds)
            )

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
        try:
            token = await self._optin_token(message, now)
        except Exception:  # the store hiccupped: this message and the rest wait, unsent
            _log.exception("theke.worker.dispatcher.optin_lookup_failed", outbox_id=message.id)
            outcome.untried.append(message.id)
            return False
        decision = self._decide(message, now, token)
        if isinstance(decision, Hold):
            outcome.held.append((message.id, decision.reason))
            self._metrics.held.labels(decision.reason).inc()
            return True
        sender = self._senders.get(message.channel)
        if sender is None:
            outcome.failed.append(
                Failure(message.id, "no_channel", f"no sender for {message.channel!r}")
            )
            return True
        if isinstance(sender, LocalSender):
            outcome.local.append(message)
            self._metrics.messages_out.labels(message.channel).inc()
            return True
        try:
            await sender.send(
                message.recipient, from_json(message.content), outbox_id=message.id, allow=decision
            )
        except ContentError as exc:
            outcome.failed.append(Failure(message.id, "invalid_content", str(exc)))
            return True
        except DeliveryError as exc:
            return self._failed(message, exc, now, outcome)
        except Exception as exc:  # a sender bug: count the attempt, retry, dead-letter in the end
            _log.exception("theke.worker.dispatcher.sender_failed", outbox_id=message.id)
            failure = DeliveryError(
                f"{type(exc).__name__} in the {message.channel} sender", code="internal"
            )
            return self._failed(message, failure, now, outcome)
        outcome.sent.append(message.id)
        self._metrics.messages_out.labels(message.channel).inc()
        return True

    async def _optin_token(self, message: ClaimedMessage, now: datetime) -> str | None:
        """Messenger past the window: the token the customer granted for the message's topic
        (``data["topic"]``, else its purpose), if any."""
        last = message.last_inbound_at
        if message.channel != "messenger" or message.is_reply or message.purpose is None:
            return None
        if last is not None and now - last <= STANDARD_WINDOW:
            return None
        topic = str((message.data or {}).get("topic") or message.purpose)
        return await self._db.read(
            lambda conn: optins.token_for(conn, message.conversation_id, topic, now)
        )

    def _decide(self, message: ClaimedMessage, now: datetime, token: str | None) -> Decision:
        """The policy's answer; on WhatsApp past the window, with the purpose's template."""
        outbound = OutboundMessage(
            channel=message.channel,
            actor=message.actor,  # type: ignore[arg-type]
            is_reply=message.is_reply,
            purpose=message.purpose,
        )
        back = conversations.pause_over(message.mode, message.human_until, now)
        context = PolicyContext(
            now=now,
            mode="bot" if back else message.mode,
            last_inbound_at=message.last_inbound_at,
            reachable=message.reachable,
            opted_out=message.opted_out,
            optin_token=token,
        )
        decision = decide(outbound, context)
        if not (isinstance(decision, Hold) and decision.reason == "needs_template"):
            return decision
        template = self._templates().get(message.purpose or "")
        if template is None:
            return decision
        decision = decide(replace(outbound, template=True), context)
        if isinstance(decision, Hold):
            return decision
        return replace(decision, template=template_message(template, message.data or {}))

    def _failed(
        self, message: ClaimedMessage, exc: DeliveryError, now: datetime, outcome: _Outcome
    ) -> bool:
        self._metrics.send_failures.labels(message.channel, exc.code).inc()
        if isinstance(exc, InvalidToken):  # nothing of this channel can go out: stop it, keep all
            self._stop(message.channel, exc, now)
            at = now + timedelta(seconds=self._stop_seconds)
            failure = Failure(message.id, exc.code, str(exc), retry_at=at, counts=False)
            outcome.failed.append(failure)
            return False
        if isinstance(exc, RecipientUnavailable):  # the rest waits: then held as unreachable
            outcome.unreachable.append(message)
            outcome.failed.append(Failure(message.id, exc.code, str(exc)))
            return False
        attempts = message.attempts + 1
        if exc.permanent or attempts >= self._backoff.max_attempts:
            _log.warning("theke.worker.dispatcher.dead", outbox_id=message.id, code=exc.code)
            outcome.failed.append(Failure(message.id, exc.code, str(exc)))
            return True
        retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
        at = now + timedelta(seconds=self._backoff.delay(attempts, retry_after))
        outcome.failed.append(Failure(message.id, exc.code, str(exc), retry_at=at))
        return False

    def _stop(self, channel: str, exc: DeliveryError, now: datetime) -> None:
        """Stop sending on a channel whose token the platform refused; try again later."""
        if channel not in self._stopped:
            _log.error(
                "theke.worker.dispatcher.channel_stopped",
                channel=channel,
                error=str(exc),
                retry_seconds=self._stop_seconds,
                fix=f"renew the access token of the {channel} channel and restart Theke",
            )
        self._stopped[channel] = now + timedelta(seconds=self._stop_seconds)
        self._metrics.channel_stopped.labels(channel).set(1)

    def _stopped_channels(self, now: datetime) -> list[str]:
        for channel, until in list(self._stopped.items()):
            if until <= now:  # time to try the token again, with the next message
                del self._stopped[channel]
                self._metrics.channel_stopped.labels(channel).set(0)
        return sorted(self._stopped)


def _settle(conn: Connection, outcome: _Outcome, owner: str) -> int:
    """Record the batch's outcomes; returns how many sent rows were still ours."""
    now = utcnow()
    for message in outcome.unreachable:  # the platform said so: no more attempts there
        conversations.set_reachable(conn, message.conversation_id, False)
    owners = conversations.owners(conn, [m.conversation_id for m in outcome.unreachable])
    log.append(
        conn,
        [
            entry
            for message in outcome.unreachable
            if message.conversation_id in owners  # the customer now: merges move them
            for entry in log.event_entries(
                message.conversation_id,
                owners[message.conversation_id],
                [("channel.unreachable", {"outbox_id": message.id})],
                now,
                actor="system",
            )
        ],
    )
    sent = outbox.mark_sent(conn, outcome.sent, owner)
    outbox.mark_held(conn, outcome.held, owner)
    outbox.mark_failed(conn, outcome.failed, owner)
    outbox.release(conn, outcome.untried, owner)
    return sent
