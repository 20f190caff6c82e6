"""Bot turns: lease conversations, let the bot answer their events in order, commit once.

A turn's new state, its log entries and its outbox rows commit in one
transaction together with marking the inbound events handled, so every
inbound event gets exactly one set of replies — a worker killed before the
commit leaves the events pending, and its lease lapses for the next worker.

Replies to channels whose "platform" is our own database (the web chat) are
delivered in that same transaction, after the policy's yes: their outbox rows
are written as sent (or held), and the dispatcher never has to claim them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Connection

from theke.bot.config import BotConfig
from theke.channels.base import (
    Delivered,
    LocalDelivery,
    LocalSender,
    announce,
    deliver_locally,
)
from theke.commerce import CatalogCache, CatalogIndex
from theke.commerce.attribution import source_from
from theke.commerce.placement import bought, place_order
from theke.content import text_json, to_json
from theke.dialogue import Engine, Inbound, handover
from theke.dialogue.turn import OrderRequest, Reminder, Turn
from theke.errors import StoreError
from theke.inbox import notify
from theke.inbox.changes import HANDOFF_STARTED, LIVE_TOPIC
from theke.observability import Metrics
from theke.outreach.policy import Hold, OutboundMessage, PolicyContext, decide
from theke.store import (
    conversations,
    customers,
    inbound,
    jobs,
    leases,
    log,
    optins,
    outbox,
    subscriptions,
)
from theke.store.conversations import Conversation, StateChange
from theke.store.database import Database
from theke.store.inbound import PendingInbound
from theke.store.log import LogEntry
from theke.store.optins import OptinChange
from theke.store.outbox import NewMessage, enqueue
from theke.store.schema import utcnow
from theke.store.signals import LocalSignals
from theke.store.subscriptions import SUBJECT_MAX, NewSubscription
from theke.worker.media import MEDIA_JOB, media_jobs
from theke.worker.platform_events import Note, answered, note, opens_window
from theke.worker.reminders import REMINDER_JOB, reminder_payload

__all__ = ["TurnRunner"]

_log = structlog.get_logger("theke.worker.turns")


@dataclass
class _Work:
    conversation: Conversation
    events: list[PendingInbound]
    profile: dict[str, Any] = field(default_factory=dict)
    state: dict[str, Any] = field(default_factory=dict)
    entries: list[LogEntry] = field(default_factory=list)
    replies: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    last_inbound_at: datetime | None = None
    profile_changed: bool = False
    reminder: Reminder | None = None
    subscriptions: list[NewSubscription] = field(default_factory=list)
    opted_out: bool | None = None  # STOP (True) or START (False) in this batch
    mode: tuple[str, datetime | None] | None = None  # who has the conversation now, until when
    reachable: bool | None = None
    optins: list[OptinChange] = field(default_factory=list)
    media: list[dict[str, Any]] = field(default_factory=list)  # media.fetch job payloads
    phones: list[tuple[str, int]] = field(default_factory=list)  # confirmed numbers, by event
    orders: list[tuple[int, OrderRequest]] = field(default_factory=list)  # to place, by event
    source: dict[str, Any] | None = None  # the newest link, ad or campaign that led here
    handed_over: str | None = None  # the bot handed over in this batch: why


class TurnRunner:
    """Claims conversations with pending events and runs the bot on them."""

    def __init__(
        self,
        db: Database,
        engine: Callable[[], Engine],
        signals: LocalSignals,
        metrics: Metrics,
        *,
        owner: str,
        local: Mapping[str, LocalSender] | None = None,
        lease_seconds: float = 30.0,
        batch: int = 64,
        catalog: CatalogCache | None = None,
        human_pause: timedelta = timedelta(minutes=30),
        mail: bool = False,
        public_url: str = "http://127.0.0.1:8000",
    ) -> None:
        self._db = db
        self._public_url = public_url
        self._mail = mail
        self._human_pause = human_pause
        self._catalog = catalog
        self._local = dict(local or {})
        self._engine = engine
        self._signals = signals
        self._metrics = metrics
        self._owner = owner
        self._ttl = lease_seconds
        self._batch = batch

    async def run_once(self) -> int:
        """Handle one batch of conversations; returns how many events were handled."""
        keys = await self._db.read(lambda conn: inbound.pending_keys(conn, self._batch))
        if not keys:
            return 0
        taken, work = await self._db.write(lambda conn: self._claim(conn, keys))
        if not taken:
            return 0
        try:
            engine = self._engine()
            # Off the event loop: understanding a message costs milliseconds of CPU each.
            await asyncio.to_thread(self._run_batch, engine, work)
            done, delivered, queued = await self._db.write(
                lambda conn: self._commit(conn, work, taken, engine.bot.config)
            )
        except BaseException:
            await self._db.write(lambda conn: leases.release(conn, taken, self._owner))
            raise
        now = utcnow()
        for item in done:
            self._observe(item, now)
        await announce(delivered)
        # The inbox pages show the new messages; the sender sends the answers.
        await self._signals.publish(LIVE_TOPIC, *(["outbox"] if queued else []))
        return sum(len(item.events) for item in done)

    def _claim(self, conn: Connection, keys: Sequence[str]) -> tuple[list[str], list[_Work]]:
        taken = leases.acquire(conn, keys, self._owner, self._ttl)
        if self._catalog is not None:  # stock the shop changed since the last batch: never stale
            self._catalog.sync(conn)
        return taken, self._load(conn, taken)

    def _load(self, conn: Connection, keys: Sequence[str]) -> list[_Work]:
        pending = inbound.pending_for(conn, keys)
        known = conversations.load_many(conn, keys)
        customers = conversations.profiles(conn, [c.customer_id for c in known.values()])
        work: list[_Work] = []
        for key in keys:
            events = pending.get(key) or []
            if not events:
                continue
            conversation = known.get(key)
            if conversation is None:
                first = events[0]
                sender = str(first.payload.get("sender", key.partition(":")[2]))
                conversation = conversations.create(conn, first.channel, sender)
            profile = customers.get(conversation.customer_id, {})
            work.append(_Work(conversation=conversation, events=events, profile=profile))
        return work

    def _run_batch(self, engine: Engine, work: Sequence[_Work]) -> None:
        engine.prime(
            [
                str(event.payload["text"])
                for item in work
                if item.conversation.mode == "bot"
                for event in item.events
                if answered(event.payload)  # not our own echoes, nor standby messages
                and event.payload.get("text")
                and event.payload.get("postback") is None
            ]
        )
        for item in work:
            self._run_bot(engine, item)

    def _run_bot(self, engine: Engine, item: _Work) -> None:
        conversation = item.conversation
        state = dict(conversation.state)
        item.last_inbound_at = conversation.last_inbound_at  # a status event is no message
        if conversations.pause_over(conversation.mode, conversation.human_until, utcnow()):
            state["introduced"] = False
            self._switch(item, Note("bot.resumed", actor="system", mode="bot"), None, utcnow())
            conversation = item.conversation
        for event in item.events:
            now = utcnow()
            if not answered(event.payload):  # blocked, delivered, an echo, a handover: noted
                if opens_window(event.payload):
                    item.last_inbound_at = event.received_at
                done = note(
                    event.payload,
                    conversation_id=conversation.id,
                    channel=conversation.channel,
                    now=now,
                    human_pause=self._human_pause,
                )
                if done.mode == "human":
                    state["introduced"] = False  # handed back, the bot introduces itself again
                    if conversation.mode == "human" and conversation.human_until is None:
                        done = replace(done, human_until=None)  # a hand-over stays until undone
                self._switch(item, done, event.id, now)
                conversation = item.conversation
                continue
            item.last_inbound_at = event.received_at
            if conversation.unreachable_at is not None:  # writing to us proves the way back
                item.reachable = True
                item.conversation = conversation = replace(conversation, unreachable_at=None)
            item.entries.append(_inbound_entry(conversation, event, now))
            item.source = source_from(event.payload.get("extra") or {}, now) or item.source
            item.phones.extend((phone, event.id) for phone in _confirmed_phone(event.payload))
            item.media.extend(
                media_jobs(
                    conversation.id,
                    conversation.customer_id,
                    conversation.channel,
                    event.id,
                    event.payload.get("extra") or {},
                )
            )
            if conversation.mode != "bot":
                if handover.note_contact(item.profile, event.payload.get("text"), now):
                    item.profile_changed = True  # the contact asked for after hours
                continue
            try:
                turn = engine.handle(
                    state,
                    _as_inbound(event.payload),
                    conversation_key=conversation.key,
                    customer=item.profile,
                    now=now,
                )
            except Exception as exc:  # a bot bug must not stop the queue: record it, go on
                _log.exception("theke.worker.turns.bot_failed", conversation=conversation.id)
                item.entries.append(_failure_entry(conversation, event, now, exc))
                continue
            state = turn.state
            self._effects(item, turn)
            if turn.order is not None:
                item.orders.append((event.id, turn.order))
            conversation = item.conversation
            item.entries.extend(
                log.event_entries(
                    conversation.id, conversation.customer_id, turn.events, now, inbound_id=event.id
                )
            )
            item.replies.extend((event.id, to_json(reply)) for reply in turn.replies)
        item.state = state

    @staticmethod
    def _switch(item: _Work, done: Note, inbound_id: int | None, now: datetime) -> None:
        """Log an unanswered event and keep what it changes for the commit."""
        conversation = item.conversation
        item.entries.append(
            LogEntry(
                conversation_id=conversation.id,
                customer_id=conversation.customer_id,
                kind=done.kind,
                actor=done.actor,
                created_at=now,
                content=done.content,
                data=done.data,
                inbound_id=inbound_id,
            )
        )
        if done.mode is not None:
            item.mode = (done.mode, done.human_until)
            item.conversation = replace(conversation, mode=done.mode, human_until=done.human_until)
        if done.reachable is not None:
            item.reachable = done.reachable
        if done.optin is not None:
            item.optins.append(done.optin)

    @staticmethod
    def _effects(item: _Work, turn: Turn) -> None:
        """What a turn asks for besides replies: a human, a changed profile, a reminder."""
        if turn.profile is not None:
            item.profile = turn.profile
            item.profile_changed = True
        if turn.handoff:
            item.mode = ("human", None)
            item.conversation = conversation = replace(
                item.conversation, mode="human", human_until=None
            )
            item.handed_over = turn.handoff_reason or "bot"
            item.entries.append(
                LogEntry(
                    conversation.id, conversation.customer_id, HANDOFF_STARTED, "bot", utcnow(),
                    data={"reason": item.handed_over},
                )
            )  # fmt: skip
        item.reminder = turn.reminder
        if turn.opt_in:
            item.opted_out = False
        if turn.opt_out:
            item.opted_out = True
            item.subscriptions.clear()  # asked for before STOP in the same batch: dropped too
        conversation = item.conversation
        item.subscriptions.extend(
            NewSubscription(
                customer_id=conversation.customer_id,
                conversation_id=conversation.id,
                channel=conversation.channel,
                topic=subscription.topic,
                subject=subscription.subject[:SUBJECT_MAX],
                data=dict(subscription.data),
            )
            for subscription in turn.subscriptions
        )

    def _commit(
        self, conn: Connection, work: Sequence[_Work], taken: Sequence[str], config: BotConfig
    ) -> tuple[list[_Work], Delivered, bool]:
        """Write every turn of the batch: a few statements, whatever its size.

        Returns the turns written, what local channels delivered (to announce
        after the commit) and whether anything waits for the dispatcher.
        """
        keys = [item.conversation.key for item in work]
        ours = leases.extend(conn, keys, self._owner, self._ttl)
        for item in work:
            if item.conversation.key not in ours:
                _log.warning("theke.worker.turns.lease_lost", conversation=item.conversation.id)
        work = [item for item in work if item.conversation.key in ours]
        ids = [event.id for item in work for event in item.events]
        if inbound.mark_done(conn, ids) != len(ids):
            raise StoreError("inbound events changed under a held lease; the batch is retried")
        now = utcnow()
        orders_placed = self._place_orders(conn, work, config, now)
        replies = [
            self._reply(item.conversation, inbound_id, content, now)
            for item in work
            for inbound_id, content in item.replies
        ]
        outbox_ids = enqueue(conn, replies)
        delivered = self._deliver_locally(conn, replies, outbox_ids)
        owners = {item.conversation.id: item.conversation.customer_id for item in work}
        entries = [entry for item in work for entry in item.entries]
        entries.extend(
            log.message_out(
                reply.conversation_id,
                owners[reply.conversation_id],
                reply.content,
                outbox_id,
                now,
                data={"held": reply.reason} if reply.settled == "held" else None,
                inbound_id=reply.inbound_id,
            )
            for reply, outbox_id in zip(replies, outbox_ids, strict=True)
        )
        entries.extend(orders_placed)
        entries.extend(_apply_effects(conn, work, now))
        for item in work:
            if item.handed_over is not None:  # the agents' notification, with the hand-over
                c = item.conversation
                notify.waiting(conn, c.id, c.channel, item.handed_over, now, self._public_url)
        log.append(conn, entries)
        conversations.save(
            conn,
            [StateChange(item.conversation.id, item.state, item.last_inbound_at) for item in work],
        )
        log.append(conn, _merge_customers(conn, work, now))  # last: moves this batch's rows too
        leases.release(conn, taken, self._owner)
        queued = any(reply.settled is None for reply in replies)
        return work, delivered, queued

    def _place_orders(
        self, conn: Connection, work: Sequence[_Work], config: BotConfig, now: datetime
    ) -> list[LogEntry]:
        """The orders this batch's customers confirmed: placed, answered, logged."""
        index = self._catalog.index if self._catalog is not None else CatalogIndex()
        entries: list[LogEntry] = []
        for item in work:
            for inbound_id, request in item.orders:
                placed = place_order(
                    conn,
                    request,
                    item.conversation,
                    index=index,
                    config=config,
                    now=now,
                    mail=self._mail,
                )
                # Right after the answers to the tap, before those to later messages.
                at = next((i for i, (later, _) in enumerate(item.replies) if later > inbound_id),
                          len(item.replies))  # fmt: skip
                item.replies[at:at] = [(inbound_id, to_json(reply)) for reply in placed.replies]
                entries.append(placed.log_entry(item.conversation, inbound_id, now))
                if placed.refused is not None:  # nothing ordered: the cart is the customer's again
                    item.state = _cart_back(item.state, placed.cart)
                elif placed.order is not None and placed.created:
                    item.profile = bought(item.profile, placed.order)
                    item.profile_changed = True
        return entries

    def _reply(
        self, conversation: Conversation, inbound_id: int, content: dict[str, Any], now: datetime
    ) -> NewMessage:
        """An outbox row; settled here already when its channel is local."""
        message = NewMessage(
            conversation_id=conversation.id,
            channel=conversation.channel,
            recipient=conversation.external_id,
            content=content,
            inbound_id=inbound_id,
        )
        if conversation.channel not in self._local:
            return message
        decision = decide(
            OutboundMessage(channel=conversation.channel, actor="bot", is_reply=True),
            # The bot answered in bot mode (a handoff in the same turn comes after its replies).
            PolicyContext(now=now, mode="bot", last_inbound_at=now),
        )
        if isinstance(decision, Hold):
            self._metrics.held.labels(decision.reason).inc()
            return replace(message, settled="held", reason=decision.reason)
        return replace(message, settled="sent")

    def _deliver_locally(
        self, conn: Connection, replies: Sequence[NewMessage], outbox_ids: Sequence[int]
    ) -> Delivered:
        sent = [
            (reply.channel, LocalDelivery(reply.recipient, reply.content, outbox_id, reply.actor))
            for reply, outbox_id in zip(replies, outbox_ids, strict=True)
            if reply.settled == "sent"
        ]
        for channel, _ in sent:
            self._metrics.messages_out.labels(channel).inc()
        return deliver_locally(conn, self._local, sent)

    def _observe(self, item: _Work, now: datetime) -> None:
        channel = item.conversation.channel
        for event in item.events:
            self._metrics.messages_in.labels(channel).inc()
            self._metrics.turn_seconds.observe(max(0.0, (now - event.received_at).total_seconds()))


