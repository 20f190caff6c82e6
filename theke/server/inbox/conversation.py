"""One conversation in the inbox: its history as the customer saw it, the customer's
orders and cart, and the agent's actions (take over, reply, note, assign, hand back to
the bot, close). Opening it marks what the customer wrote as read for the agent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NoReturn, TypeVar

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.content.codec import from_json
from theke.content.model import Content
from theke.content.money import format_price
from theke.errors import ContentError
from theke.inbox import customer, handling
from theke.inbox.changes import LIVE_TOPIC
from theke.inbox.compose import Composer, composer, template_choices
from theke.inbox.customer import CustomerPanel, customer_panel
from theke.inbox.handling import Entry, HandlingRefused, UnknownConversation
from theke.inbox.listing import channel_name, mark_read
from theke.inbox.picker import QUERY_MAX
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent, CheckedForm, client_ip
from theke.store import conversations, orders, users
from theke.store.conversations import Conversation
from theke.store.schema import utcnow
from theke.store.users import User

__all__ = ["Bubble", "act", "page", "router"]

router = APIRouter(prefix="/inbox/c", route_class=InboxRoute, include_in_schema=False)

_NOT_FOUND = "Dieses Gespräch gibt es nicht."
_MODES = {"human": "bei einer Person", "bot": "beim Bot"}
_NOTICES = {
    "taken": "Du hast das Gespräch übernommen. Der Bot schweigt, bis du es zurückgibst.",
    "sent": "Deine Nachricht ist unterwegs.",
    "returned": "Das Gespräch ist wieder beim Bot; er stellt sich beim nächsten Mal neu vor.",
    "noted": "Die Notiz ist gespeichert. Nur das Team sieht sie.",
    "assigned": "Das Gespräch ist weitergegeben.",
    "closed": "Das Gespräch ist geschlossen. Schreibt der Kunde wieder, antwortet der Bot.",
    "tagged": "Die Tags sind geändert.",
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
    is_note: bool = False  # for the team only
    author: str | None = None  # the agent's e-mail, for replies and notes


@dataclass(frozen=True, slots=True)
class _View:
    conversation: Conversation
    holder: User | None
    entries: list[Entry]
    orders: list[orders.Order]
    language: str | None
    hold: str | None
    colleagues: list[User]
    customer: CustomerPanel


@router.get("/{conversation_id}")
async def conversation_page(
    request: Request,
    conversation_id: str,
    agent: Agent,
    ok: str = "",
    canned: int | None = None,
    product: str = "",
) -> Response:
    """The conversation with its side panel and the agent's actions; ``canned`` starts the
    reply from a canned response, ``product`` searches the catalog for a card to send."""
    return await page(
        request, conversation_id, notice=_NOTICES.get(ok), canned_id=canned, product=product
    )


@router.post("/{conversation_id}/take")
async def take(request: Request, conversation_id: str, agent: Agent, form: CheckedForm) -> Response:
    """Take the conversation over from the bot (refused when another agent has it)."""
    now, ip = utcnow(), client_ip(request)
    await act(
        request, lambda conn: handling.take_over(conn, conversation_id, agent.user, now, ip=ip)
    )
    _log.info("theke.server.inbox.taken", user_id=agent.user.id, conversation_id=conversation_id)
    await _changed(request, conversation_id, "taken")


@router.post("/{conversation_id}/return")
async def give_back(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Hand the conversation back to the bot."""
    now, ip = utcnow(), client_ip(request)
    await act(
        request, lambda conn: handling.hand_back(conn, conversation_id, agent.user, now, ip=ip)
    )
    _log.info("theke.server.inbox.returned", user_id=agent.user.id, conversation_id=conversation_id)
    await _changed(request, conversation_id, "returned")


