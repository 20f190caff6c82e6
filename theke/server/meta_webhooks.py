"""``/webhooks/messenger`` and ``/webhooks/whatsapp``: Meta's deliveries, checked, stored.

- ``GET`` answers Meta's verification handshake: with ``hub.mode=subscribe`` and the
  configured verify token, the body is ``hub.challenge``; anything else gets 403.
- ``POST`` checks ``X-Hub-Signature-256`` — ``sha256=`` and the hex HMAC-SHA256 of the raw
  body under the app secret, compared in constant time: missing 401, wrong 403. Every
  entry of a batched delivery is parsed; the events are committed before the 200 goes out
  (a redelivery, with the same mid or wamid, is stored once) and the worker answers them.
  Comments under the shop's posts are stored for the inbox in the same request.
- After the 200, off its path, the customer sees that we read their message and that an
  answer is being typed (Messenger's ``mark_seen`` and ``typing_on``; WhatsApp's read
  receipt with its typing indicator).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog
from fastapi import APIRouter, Request, Response
from pydantic import SecretStr

from theke.channels.base import InboundEvent
from theke.runtime import Runtime
from theke.server._inbound import accept, acknowledge_later, storable
from theke.server.deps import runtime_of
from theke.server.errors import ApiError
from theke.settings import Settings
from theke.store import comments

__all__ = ["router", "signature"]

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

_HEADER = "X-Hub-Signature-256"
_log = structlog.get_logger("theke.channels.meta")


@dataclass(frozen=True, slots=True)
class _Channel:
    name: str
    app_secret: SecretStr | None
    verify_token: SecretStr | None
    parse: Callable[[bytes], list[InboundEvent]]


def signature(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends with ``body``."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _messenger(settings: Settings) -> _Channel:
    from theke.channels.messenger.events import MessengerWebhookError, parse_delivery

    def parse(body: bytes) -> list[InboundEvent]:
        try:
            return parse_delivery(
                body, page_id=settings.messenger_page_id, app_id=settings.messenger_app_id
            )
        except MessengerWebhookError as exc:
            raise ApiError(400, "bad_delivery", str(exc)) from exc

    return _Channel(
        "messenger", settings.messenger_app_secret, settings.messenger_verify_token, parse
    )


def _whatsapp(settings: Settings) -> _Channel:
    from theke.channels.whatsapp.events import WhatsAppWebhookError, parse_delivery

    def parse(body: bytes) -> list[InboundEvent]:
        try:
            return parse_delivery(body, phone_number_id=settings.whatsapp_phone_number_id)
        except WhatsAppWebhookError as exc:
            raise ApiError(400, "bad_delivery", str(exc)) from exc

    return _Channel("whatsapp", settings.whatsapp_app_secret, settings.whatsapp_verify_token, parse)


_CHANNELS = {"messenger": _messenger, "whatsapp": _whatsapp}


@router.get("/messenger")
async def verify_messenger(request: Request) -> Response:
    return _verify(request, _messenger(runtime_of(request).settings))


@router.get("/whatsapp")
async def verify_whatsapp(request: Request) -> Response:
    return _verify(request, _whatsapp(runtime_of(request).settings))


@router.post("/messenger", status_code=200)
async def messenger(request: Request) -> Response:
    return await _receive(request, "messenger")


@router.post("/whatsapp", status_code=200)
async def whatsapp(request: Request) -> Response:
    return await _receive(request, "whatsapp")


def _verify(request: Request, channel: _Channel) -> Response:
    """Meta's subscription handshake: echo the challenge to the one who knows the token."""
    if channel.verify_token is None:
        raise ApiError(404, "not_configured", f"the {channel.name} channel is not set up here")
    query = request.query_params
    given = query.get("hub.verify_token", "")
    expected = channel.verify_token.get_secret_value()
    if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
        given.encode(), expected.encode()
    ):
        _log.warning("theke.channels.meta.verification_refused", channel=channel.name)
        raise ApiError(403, "verification_refused", "hub.mode or hub.verify_token is wrong")
    return Response(query.get("hub.challenge", ""), media_type="text/plain")


async def _receive(request: Request, name: str) -> Response:
    runtime = runtime_of(request)
    channel = _CHANNELS[name](runtime.settings)
    if channel.app_secret is None:
        raise ApiError(404, "not_configured", f"the {name} channel is not set up here")
    body = await request.body()
    given = request.headers.get(_HEADER)
    if given is None:
        _log.warning("theke.channels.meta.signature_missing", channel=name)
        raise ApiError(401, "signature_missing", f"the {_HEADER} header is missing")
    expected = signature(body, channel.app_secret.get_secret_value())
    if not hmac.compare_digest(given.encode(), expected.encode()):
        _log.warning("theke.channels.meta.signature_rejected", channel=name)
        raise ApiError(403, "signature_rejected", f"the {_HEADER} header does not match the body")
    events = channel.parse(body)
    said = [event for event in events if event.kind != "comment"]
    await accept(runtime, said)  # first: a comment that fails must not cost the messages
    await _store_comments(runtime, [storable(e) for e in events if e.kind == "comment"])
    acknowledge_later(runtime, name, said)
    return Response(status_code=200)


async def _store_comments(runtime: Runtime, events: Sequence[InboundEvent]) -> None:
    if events:
        await runtime.db.write(lambda conn: comments.store(conn, events))