def _apply_effects(conn: Connection, work: Sequence[_Work], now: datetime) -> list[LogEntry]:
    """Profiles, hand-overs, opt-ins and opt-outs, reminders; the log entries they make."""
    conversations.save_profiles(
        conn, {item.conversation.customer_id: item.profile for item in work if item.profile_changed}
    )
    for item in work:
        if item.opted_out is not None:
            conversations.set_opted_out(conn, item.conversation.customer_id, item.opted_out)
        if item.opted_out:
            subscriptions.withdraw(conn, item.conversation.customer_id)
        if item.mode is not None:
            mode, until = item.mode
            conversations.set_mode(conn, item.conversation.id, mode, until=until)
        if item.reachable is not None:
            conversations.set_reachable(conn, item.conversation.id, item.reachable)
        if item.source is not None:
            conversations.set_source(conn, item.conversation.id, item.source)
        if item.reminder is not None:
            payload = reminder_payload(item.conversation.id, item.reminder.started)
            jobs.schedule(conn, REMINDER_JOB, payload, item.reminder.at)
        for media in item.media:
            jobs.schedule(conn, MEDIA_JOB, media, now)
    optins.apply(conn, [change for item in work for change in item.optins])
    stored = subscriptions.add(conn, [new for item in work for new in item.subscriptions])
    return [
        entry
        for new in stored
        for entry in log.event_entries(
            new.conversation_id,
            new.customer_id,
            [("subscription.created", {"topic": new.topic, "subject": new.subject})],
            now,
        )
    ]


