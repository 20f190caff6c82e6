"""The "Textbausteine" page: admins keep the canned responses, every agent reads them."""

from __future__ import annotations

import httpx

from tests.server.inbox.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    AGENT,
    AGENT_PASSWORD,
    Browser,
    audit_actions,
    csrf_of,
    signed_in,
)
from theke.inbox.canned import TEXT_MAX
from theke.runtime import Runtime
from theke.store import canned
from theke.store.canned import Canned
from theke.store.users import User

SHIPPING = "Wir versenden innerhalb von 24 Stunden.\nDein Sohle-Team"


async def _post(http: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    """Send a form from the canned responses page, with that page's CSRF token."""
    page = await http.get("/inbox/canned")
    return await http.post(path, data={"csrf": csrf_of(page), **fields})


async def _stored(runtime: Runtime) -> list[Canned]:
    return await runtime.db.read(canned.all_canned)


async def _add_shipping(http: httpx.AsyncClient) -> httpx.Response:
    return await _post(
        http, "/inbox/canned", shortcut="/Versand", title="Versand & Lieferung", text=SHIPPING
    )


async def test_an_admin_adds_changes_and_deletes_a_canned_response(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    empty = await http.get("/inbox/canned")
    assert empty.status_code == 200
    assert "Noch keine Textbausteine." in empty.text

    added = await _add_shipping(http)
    assert added.status_code == 303
    page = await http.get(added.headers["location"])
    assert "Der Textbaustein ist angelegt." in page.text
    assert ">/versand</span>" in page.text
    assert "Versand &amp; Lieferung" in page.text
    assert "Wir versenden innerhalb von 24 Stunden.<br>Dein Sohle-Team" in page.text
    [stored] = await _stored(runtime)
    assert (stored.shortcut, stored.text, stored.created_by) == ("versand", SHIPPING, admin.id)

    changed = await _post(
        http,
        f"/inbox/canned/{stored.id}",
        shortcut="lieferzeit",
        title="Lieferzeit",
        text="Zwei bis drei Werktage.\r\n",
    )
    assert changed.status_code == 303
    page = await http.get(changed.headers["location"])
    assert "Der Textbaustein ist geändert." in page.text
    assert ">/lieferzeit</span>" in page.text
    assert ">/versand</span>" not in page.text
    [stored] = await _stored(runtime)
    assert (stored.shortcut, stored.title, stored.text) == (
        "lieferzeit",
        "Lieferzeit",
        "Zwei bis drei Werktage.",
    )

    removed = await _post(http, f"/inbox/canned/{stored.id}/delete")
    assert removed.status_code == 303
    page = await http.get(removed.headers["location"])
    assert "Der Textbaustein ist gelöscht." in page.text
    assert ">/lieferzeit</span>" not in page.text
    assert await _stored(runtime) == []

    entries = [e for e in await audit_actions(runtime) if e["action"].startswith("canned.")]
    assert [(e["action"], e["target"], e["user_id"]) for e in entries] == [
        ("canned.added", "versand", admin.id),
        ("canned.changed", "lieferzeit", admin.id),
        ("canned.removed", "lieferzeit", admin.id),
    ]
    assert entries[1]["data"] == {"id": stored.id, "was": "versand"}
    assert all(SHIPPING not in str(e["data"]) for e in entries)


async def test_an_agent_reads_the_list_but_cannot_change_it(
    browser: Browser, admin: User, agent: User, runtime: Runtime
) -> None:
    await _add_shipping(await signed_in(browser, ADMIN, ADMIN_PASSWORD))
    [stored] = await _stored(runtime)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/canned")
    assert page.status_code == 200
    assert ">/versand</span>" in page.text
    assert "Wir versenden innerhalb von 24 Stunden." in page.text
    assert 'action="/inbox/canned"' not in page.text
    assert "Löschen" not in page.text
    token = csrf_of(page)
    attempts = [
        ("/inbox/canned", {"shortcut": "neu", "title": "Neu", "text": "Neu"}),
        (f"/inbox/canned/{stored.id}", {"shortcut": "versand", "title": "X", "text": "X"}),
        (f"/inbox/canned/{stored.id}/delete", {}),
    ]
    for path, fields in attempts:
        response = await http.post(path, data={"csrf": token, **fields})
        assert response.status_code == 403, path
        assert "Nur für Admins." in response.text
    assert await _stored(runtime) == [stored]


async def test_a_signed_out_visitor_is_sent_to_the_login(browser: Browser) -> None:
    response = await browser().get("/inbox/canned")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/login?next=/inbox/canned"


async def test_a_forged_csrf_token_is_refused(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    fields = {"shortcut": "versand", "title": "Versand", "text": SHIPPING}
    for token in ("erfunden", ""):
        response = await http.post("/inbox/canned", data={"csrf": token, **fields})
        assert response.status_code == 403
        assert "Das Formular ist abgelaufen." in response.text
    assert await _stored(runtime) == []


async def test_markup_in_a_canned_response_is_shown_as_text(
    browser: Browser, admin: User, agent: User
) -> None:
    admin_http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    script = '<script>alert("x")</script>'
    response = await _post(
        admin_http, "/inbox/canned", shortcut="html", title=f"<b>{script}</b>", text=script
    )
    assert response.status_code == 303
    page = await (await signed_in(browser, AGENT, AGENT_PASSWORD)).get("/inbox/canned")
    assert "<script>" not in page.text
    shown = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    assert f"&lt;b&gt;{shown}&lt;/b&gt;</h2>" in page.text
    assert f'<p class="canned-text">{shown}</p>' in page.text


async def test_a_taken_shortcut_is_refused_and_the_form_keeps_what_was_typed(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    await _add_shipping(http)
    response = await _post(
        http, "/inbox/canned", shortcut="VERSAND", title="Noch mal", text="Ein zweiter Text"
    )
    assert response.status_code == 409
    assert "Das Kürzel /versand hat schon ein anderer Textbaustein." in response.text
    assert 'value="VERSAND"' in response.text
    assert 'value="Noch mal"' in response.text
    assert ">Ein zweiter Text</textarea>" in response.text

    retoure = await _post(http, "/inbox/canned", shortcut="retoure", title="R", text="30 Tage.")
    assert retoure.status_code == 303
    [stored, _] = await _stored(runtime)  # by shortcut: retoure, versand
    renamed = await _post(
        http, f"/inbox/canned/{stored.id}", shortcut="versand", title="R", text="30 Tage."
    )
    assert renamed.status_code == 409
    assert [c.shortcut for c in await _stored(runtime)] == ["retoure", "versand"]


async def test_a_text_too_long_or_a_bad_shortcut_is_refused_with_a_reason(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    long = await _post(
        http, "/inbox/canned", shortcut="lang", title="Lang", text="x" * (TEXT_MAX + 1)
    )
    assert long.status_code == 400
    assert f"Der Text ist zu lang: {TEXT_MAX + 1} Zeichen, höchstens {TEXT_MAX} gehen." in (
        long.text
    )
    assert 'value="lang"' in long.text
    bad = await _post(http, "/inbox/canned", shortcut="ver sand", title="V", text="T")
    assert bad.status_code == 400
    assert "Das Kürzel darf nur Kleinbuchstaben, Ziffern, - und _ enthalten" in bad.text
    assert await _stored(runtime) == []
    assert not [e for e in await audit_actions(runtime) if e["action"].startswith("canned.")]


async def test_a_refused_change_reopens_that_form_with_what_was_typed(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    await _add_shipping(http)
    [stored] = await _stored(runtime)
    response = await _post(
        http, f"/inbox/canned/{stored.id}", shortcut="versand", title="  ", text="Neuer Text"
    )
    assert response.status_code == 400
    assert "/versand: Gib einen Titel an" in response.text
    assert "<details open>" in response.text
    assert ">Neuer Text</textarea>" in response.text
    assert await _stored(runtime) == [stored]


async def test_an_unknown_canned_response_is_a_404_page(browser: Browser, admin: User) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    fields = {"shortcut": "versand", "title": "V", "text": "T"}
    for path in ("/inbox/canned/999", "/inbox/canned/abc", "/inbox/canned/999/delete"):
        response = await _post(http, path, **fields)
        assert response.status_code == 404, path
        assert "Diesen Textbaustein gibt es nicht" in response.text