@router.post("/{conversation_id}/note")
async def add_note(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """An internal note for the team; the customer never sees it."""
    text, now, ip = form.text("note"), utcnow(), client_ip(request)
    try:
        await act(
            request,
            lambda conn: handling.note(conn, conversation_id, agent.user, text, now, ip=ip),
        )
    except ValueError as exc:
        return await page(request, conversation_id, status=400, error=str(exc), note=text)
    await _changed(request, conversation_id, "noted")


@router.post("/{conversation_id}/assign")
async def give_to(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Give the conversation to a colleague."""
    to_id, now, ip = form.text("to"), utcnow(), client_ip(request)

    def assign(conn: Connection) -> Conversation:
        to = users.get(conn, to_id)
        if to is None:
            raise HandlingRefused("Diese Person gibt es nicht.")
        return handling.assign(conn, conversation_id, agent.user, to, now, ip=ip)

    await act(request, assign)
    await _changed(request, conversation_id, "assigned")


@router.post("/{conversation_id}/tag")
async def tag_customer(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Add a tag to the customer, or take one off (``remove`` set)."""
    label, remove, ip = form.text("tag"), form.text("remove") == "1", client_ip(request)

    def change(conn: Connection) -> None:
        conversation = conversations.get(conn, conversation_id)
        if conversation is None:
            raise UnknownConversation(conversation_id)
        customer.tag(conn, conversation.customer_id, label, agent.user, remove=remove, ip=ip)

    try:
        await act(request, change)
    except ValueError as exc:
        return await page(request, conversation_id, status=400, error=str(exc))
    raise Redirect(f"/inbox/c/{conversation_id}?ok=tagged")


@router.post("/{conversation_id}/close")
async def close(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Close the conversation: done for now; the bot has it again."""
    now, ip = utcnow(), client_ip(request)
    await act(request, lambda conn: handling.close(conn, conversation_id, agent.user, now, ip=ip))
    await _changed(request, conversation_id, "closed")


async def _changed(request: Request, conversation_id: str, ok: str) -> NoReturn:
    """After an action on the conversation: open pages hear of it, and the agent is
    sent back to it with the notice ``ok``."""
    await runtime_of(request).signals.publish(LIVE_TOPIC)
    raise Redirect(f"/inbox/c/{conversation_id}?ok={ok}")


async def act(request: Request, action: Callable[[Connection], T]) -> T:
    """Run ``action`` in a write transaction; refusals become pages (404, 409)."""
    try:
        return await runtime_of(request).db.write(action)
    except UnknownConversation as exc:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden") from exc
    except HandlingRefused as exc:
        raise PageError(409, str(exc), title="Schon vergeben") from exc


async def page(
    request: Request,
    conversation_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    draft: str = "",
    note: str = "",
    canned_id: int | None = None,
    product: str = "",
) -> Response:
    """The conversation's page (``status``, a notice or an error, what was typed)."""
    now, user_id = utcnow(), request.state.agent.user.id
    runtime = runtime_of(request)

    def load(conn: Connection) -> tuple[_View | None, Composer]:
        offered = composer(conn, canned_id=canned_id, product_query=product[:QUERY_MAX])
        return _load(conn, conversation_id, user_id, now), offered

    view, offered = await runtime.db.write(load)
    if view is None:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    templates = (
        template_choices(runtime.bot.config.whatsapp.templates)
        if view.hold == handling.NEEDS_TEMPLATE
        else []
    )
    conversation = view.conversation
    emails = {user.id: user.email for user in view.colleagues}
    return render(
        request,
        "conversation.html",
        status=status,
        title=f"Gespräch mit Kunde {conversation.customer_id[:8]}",
        c=conversation,
        channel=channel_name(conversation.channel),
        mode=_MODES.get(conversation.mode, conversation.mode),
        holder=view.holder,
        language=view.language,
        bubbles=[_bubble(entry, emails) for entry in view.entries],
        orders=[_order_line(order) for order in view.orders],
        cart=_cart(conversation.state),
        hold=view.hold,
        notice=notice,
        error=error,
        draft=draft or offered.draft,
        note=note,
        composer=offered,
        templates=templates,
        colleagues=[user for user in view.colleagues if user.active],
        customer=view.customer,
        reply_max=handling.REPLY_MAX,
        note_max=handling.NOTE_MAX,
        now=now,
    )


def _load(conn: Connection, conversation_id: str, user_id: str, now: datetime) -> _View | None:
    """Everything the page shows; what the customer wrote counts as read by the agent."""
    conversation = conversations.get(conn, conversation_id)
    if conversation is None:
        return None
    mark_read(conn, user_id, conversation_id, now)
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
        colleagues=users.all_users(conn),
        customer=customer_panel(conn, conversation.customer_id),
    )


def _bubble(entry: Entry, emails: dict[str, str]) -> Bubble:
    side = "customer" if entry.actor == "customer" else "shop"
    try:
        content = from_json(entry.content) if entry.content is not None else None
    except ContentError:
        content = None
    return Bubble(
        side=side,
        actor=entry.actor,
        created_at=entry.created_at,
        content=content,
        is_note=entry.kind == "note",
        author=emails.get(entry.user_id) if entry.user_id else None,
    )


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
