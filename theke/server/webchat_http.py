"""The web chat's plain HTTP API (the widget's fallback when WebSockets fail)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict

from theke.channels.webchat.service import BadRequest, decode_cursor, encode_cursor
from theke.server.deps import origin_allowed, read_json, runtime_of
from theke.server.errors import ApiError

__all__ = ["router"]

router = APIRouter(prefix="/webchat", tags=["webchat"])


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    postback: str | None = None
    title: str | None = None
    client_id: str | None = None
    source: dict[str, str] | None = None  # the page's utm_* and ref: where the visitor came from


class SessionOut(BaseModel):
    customer_id: str
    token: str


def _check_origin(request: Request) -> None:
    allowed = runtime_of(request).settings.allowed_origins()
    if not origin_allowed(request.headers.get("origin"), allowed):
        raise ApiError(403, "origin_not_allowed", "this site may not use the chat widget")


async def _customer(request: Request) -> str:
    _check_origin(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "send the visitor token as 'Authorization: Bearer'")
    customer_id = await runtime_of(request).webchat.authenticate(token.strip())
    if customer_id is None:
        raise ApiError(401, "unauthorized", "the visitor token is not valid; start a new session")
    return customer_id


@router.post("/sessions", status_code=201, response_model=SessionOut)
async def create_session(request: Request) -> SessionOut:
    """Start a visitor session: a new customer id and the token that proves it."""
    _check_origin(request)
    customer_id, token = await runtime_of(request).webchat.create_session()
    return SessionOut(customer_id=customer_id, token=token)


@router.post(
    "/messages",
    status_code=202,
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": MessageIn.model_json_schema()}}}
    },
)
async def post_message(request: Request) -> JSONResponse:
    """Send what the visitor typed (``text``) or tapped (``postback`` with its ``title``)."""
    customer_id = await _customer(request)
    body = await read_json(request, MessageIn)
    try:
        stored = await runtime_of(request).webchat.accept(
            customer_id,
            text=body.text,
            postback=body.postback,
            title=body.title,
            client_id=body.client_id,
            source=body.source,
        )
    except BadRequest as exc:
        raise ApiError(400, "bad_request", str(exc)) from exc
    payload: dict[str, Any] = {"id": str(stored.id) if stored else None}
    if stored is None:
        payload["duplicate"] = True
    return JSONResponse(payload, status_code=202)


@router.get("/messages")
async def get_messages(request: Request, after: str | None = None) -> dict[str, Any]:
    """The conversation from its start, or what came after ``after`` (waiting up to 25 s)."""
    customer_id = await _customer(request)
    try:
        start = decode_cursor(after)
    except BadRequest as exc:
        raise ApiError(400, "bad_cursor", str(exc)) from exc
    webchat = runtime_of(request).webchat
    wait = webchat.long_poll_seconds if after is not None else 0.0
    messages = await webchat.history(customer_id, start, wait=wait)
    last = messages[-1].id if messages else start
    return {"messages": [m.to_json() for m in messages], "cursor": encode_cursor(last)}
