"""One conversation in the inbox: its history as the customer saw it, the customer's
orders and cart, and the agent's actions (take over, reply, hand back to the bot)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.content.codec import from_json
from theke.content.model import Content
from theke.content.money import format_price
from theke.errors import ContentError
from theke.inbox import handling
from theke.inbox.handling import Entry, HandlingRefused, UnknownConversation
from theke.inbox.waiting import Waiting
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent, CheckedForm, client_ip
from theke.store import conversations, orders
from theke.store.conversations import Conversation
from theke.store.schema import utcnow
from theke.store.users import User

__all__ = ["Bubble", "router"]

router = APIRouter(prefix="/inbox/c", route_class=InboxRoute, include_in_schema=False)

_NOT_FOUND = "Dieses Gespräch gibt es nicht."
_MODES = {"human": "bei einer Person", "bot": "beim Bot"}
_NOTICES = {
    "taken": "Du hast das Gespräch übernommen. Der Bot schweigt, bis du es zurückgibst.",
    "sent": "Deine Nachricht ist unterwegs.",
    "returned": "Das Gespräch ist wieder beim Bot; er stellt sich beim nächsten Mal neu vor.",
}

_log = structlog.get_logger("theke.server.inbox")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Bubble:
    """One message on the page: who wrote it, when, and its content (``None``: unreadable)."""

    side: str  # "customer" (left) or "shop" (right)
    actor: str
    created_at: datetime
    content: Content | None


@dataclass(frozen=True, slots=True)
class _View:
    conversation: Conversation
    holder: User | None
    entries: list[Entry]
    orders: list[orders.Order]
    language: str | None
    hold: str | None


@router.get("/{conversation_id}")
async def conversation_page(
    request: Request, conversation_id: str, agent: Agent, ok: str = ""
) -> Response:
    """The conversation with its side panel and the agent's actions."""
    return await _page(request, conversation_id, notice=_NOTICES.get(ok))


@router.post("/{conversation_id}/take")
async def take(request: Request, conversation_id: str, agent: Agent, form: CheckedForm) -> Response:
    """Take the conversation over from the bot (refused when another agent has it)."""
    now, ip = utcnow(), client_ip(request)
    await _act(
        request, lambda conn: handling.take_over(conn, conversation_id, agent.user, now, ip=ip)
    )
    _log.info("theke.server.inbox.taken", user_id=agent.user.id, conversation_id=conversation_id)
    raise Redirect(f"/inbox/c/{conversation_id}?ok=taken")


@router.post("/{conversation_id}/return")
async def give_back(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Hand the conversation back to the bot."""
    now, ip = utcnow(), client_ip(request)
    await _act(
        request, lambda conn: handling.hand_back(conn, conversation_id, agent.user, now, ip=ip)
    )
    _log.info("theke.server.inbox.returned", user_id=agent.user.id, conversation_id=conversation_id)
    raise Redirect(f"/inbox/c/{conversation_id}?ok=returned")


@router.post("/{conversation_id}/reply")
async def send_reply(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Queue the agent's message for the customer and wake the sender."""
    text, now, ip = form.text("text"), utcnow(), client_ip(request)
    runtime = runtime_of(request)
    try:
        outbox_id = await _act(
            request,
            lambda conn: handling.reply(conn, conversation_id, agent.user, text, now, ip=ip),
        )
    except ValueError as exc:
        return await _page(request, conversation_id, status=400, error=str(exc), draft=text)
    await runtime.signals.publish("outbox")
    _log.info("theke.server.inbox.replied", user_id=agent.user.id, outbox_id=outbox_id)
    raise Redirect(f"/inbox/c/{conversation_id}?ok=sent")


async def _act(request: Request, action: Callable[[Connection], T]) -> T:
    """Run ``action`` in a write transaction; refusals become pages (404, 409)."""
    try:
        return await runtime_of(request).db.write(action)
    except UnknownConversation as exc:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden") from exc
    except HandlingRefused as exc:
        raise PageError(409, str(exc), title="Schon vergeben") from exc


async def _page(
    request: Request,
    conversation_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    draft: str = "",
) -> Response:
    now = utcnow()
    view = await runtime_of(request).db.read(lambda conn: _load(conn, conversation_id, now))
    if view is None:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    conversation = view.conversation
    return render(
        request,
        "conversation.html",
        status=status,
        title=f"Gespräch mit Kunde {conversation.customer_id[:8]}",
        c=conversation,
        channel=_channel_name(conversation.channel),
        mode=_MODES.get(conversation.mode, conversation.mode),
        holder=view.holder,
        language=view.language,
        bubbles=[_bubble(entry) for entry in view.entries],
        orders=[_order_line(order) for order in view.orders],
        cart=_cart(conversation.state),
        hold=view.hold,
        notice=notice,
        error=error,
        draft=draft,
        reply_max=handling.REPLY_MAX,
        now=now,
    )


def _load(conn: Connection, conversation_id: str, now: datetime) -> _View | None:
    conversation = conversations.get(conn, conversation_id)
    if conversation is None:
        return None
    profile = conversations.profiles(conn, [conversation.customer_id]).get(
        conversation.customer_id, {}
    )
    language = conversation.state.get("language") or profile.get("language")
    stopped = handling.opted_out(conn, conversation.customer_id)
    return _View(
        conversation=conversation,
        holder=handling.assignee(conn, conversation_id),
        entries=handling.history(conn, conversation_id),
        orders=orders.for_customer(conn, conversation.customer_id),
        language=language if isinstance(language, str) else None,
        hold=handling.preview(conversation, now, is_opted_out=stopped),
    )


def _channel_name(channel: str) -> str:
    return Waiting("", channel, "", None, None).channel_name


def _bubble(entry: Entry) -> Bubble:
    side = "customer" if entry.actor == "customer" else "shop"
    try:
        content = from_json(entry.content) if entry.content is not None else None
    except ContentError:
        content = None
    return Bubble(side=side, actor=entry.actor, created_at=entry.created_at, content=content)


def _order_line(order: orders.Order) -> dict[str, str]:
    total = format_price(Decimal(order.total_cents) / 100, order.currency)
    return {"number": order.number, "status": order.status, "total": total}


def _cart(state: dict[str, Any]) -> list[dict[str, Any]]:
    lines = state.get("cart")
    if not isinstance(lines, list):
        return []
    return [
        {"sku": line.get("sku"), "size": line.get("size"), "quantity": line.get("quantity", 1)}
        for line in lines
        if isinstance(line, dict)
    ]
