"""The ``flow.reminder`` job: one nudge to a customer who went silent in the middle of a flow.

The turn that left a question open schedules the job; when it runs, the
engine decides whether the flow still waits (the customer may have answered,
left, or been reminded already), and the reminder goes through the outbox
like any message, where the policy allows it only within the channel's
window. The new state records the reminder, so a flow run gets one at most.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import Connection

from theke.content import to_json
from theke.dialogue import Engine
from theke.store import conversations, inbound, leases, log
from theke.store.conversations import Conversation, StateChange
from theke.store.database import Database
from theke.store.jobs import Job
from theke.store.outbox import NewMessage, enqueue
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals

__all__ = ["REMINDER_JOB", "ReminderJob", "reminder_payload"]

REMINDER_JOB = "flow.reminder"

_log = structlog.get_logger("theke.worker.reminders")
_LEASE_SECONDS = 30.0


def reminder_payload(conversation_id: str, started: int) -> dict[str, Any]:
    return {"conversation_id": conversation_id, "started": started}


class ReminderJob:
    """The handler of ``flow.reminder`` jobs."""

    def __init__(
        self, db: Database, engine: Callable[[], Engine], signals: LocalSignals, *, owner: str
    ) -> None:
        self._db = db
        self._engine = engine
        self._signals = signals
        self._owner = owner

    async def __call__(self, job: Job) -> None:
        queued = await self._db.write(lambda conn: self._remind(conn, job.payload))
        if queued:
            await self._signals.publish("outbox")

    def _remind(self, conn: Connection, payload: dict[str, Any]) -> bool:
        """Under the conversation's lease, so no turn runs meanwhile; skipped when one does,
        or when the customer's new message waits for one (that turn decides anew)."""
        conversation = conversations.get(conn, str(payload.get("conversation_id")))
        started = payload.get("started")
        if conversation is None or conversation.mode != "bot" or not isinstance(started, int):
            return False
        key = conversation.key
        if leases.acquire(conn, [key], self._owner, _LEASE_SECONDS) != [key]:
            return False
        try:
            if inbound.pending_for(conn, [key]).get(key):
                return False
            return self._send(conn, conversation, started)
        finally:
            leases.release(conn, [key], self._owner)

    def _send(self, conn: Connection, conversation: Conversation, started: int) -> bool:
        profile = conversations.profiles(conn, [conversation.customer_id])
        now = utcnow()
        turn = self._engine().remind(
            conversation.state,
            started,
            conversation_key=conversation.key,
            customer=profile.get(conversation.customer_id),
            now=now,
        )
        if turn is None:
            return False
        messages = [
            NewMessage(
                conversation_id=conversation.id,
                channel=conversation.channel,
                recipient=conversation.external_id,
                content=to_json(reply),
                is_reply=False,
                purpose="reminder",
            )
            for reply in turn.replies
        ]
        ids = enqueue(conn, messages)
        entries = log.event_entries(conversation.id, conversation.customer_id, turn.events, now)
        entries += [
            log.message_out(
                conversation.id,
                conversation.customer_id,
                message.content,
                outbox_id,
                now,
                data={"purpose": "reminder"},
            )
            for message, outbox_id in zip(messages, ids, strict=True)
        ]
        log.append(conn, entries)
        change = StateChange(conversation.id, turn.state, conversation.last_inbound_at)
        conversations.save(conn, [change])
        _log.info("theke.worker.reminders.queued", conversation=conversation.id)
        return True
