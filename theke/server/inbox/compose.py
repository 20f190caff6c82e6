"""Sending to the customer from a conversation's page: a reply (or a canned response by
its shortcut), a product card from the catalog, or an approved WhatsApp template."""

from __future__ import annotations

import structlog
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.inbox import handling
from theke.inbox.changes import LIVE_TOPIC
from theke.inbox.compose import expand_shortcut, template_choices, template_values
from theke.inbox.picker import card_for
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Agent, CheckedForm, client_ip
from theke.server.inbox.conversation import act, page
from theke.store.schema import utcnow

__all__ = ["router"]

router = APIRouter(prefix="/inbox/c", route_class=InboxRoute, include_in_schema=False)

_log = structlog.get_logger("theke.server.inbox")


@router.post("/{conversation_id}/reply")
async def send_reply(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Queue the agent's message (a shortcut becomes its canned text) and wake the sender."""
    text, now, ip = form.text("text"), utcnow(), client_ip(request)

    def send(conn: Connection) -> int:
        return handling.reply(
            conn, conversation_id, agent.user, expand_shortcut(conn, text), now, ip=ip
        )

    try:
        outbox_id = await act(request, send)
    except ValueError as exc:
        return await page(request, conversation_id, status=400, error=str(exc), draft=text)
    return await _sent(request, conversation_id, agent, outbox_id)


@router.post("/{conversation_id}/card")
async def send_card(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Send the card of a product found with the picker."""
    sku, now, ip = form.text("sku"), utcnow(), client_ip(request)
    public_url = runtime_of(request).settings.public_url

    def send(conn: Connection) -> int:
        card = card_for(conn, sku, public_url)
        if card is None:
            raise PageError(404, "Diesen Artikel gibt es nicht (mehr).", title="Nicht gefunden")
        return handling.send_card(conn, conversation_id, agent.user, card, now, ip=ip)

    return await _sent(request, conversation_id, agent, await act(request, send))


@router.post("/{conversation_id}/template")
async def send_template(
    request: Request, conversation_id: str, agent: Agent, form: CheckedForm
) -> Response:
    """Send an approved WhatsApp template, filled with the values from the form."""
    now, ip = utcnow(), client_ip(request)
    choices = template_choices(runtime_of(request).bot.config.whatsapp.templates)
    choice = next((item for item in choices if item.purpose == form.text("purpose")), None)
    if choice is None:
        raise PageError(404, "Diese Vorlage gibt es nicht.", title="Nicht gefunden")
    try:
        values = template_values(choice, {field: form.text(field) for field in choice.fields})
    except ValueError as exc:
        return await page(request, conversation_id, status=400, error=str(exc))
    shown = f"Vorlage {choice.name}: " + " · ".join(values.values()) if values else choice.name

    def send(conn: Connection) -> int:
        return handling.send_template(
            conn, conversation_id, agent.user, choice.purpose, values, shown, now, ip=ip
        )

    return await _sent(request, conversation_id, agent, await act(request, send))


async def _sent(request: Request, conversation_id: str, agent: Agent, outbox_id: int) -> Response:
    await runtime_of(request).signals.publish("outbox", LIVE_TOPIC)
    _log.info("theke.server.inbox.replied", user_id=agent.user.id, outbox_id=outbox_id)
    raise Redirect(f"/inbox/c/{conversation_id}?ok=sent")
