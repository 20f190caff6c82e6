"""The pictures of the bot's catalog: ``catalog/images/NAME`` served at ``/catalog/images/NAME``.

Only plain file names of pictures are served (letters, digits, ``.``, ``_``,
``-`` and a picture extension), so no request can reach outside that folder.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from theke.server.deps import runtime_of
from theke.server.errors import ApiError

__all__ = ["router"]

router = APIRouter(tags=["catalog"])

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "gif": "image/gif",
    "avif": "image/avif",
}
_HEADERS = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}


@router.get("/catalog/images/{name}")
async def catalog_image(request: Request, name: str) -> FileResponse:
    """A product picture from the bot folder's ``catalog/images``."""
    media_type = _TYPES.get(name.rpartition(".")[2].lower()) if _NAME.fullmatch(name) else None
    path = runtime_of(request).bot.path / "catalog" / "images" / name
    if media_type is None or not path.is_file():
        raise ApiError(404, "not_found", "there is no such catalog image")
    return FileResponse(path, media_type=media_type, headers=_HEADERS)
