"""The canned responses page ("Textbausteine"): every agent reads them and their
shortcuts; admins add, change and delete them."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from theke.inbox.canned import SHORTCUT_MAX, TEXT_MAX, TITLE_MAX, check
from theke.server.deps import runtime_of
from theke.server.inbox._render import PageError, Redirect, render
from theke.server.inbox._route import InboxRoute
from theke.server.inbox.auth import Admin, Agent, CheckedForm, FormFields, client_ip
from theke.store import audit
from theke.store import canned as canned_store
from theke.store.canned import Canned, CannedExists

__all__ = ["router"]

router = APIRouter(prefix="/inbox/canned", route_class=InboxRoute, include_in_schema=False)

_NOTICES = {
    "added": "Der Textbaustein ist angelegt. Im Antwortfeld genügt jetzt sein Kürzel.",
    "changed": "Der Textbaustein ist geändert.",
    "removed": "Der Textbaustein ist gelöscht.",
}
_NOT_FOUND = "Diesen Textbaustein gibt es nicht (mehr)."
_ID = re.compile(r"[0-9]{1,18}")


@router.get("")
async def canned_list(request: Request, agent: Agent, ok: str = "") -> Response:
    return await _canned_page(request, notice=_NOTICES.get(ok))


async def _canned_page(
    request: Request,
    *,
    status: int = 200,
    notice: str | None = None,
    error: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    """The list; after a refused form, ``entered`` holds what was typed and ``form`` in
    it says which form ("new" or a canned response's id) shows it again."""
    responses = await runtime_of(request).db.read(canned_store.all_canned)
    return render(
        request,
        "canned.html",
        status=status,
        title="Textbausteine",
        responses=responses,
        notice=notice,
        error=error,
        entered=entered or {},
        limits={"shortcut": SHORTCUT_MAX, "title": TITLE_MAX, "text": TEXT_MAX},
    )


@router.post("")
async def add_canned(request: Request, admin: Admin, form: CheckedForm) -> Response:
    """A new canned response."""
    entered = _entered(form, "new")
    try:
        shortcut, title, text = check(entered["shortcut"], entered["title"], entered["text"])
    except ValueError as exc:
        return await _canned_page(request, status=400, error=str(exc), entered=entered)
    ip = client_ip(request)

    def add(conn: Connection) -> None:
        added = canned_store.add(conn, shortcut, title, text, admin.user.id)
        data = {"id": added.id}
        audit.record(conn, admin.user.id, "canned.added", target=shortcut, data=data, ip=ip)

    try:
        await runtime_of(request).db.write(add)
    except CannedExists as exc:
        return await _taken(request, exc, entered)
    raise Redirect("/inbox/canned?ok=added")


@router.post("/{canned_id}")
async def change_canned(
    request: Request, canned_id: str, admin: Admin, form: CheckedForm
) -> Response:
    """A canned response with a new shortcut, title or text."""
    current = await _existing(request, canned_id)
    entered = _entered(form, str(current.id))
    try:
        shortcut, title, text = check(entered["shortcut"], entered["title"], entered["text"])
    except ValueError as exc:
        error = f"/{current.shortcut}: {exc}"
        return await _canned_page(request, status=400, error=error, entered=entered)
    ip = client_ip(request)

    def change(conn: Connection) -> None:
        canned_store.change(conn, current.id, shortcut, title, text)
        data: dict[str, object] = {"id": current.id}
        if shortcut != current.shortcut:
            data["was"] = current.shortcut
        audit.record(conn, admin.user.id, "canned.changed", target=shortcut, data=data, ip=ip)

    try:
        await runtime_of(request).db.write(change)
    except CannedExists as exc:
        return await _taken(request, exc, entered)
    except LookupError as exc:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden") from exc
    raise Redirect("/inbox/canned?ok=changed")


@router.post("/{canned_id}/delete")
async def remove_canned(
    request: Request, canned_id: str, admin: Admin, form: CheckedForm
) -> Response:
    """Delete a canned response (replies already sent with it stay as they are)."""
    current = await _existing(request, canned_id)
    ip = client_ip(request)

    def remove(conn: Connection) -> bool:
        if not canned_store.remove(conn, current.id):
            return False
        data = {"id": current.id}
        audit.record(
            conn, admin.user.id, "canned.removed", target=current.shortcut, data=data, ip=ip
        )
        return True

    if not await runtime_of(request).db.write(remove):
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    raise Redirect("/inbox/canned?ok=removed")


async def _existing(request: Request, canned_id: str) -> Canned:
    """The canned response a form acts on; a 404 page when there is none."""
    if not _ID.fullmatch(canned_id):
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    number = int(canned_id)
    found = await runtime_of(request).db.read(lambda conn: canned_store.get(conn, number))
    if found is None:
        raise PageError(404, _NOT_FOUND, title="Nicht gefunden")
    return found


def _entered(form: FormFields, which: str) -> dict[str, str]:
    """What was typed into a canned response form, to show it again if it is refused."""
    return {
        "form": which,
        "shortcut": form.text("shortcut"),
        "title": form.text("title"),
        "text": form.text("text"),
    }


async def _taken(request: Request, exc: CannedExists, entered: dict[str, str]) -> Response:
    error = (
        f"Das Kürzel /{exc.shortcut} hat schon ein anderer Textbaustein. "
        "Wähle ein anderes oder ändere den vorhandenen."
    )
    return await _canned_page(request, status=409, error=error, entered=entered)
