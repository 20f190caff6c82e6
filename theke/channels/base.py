"""What every channel shares: the inbound event and the sending seam."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

from sqlalchemy import Connection

from theke.content import Content
from theke.outreach.policy import SEND, Allow

__all__ = [
    "Delivered",
    "InboundEvent",
    "InboundKind",
    "LocalDelivery",
    "LocalSender",
    "Sender",
    "announce",
    "deliver_locally",
    "extra_time",
]

InboundKind = Literal["message", "postback", "referral", "status", "echo", "handover", "comment"]
"""What a parsed platform event is; only ``message``, ``postback`` and ``referral`` are
answered by the bot.

- ``message``: text and/or attachments the customer sent;
- ``postback``: a tapped button or quick reply (``postback`` holds its payload, ``title``
  what the button said);
- ``referral``: the customer came through a link or an ad without writing (an m.me link
  with ``ref`` opened in an existing thread); ``extra["referral"]`` says from where;
- ``status``: something happened to the conversation on the platform, recorded, never
  answered — ``extra["status"]`` is one of ``blocked``, ``unblocked`` (Telegram),
  ``delivered``, ``read``, ``sent``, ``failed`` (our message's fate), ``optin``,
  ``optout`` (Messenger's marketing-messages opt-in);
- ``echo``: a message the business side sent came back from the platform: ours
  (``extra["own"]`` true: only recorded) or typed by a person in Meta's own inbox (the
  bot pauses for that conversation);
- ``handover``: thread control moved between apps (Messenger's handover protocol);
- ``comment``: a comment under one of the shop's posts: not a conversation, stored for
  the inbox.

Common ``extra`` keys, the same on every channel: ``attachments`` (a list of ``{"type":
"image" | "audio" | "video" | "file" | "location", ...}``), ``referral`` (``{"source",
"type", "ref", "ad_id", ...}``), ``contact_phone`` (E.164) with ``contact_verified`` (the
platform confirms the number belongs to the customer), ``profile_name``,
``language_code``.
"""


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One thing a customer did on a channel, parsed at the edge.

    ``event_id`` is the platform's own unique id (Messenger's mid, Telegram's
    update_id, ...) or one we minted; the store keeps one event per
    ``(channel, event_id)`` so retried deliveries are dropped.
    """

    channel: str
    event_id: str
    sender: str
    kind: InboundKind
    received_at: datetime
    text: str | None = None
    postback: str | None = None
    title: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def typed(
        cls,
        channel: str,
        sender: str,
        *,
        text: str | None = None,
        postback: str | None = None,
        title: str | None = None,
        event_id: str | None = None,
    ) -> InboundEvent:
        """What a customer typed or tapped, received now; a fresh event id unless given."""
        return cls(
            channel=channel,
            event_id=event_id or f"{sender}:{secrets.token_hex(12)}",
            sender=sender,
            kind="message" if text is not None else "postback",
            received_at=datetime.now(UTC),
            text=text,
            postback=postback,
            title=title,
        )

    @property
    def conversation_key(self) -> str:
        return f"{self.channel}:{self.sender}"

    def to_payload(self) -> dict[str, Any]:
        """The JSON form kept in the inbound queue."""
        payload: dict[str, Any] = {"kind": self.kind, "sender": self.sender}
        for name in ("text", "postback", "title"):
            value = getattr(self, name)
            if value is not None:
                payload[name] = value
        if self.extra:
            payload["extra"] = self.extra
        return payload


@runtime_checkable
class Sender(Protocol):
    """Delivers one content value to one recipient on one channel.

    ``allow`` is the policy's yes, saying how to send it (Messenger's messaging type
    and message tag); channels without such rules ignore it.

    Raises ``theke.errors.DeliveryError`` subclasses; returns normally only when
    the platform accepted the message.
    """

    channel: str

    async def send(
        self, recipient: str, content: Content, *, outbox_id: int, allow: Allow = SEND
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class LocalDelivery:
    """One outbox message for a channel whose "platform" is our own database."""

    recipient: str
    content: dict[str, Any]
    outbox_id: int
    actor: str


@runtime_checkable
class LocalSender(Protocol):
    """A channel whose "platform" is our own database (the web chat).

    ``deliver`` writes inside the dispatcher's transaction (on a database
    thread), so a delivery and its outbox status commit together, and returns
    what it wrote; ``delivered`` gets that back on the event loop after the
    commit, to wake the visitors' open connections.
    """

    channel: str

    def deliver(self, conn: Connection, messages: Sequence[LocalDelivery]) -> Sequence[Any]: ...

    async def delivered(self, written: Sequence[Any]) -> None: ...


Delivered = list[tuple[LocalSender, Sequence[Any]]]
"""What local senders wrote in a transaction, to hand back to them after the commit."""


def deliver_locally(
    conn: Connection,
    senders: Mapping[str, LocalSender],
    messages: Iterable[tuple[str, LocalDelivery]],
) -> Delivered:
    """Write ``(channel, message)`` pairs through their local senders, one batch per channel.

    Runs inside the caller's transaction; pass the result to ``announce`` after the commit.
    """
    batches: dict[str, list[LocalDelivery]] = {}
    for channel, message in messages:
        batches.setdefault(channel, []).append(message)
    return [
        (senders[channel], senders[channel].deliver(conn, batch))
        for channel, batch in batches.items()
    ]


async def announce(delivered: Delivered) -> None:
    """After the commit: let each local sender wake the visitors it wrote to."""
    for sender, written in delivered:
        await sender.delivered(written)


def extra_time(value: object) -> datetime | None:
    """A time in an event's ``extra`` (ISO 8601, as the parsers write them), or None."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
