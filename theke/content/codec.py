"""The JSON form of content: how it is stored in the outbox and sent over the API."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from theke.content.model import Content
from theke.errors import ContentError

__all__ = ["content_json_schema", "dumps", "from_json", "loads", "to_json"]

_ADAPTER: TypeAdapter[Content] = TypeAdapter(Content)
_SHOWN_ERRORS = 5


def to_json(content: Content) -> dict[str, Any]:
    """A JSON-ready dict with ``type`` on every value; fields that are None are left out."""
    return content.model_dump(mode="json", exclude_none=True)


def text_json(text: str) -> dict[str, Any]:
    """The JSON form of ``Text(text=text)`` without building the model.

    For the hot path only, with text a channel already checked against
    ``TEXT_MAX``; everything else goes through the model.
    """
    return {"type": "text", "text": text}


def from_json(data: object) -> Content:
    """Content from its JSON form (a parsed dict).

    Raises ``ContentError`` naming each field that is wrong and the limit it breaks.
    """
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ContentError(_describe(exc)) from exc


def dumps(content: Content) -> str:
    """Compact JSON text of one content value, None fields left out."""
    return _ADAPTER.dump_json(content, exclude_none=True).decode()


def loads(text: str | bytes) -> Content:
    """Content from JSON text; raises ``ContentError`` when it is not valid content."""
    try:
        return _ADAPTER.validate_json(text)
    except ValidationError as exc:
        raise ContentError(_describe(exc)) from exc


def content_json_schema() -> dict[str, Any]:
    """The JSON Schema every stored or posted content value conforms to."""
    schema = _ADAPTER.json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Theke content",
        "description": "One message the bot sends, before a channel renders it.",
        **schema,
    }


def _describe(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    lines = [f"{_where(error)}: {_problem(error)}" for error in errors[:_SHOWN_ERRORS]]
    if len(errors) > _SHOWN_ERRORS:
        lines.append(f"... and {len(errors) - _SHOWN_ERRORS} more")
    return "Invalid content. " + "; ".join(lines)


def _where(error: ErrorDetails) -> str:
    """``('card', 'buttons', 0, 'url', 'title')`` becomes ``card.buttons[0].url.title``."""
    where = ""
    for part in error["loc"]:
        where += f"[{part}]" if isinstance(part, int) else f".{part}"
    return where.lstrip(".") or "content"


def _problem(error: ErrorDetails) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    if kind == "union_tag_not_found":
        return (
            "missing 'type' (one of text, quick_replies, buttons, card, carousel, media, typing,"
            " consent, receipt)"
        )
    if kind in {"string_too_long", "string_too_short"} and isinstance(value, str):
        return f"{error['msg']} (got {len(value)})"
    return error["msg"]
