"""Admins manage the inbox's people; agents change their own password and nothing else."""

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
    login,
    signed_in,
)
from theke.inbox.passwords import verify_password
from theke.runtime import Runtime
from theke.store import users
from theke.store.users import User

NEW_AGENT = "neu@sohle.example"
NEW_PASSWORD = "Giraffe Kaffee Laterne 7"


async def _post(http: httpx.AsyncClient, path: str, **fields: str) -> httpx.Response:
    """Send a form to ``path`` with the CSRF token of the page that shows that form."""
    page = await http.get("/inbox/users" if path.startswith("/inbox/users") else path)
    return await http.post(path, data={"csrf": csrf_of(page), **fields})


async def test_an_admin_adds_an_agent_who_can_then_sign_in(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    response = await _post(
        http, "/inbox/users", email=NEW_AGENT, role="agent", password=NEW_PASSWORD
    )
    assert response.status_code == 303
    page = await http.get(response.headers["location"])
    assert "Das Konto ist angelegt." in page.text
    assert NEW_AGENT in page.text
    added = await runtime.db.read(lambda conn: users.by_email(conn, NEW_AGENT))
    assert added is not None
    assert added.role == "agent"
    assert (await login(browser(), NEW_AGENT, NEW_PASSWORD)).status_code == 303
    entry = next(e for e in await audit_actions(runtime) if e["action"] == "user.added")
    assert entry["user_id"] == admin.id
    assert entry["target"] == NEW_AGENT
    assert entry["data"]["role"] == "agent"


async def test_a_weak_or_taken_account_is_refused_with_a_reason(
    browser: Browser, admin: User, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    short = await _post(http, "/inbox/users", email=NEW_AGENT, role="agent", password="kurz")
    assert short.status_code == 400
    assert "Das Passwort ist zu kurz: 4 Zeichen, nötig sind mindestens 12." in short.text
    assert f'value="{NEW_AGENT}"' in short.text  # what was typed stays, but not the password
    common = await _post(
        http, "/inbox/users", email=NEW_AGENT, role="agent", password="password1234"
    )
    assert "zu leicht zu erraten" in common.text
    taken = await _post(http, "/inbox/users", email=AGENT, role="agent", password=NEW_PASSWORD)
    assert taken.status_code == 400
    assert "gibt es schon ein Konto" in taken.text
    bad = await _post(http, "/inbox/users", email="kein-at", role="agent", password=NEW_PASSWORD)
    assert "keine E-Mail-Adresse" in bad.text
    role = await _post(http, "/inbox/users", email=NEW_AGENT, role="root", password=NEW_PASSWORD)
    assert "Wähle eine Rolle" in role.text
    assert await runtime.db.read(lambda conn: users.by_email(conn, NEW_AGENT)) is None
    assert "user.added" not in [e["action"] for e in await audit_actions(runtime)]


async def test_an_agent_gets_403_on_the_admin_pages_and_changes_nothing(
    browser: Browser, admin: User, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/users")
    assert page.status_code == 403
    assert "Nur für Admins." in page.text
    assert 'href="/inbox/users"' not in (await http.get("/inbox")).text
    token = csrf_of(await http.get("/inbox"))
    attempts = [
        ("/inbox/users", {"email": NEW_AGENT, "role": "admin", "password": NEW_PASSWORD}),
        (f"/inbox/users/{admin.id}/password", {"password": NEW_PASSWORD}),
        (f"/inbox/users/{admin.id}/active", {"active": "0"}),
    ]
    for path, fields in attempts:
        response = await http.post(path, data={"csrf": token, **fields})
        assert response.status_code == 403, path
        assert "Nur für Admins." in response.text
    assert await runtime.db.read(lambda conn: users.by_email(conn, NEW_AGENT)) is None
    assert (await login(browser(), ADMIN, ADMIN_PASSWORD)).status_code == 303


async def test_a_reset_by_an_admin_ends_the_sessions_of_that_person(
    browser: Browser, admin: User, agent: User, runtime: Runtime
) -> None:
    agent_http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    admin_http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    response = await _post(admin_http, f"/inbox/users/{agent.id}/password", password=NEW_PASSWORD)
    assert response.status_code == 303
    assert (
        "Das Passwort ist neu gesetzt" in (await admin_http.get(response.headers["location"])).text
    )
    assert (await agent_http.get("/inbox")).status_code == 303
    assert (await login(browser(), AGENT, AGENT_PASSWORD)).status_code == 401
    assert (await login(browser(), AGENT, NEW_PASSWORD)).status_code == 303
    entry = next(e for e in await audit_actions(runtime) if e["action"] == "user.password_reset")
    assert (entry["user_id"], entry["target"]) == (admin.id, AGENT)
    assert entry["data"]["ended"] == 1


async def test_deactivating_logs_the_person_out_and_keeps_them_out(
    browser: Browser, admin: User, agent: User, runtime: Runtime
) -> None:
    agent_http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    admin_http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    response = await _post(admin_http, f"/inbox/users/{agent.id}/active", active="0")
    assert response.status_code == 303
    listing = (await admin_http.get(response.headers["location"])).text
    assert "deaktiviert" in listing
    assert (await agent_http.get("/inbox")).status_code == 303
    assert (await login(browser(), AGENT, AGENT_PASSWORD)).status_code == 401

    back = await _post(admin_http, f"/inbox/users/{agent.id}/active", active="1")
    assert back.status_code == 303
    assert (await login(browser(), AGENT, AGENT_PASSWORD)).status_code == 303
    actions = [(e["action"], e["target"]) for e in await audit_actions(runtime)]
    assert ("user.deactivated", AGENT) in actions
    assert ("user.reactivated", AGENT) in actions


async def test_an_admin_cannot_deactivate_themself(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    response = await _post(http, f"/inbox/users/{admin.id}/active", active="0")
    assert response.status_code == 400
    assert "Du kannst dich nicht selbst deaktivieren." in response.text
    stored = await runtime.db.read(lambda conn: users.get(conn, admin.id))
    assert stored is not None and stored.active
    assert (await http.get("/inbox")).status_code == 200


async def test_an_unknown_account_is_a_404_page(browser: Browser, admin: User) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    response = await _post(http, "/inbox/users/nobody/active", active="0")
    assert response.status_code == 404
    assert "Dieses Konto gibt es nicht." in response.text


async def test_changing_the_own_password_signs_out_the_other_browsers(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    laptop = await signed_in(browser, AGENT, AGENT_PASSWORD)
    phone = await signed_in(browser, AGENT, AGENT_PASSWORD)
    response = await _post(
        laptop, "/inbox/account", current=AGENT_PASSWORD, new=NEW_PASSWORD, repeat=NEW_PASSWORD
    )
    assert response.status_code == 303
    page = await laptop.get(response.headers["location"])
    assert page.status_code == 200
    assert "Dein Passwort ist geändert." in page.text
    assert (await phone.get("/inbox")).status_code == 303
    stored = await runtime.db.read(lambda conn: users.get(conn, agent.id))
    assert stored is not None and verify_password(stored.password_hash, NEW_PASSWORD)
    entry = next(e for e in await audit_actions(runtime) if e["action"] == "user.password_changed")
    assert (entry["user_id"], entry["target"]) == (agent.id, AGENT)


async def test_a_password_change_needs_the_current_password_and_a_strong_new_one(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    wrong = await _post(
        http, "/inbox/account", current="nicht meins 123", new=NEW_PASSWORD, repeat=NEW_PASSWORD
    )
    assert wrong.status_code == 400
    assert "Dein aktuelles Passwort stimmt nicht." in wrong.text
    differ = await _post(
        http, "/inbox/account", current=AGENT_PASSWORD, new=NEW_PASSWORD, repeat="etwas anderes 1"
    )
    assert "nicht gleich" in differ.text
    weak = await _post(http, "/inbox/account", current=AGENT_PASSWORD, new=AGENT, repeat=AGENT)
    assert weak.status_code == 400
    assert "zu leicht zu erraten" in weak.text
    stored = await runtime.db.read(lambda conn: users.get(conn, agent.id))
    assert stored is not None and verify_password(stored.password_hash, AGENT_PASSWORD)
    assert "user.password_changed" not in [e["action"] for e in await audit_actions(runtime)]


async def test_guessing_the_current_password_is_rate_limited(browser: Browser, agent: User) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    fields = {"new": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    for attempt in range(5):
        response = await _post(http, "/inbox/account", current=f"Rate {attempt} mal 123", **fields)
        assert response.status_code == 400
    blocked = await _post(http, "/inbox/account", current=AGENT_PASSWORD, **fields)
    assert blocked.status_code == 429
    assert "Zu viele Versuche" in blocked.text