def _cart_back(state: dict[str, Any], lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The state with an order's lines back in the cart, before what was added since."""
    since = [line for line in state.get("cart") or [] if isinstance(line, dict)]
    ordered = {(line["sku"], line["size"]) for line in lines}
    kept = [line for line in since if (line.get("sku"), line.get("size")) not in ordered]
    return {**state, "cart": [*lines, *kept], "checkout": None}


def _confirmed_phone(payload: dict[str, Any]) -> list[str]:
    """The customer's own number, when the platform vouches for it (never one typed)."""
    extra = payload.get("extra") or {}
    phone = extra.get("contact_phone")
    return [phone] if extra.get("contact_verified") is True and isinstance(phone, str) else []


def _merge_customers(conn: Connection, work: Sequence[_Work], now: datetime) -> list[LogEntry]:
    """Confirmed numbers: one customer across channels; each merge logged."""
    entries: list[LogEntry] = []
    for item in work:
        for phone, inbound_id in item.phones:
            conversation = item.conversation
            # Meta's phone quick reply looks like any quick reply whose payload is a number:
            # on Messenger it counts only when the bot had just offered it.
            if conversation.channel == "messenger" and not outbox.asked_to_share(
                conn, conversation.id, "phone", inbound_id
            ):
                continue
            merge = customers.confirm_phone(conn, conversation.customer_id, phone)
            if merge is None:
                continue
            item.conversation = replace(item.conversation, customer_id=merge.survivor)
            data = {"merged": merge.merged, "survivor": merge.survivor, "phone": phone}
            entries.extend(
                log.event_entries(
                    item.conversation.id,
                    merge.survivor,
                    [("customer.merged", data)],
                    now,
                    actor="system",
                )
            )
    return entries


def _as_inbound(payload: dict[str, Any]) -> Inbound:
    extra = payload.get("extra") or {}
    found = extra.get("referral")
    referral: dict[str, Any] = found if isinstance(found, dict) else {}
    text, postback = payload.get("text"), payload.get("postback")
    event = payload.get("event")
    if event is None and not (text or "").strip() and postback is None:
        if extra.get("attachments"):  # a picture, a voice message, a location, a file
            event = "attachment"
        elif extra.get("unsupported"):  # a sticker, a poll, something no one can read here
            event = "unsupported"
        elif payload.get("kind") == "referral" and not referral.get("ref"):
            event = "referral"  # an ad opened the chat without a ref: a flow may start on it
    return Inbound(
        text=text,
        postback=postback,
        referral=payload.get("referral") or referral.get("ref"),  # an m.me link's ref=...
        event=event,
    )


def _inbound_entry(conversation: Conversation, event: PendingInbound, now: datetime) -> LogEntry:
    payload = event.payload
    if payload.get("postback") is not None:
        title = payload.get("title") or payload["postback"]
        content: dict[str, Any] | None = text_json(str(title))
        data: dict[str, Any] | None = {"postback": payload["postback"]}
        kind = "postback.in"
    else:
        text = payload.get("text") or ""
        content = text_json(text) if text else None
        data = None
        kind = "message.in"
    return LogEntry(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        kind=kind,
        actor="customer",
        created_at=now,
        content=content,
        data=data,
        inbound_id=event.id,
    )


def _failure_entry(
    conversation: Conversation, event: PendingInbound, now: datetime, exc: Exception
) -> LogEntry:
    return LogEntry(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        kind="turn.failed",
        actor="system",
        created_at=now,
        data={"error": type(exc).__name__},
        inbound_id=event.id,
    )
