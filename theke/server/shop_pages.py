"""The pages Stripe sends a customer back to after paying (or not): back to the chat."""

from __future__ import annotations

import html

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from theke.server.deps import runtime_of

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{font:17px/1.5 system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem}}
</style></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"""

_TEXTS = {
    "paid": (
        "Danke! · Thank you!",
        "Sobald die Zahlung bestätigt ist, steht es im Chat; du kannst dieses Fenster "
        "schließen. · As soon as the payment is confirmed, the chat tells you; you can close "
        "this window.",
    ),
    "cancelled": (
        "Zahlung abgebrochen · Payment cancelled",
        "Es wurde nichts bezahlt. Im Chat kannst du den Link noch einmal öffnen, solange er "
        "gilt. · Nothing was paid. You can open the link in the chat again while it is valid.",
    ),
}


@router.get("/shop/orders/{number}/{outcome}")
async def back_from_payment(request: Request, number: str, outcome: str) -> HTMLResponse:
    """Where Stripe's page leads back to. It says nothing about the order itself (anyone can
    open the address): the chat has the truth, from Stripe's signed webhook."""
    title, text = _TEXTS.get(outcome, _TEXTS["cancelled"])
    name = runtime_of(request).bot.config.name
    page = _PAGE.format(lang="de", title=html.escape(f"{title} – {name}"), text=html.escape(text))
    return HTMLResponse(page, status_code=200 if outcome in _TEXTS else 404)
