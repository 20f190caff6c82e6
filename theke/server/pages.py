"""The widget script and the demo shop page, shipped inside the package (no CDN)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

__all__ = ["router", "static_root"]

router = APIRouter(include_in_schema=False)

_WIDGET = files("theke.channels.webchat").joinpath("static/widget.js")
_DEMO = files("theke.server").joinpath("static/demo/index.html")


def static_root() -> str:
    return str(files("theke.server").joinpath("static"))


@router.get("/widget.js")
async def widget() -> Response:
    return Response(
        _WIDGET.read_bytes(),
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"},
    )


@router.get("/")
async def demo_page() -> HTMLResponse:
    return HTMLResponse(_DEMO.read_text(encoding="utf-8"))
