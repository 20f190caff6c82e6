"""Request helpers shared by the routes: the runtime, JSON bodies, origins."""

from __future__ import annotations

import json
from typing import TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from theke.runtime import Runtime
from theke.server.errors import ApiError

__all__ = ["origin_allowed", "read_json", "runtime_of"]

M = TypeVar("M", bound=BaseModel)


def runtime_of(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def origin_allowed(origin: str | None, allowed: list[str]) -> bool:
    """Browsers send Origin; other clients may not (they carry the token instead)."""
    return origin is None or origin.rstrip("/") in allowed or "*" in allowed


async def read_json(request: Request, model: type[M]) -> M:
    """Parse a JSON body into ``model``; 400 with the reason when it is not valid."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(400, "bad_content_type", "send the body as application/json")
    raw = await request.body()
    try:
        data = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ApiError(400, "malformed_json", f"the body is not valid JSON: {exc}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise ApiError(400, "bad_request", f"{where}: {first['msg']}") from exc
