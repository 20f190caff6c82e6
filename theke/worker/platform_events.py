"""Events the bot does not answer: what each one changes, and what the log keeps of it.

- ``status``: blocking a bot makes the customer unreachable on that channel, restarting
  it reachable again; deliveries, reads and failures of our messages are logged; a
  marketing-messages opt-in stores its token, a stop ends it;
- ``echo``: our own message coming back is only logged; a reply a person typed in Meta's
  own Page inbox pauses the bot for that conversation (``human_pause``, default 30
  minutes) — the person is talking, the bot must not talk over them;
- ``handover``: Messenger's handover protocol — thread control passed to our app gives the
  conversation back to the bot, taken by another app (a live-chat tool) gives it to a
  person until handed back;
- a message that arrives while another app owns the thread (``standby``) is logged, not
  answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from theke.channels.base import extra_time
from theke.content import text_json
from theke.store.optins import OptinChange

__all__ = ["ANSWERED", "Note", "answered", "note", "opens_window"]

ANSWERED = frozenset({"message", "postback", "referral"})
"""The kinds the bot answers (unless they arrive in standby)."""

_DELIVERY = {"delivered", "read", "sent", "failed"}
_UNDELIVERABLE = {131026}
"""WhatsApp reports a number it cannot deliver to in the message's ``failed`` status."""


@dataclass(frozen=True, slots=True)
class Note:
    """What one unanswered event writes to the log and changes in its conversation."""

    kind: str
    actor: str = "customer"
    data: dict[str, Any] | None = None
    content: dict[str, Any] | None = None
    mode: str | None = None  # "human" or "bot": who has the conversation from now on
    human_until: datetime | None = None
    reachable: bool | None = None
    optin: OptinChange | None = None


def opens_window(payload: dict[str, Any]) -> bool:
    """Whether the event is the customer reaching out (the platforms' windows restart)."""
    return payload.get("kind") in ANSWERED


def answered(payload: dict[str, Any]) -> bool:
    extra = payload.get("extra") or {}
    return payload.get("kind") in ANSWERED and not extra.get("standby")


def note(
    payload: dict[str, Any],
    *,
    conversation_id: str,
    channel: str,
    now: datetime,
    human_pause: timedelta,
) -> Note:
    """The log entry and the changes for one event ``answered`` turns down."""
    kind = payload.get("kind")
    extra: dict[str, Any] = payload.get("extra") or {}
    if kind == "echo":
        return _echo(payload, extra, now, human_pause)
    if kind == "handover":
        return _handover(extra)
    if kind == "status":
        return _status(extra, conversation_id=conversation_id, channel=channel)
    text = payload.get("text")
    return Note(  # a message while another app owns the thread
        "message.standby", content=text_json(text) if text else None, data={"kind": kind}
    )


def _echo(payload: dict[str, Any], extra: dict[str, Any], now: datetime, pause: timedelta) -> Note:
    text = payload.get("text")
    content = text_json(text) if text else None
    if extra.get("own"):
        return Note("message.echo", actor="bot", data={"mid": extra.get("mid")})
    return Note(
        "agent.message.platform",  # typed in Meta's own inbox
        actor="agent",
        content=content,
        data={"app_id": extra.get("app_id"), "paused_minutes": pause.total_seconds() / 60},
        mode="human",
        human_until=now + pause,
    )


def _handover(extra: dict[str, Any]) -> Note:
    action = extra.get("action")
    data = _pick(extra, "action", "to_app_id", "from_app_id")
    if action == "pass" and extra.get("to_us"):
        return Note("handover.received", actor="system", data=data, mode="bot")
    if action in ("pass", "take"):
        return Note("handover.lost", actor="system", data=data, mode="human")
    return Note("handover.requested", actor="system", data=data)


def _status(extra: dict[str, Any], *, conversation_id: str, channel: str) -> Note:
    status = str(extra.get("status") or "")
    if status in ("blocked", "unblocked"):
        blocked = status == "blocked"
        return Note(f"channel.{status}", reachable=not blocked)
    if status in _DELIVERY:
        data = _pick(extra, "message_id", "watermark", "errors")
        codes = {
            error.get("code") for error in extra.get("errors") or [] if isinstance(error, dict)
        }
        gone = status == "failed" and bool(codes & _UNDELIVERABLE)
        return Note(
            f"message.{status}",
            actor="system",
            data=data or None,
            reachable=False if gone else None,
        )
    if status in ("optin", "optout"):
        topic = str(extra.get("topic") or "default")[:200]
        token = extra.get("token") if status == "optin" else None
        expires = extra.get("expires_at")
        change = OptinChange(
            conversation_id=conversation_id,
            channel=channel,
            topic=topic,
            token=str(token) if token else None,
            expires_at=extra_time(expires),
        )
        granted = change.token is not None
        return Note(
            "optin.granted" if granted else "optin.stopped", data={"topic": topic}, optin=change
        )
    return Note("channel.status", data={"status": status[:40]})


def _pick(extra: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: extra[key] for key in keys if key in extra}
