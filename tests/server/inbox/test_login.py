"""Signing in and out of the inbox, and what stops the wrong people and forged forms."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest
from sqlalchemy import update

from tests.server.inbox.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    AGENT,
    AGENT_PASSWORD,
    BASE,
    Browser,
    audit_actions,
    csrf_of,
    login,
    signed_in,
)
from theke.inbox.passwords import verify_password
from theke.runtime import Runtime
from theke.server.app import create_app
from theke.store import users
from theke.store.schema import user_sessions
from theke.store.users import User

WRONG = "E-Mail oder Passwort stimmt nicht."
EXPIRED = "Das Formular ist abgelaufen"


def _agent_cookie(response: httpx.Response) -> str:
    cookies = [c for c in response.headers.get_list("set-cookie") if c.startswith("theke_agent=")]
    assert len(cookies) == 1, response.headers
    return cookies[0]


async def test_signing_in_leads_to_the_list_of_waiting_conversations(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = browser()
    response = await login(http, ADMIN, ADMIN_PASSWORD)
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"
    page = await http.get("/inbox")
    assert page.status_code == 200
    assert "Wartende Gespräche" in page.text
    assert "Sohle &amp; Co." in page.text  # the shop's name from theke.yml
    assert ADMIN in page.text
    assert [entry["action"] for entry in await audit_actions(runtime)] == ["user.login"]


async def test_the_email_is_found_in_any_case_and_with_spaces(
    browser: Browser, admin: User
) -> None:
    response = await login(browser(), f"  {ADMIN.upper()} ", ADMIN_PASSWORD)
    assert response.status_code == 303


async def test_a_wrong_password_gets_the_generic_message_and_no_session(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = browser()
    response = await login(http, AGENT, "Falsches Passwort 123")
    assert response.status_code == 401
    assert WRONG in response.text
    assert "theke_agent" not in response.headers.get("set-cookie", "")
    assert (await http.get("/inbox")).status_code == 303
    entries = await audit_actions(runtime)
    assert [(e["action"], e["user_id"]) for e in entries] == [("user.login_failed", agent.id)]


async def test_an_unknown_email_gets_exactly_the_same_answer(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    known = await login(browser(), AGENT, "Falsches Passwort 123")
    unknown = await login(browser(), "niemand@sohle.example", "Falsches Passwort 123")
    assert unknown.status_code == known.status_code == 401
    assert WRONG in unknown.text

    def without_varying_parts(page: httpx.Response) -> str:
        return page.text.replace(csrf_of(page), "").replace("niemand@sohle.example", AGENT)

    assert without_varying_parts(unknown) == without_varying_parts(known)
    assert [e["action"] for e in await audit_actions(runtime)] == ["user.login_failed"] * 2


async def test_the_sixth_failure_in_a_row_is_refused_even_with_the_right_password(
    browser: Browser, agent: User
) -> None:
    http = browser()
    for _ in range(5):
        assert (await login(http, AGENT, "Falsches Passwort 123")).status_code == 401
    blocked = await login(http, AGENT, "Falsches Passwort 123")
    assert blocked.status_code == 429
    assert "Zu viele Versuche. Bitte in 15 Minuten noch einmal." in blocked.text
    assert int(blocked.headers["retry-after"]) > 14 * 60
    right = await login(http, AGENT, AGENT_PASSWORD)
    assert right.status_code == 429
    assert (await http.get("/inbox")).status_code == 303


async def test_an_inactive_user_cannot_sign_in(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    await runtime.db.write(lambda conn: users.set_active(conn, agent.id, False))
    response = await login(browser(), AGENT, AGENT_PASSWORD)
    assert response.status_code == 401
    assert WRONG in response.text


async def test_the_login_form_without_its_cookie_token_is_refused(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = browser()
    form = await http.get("/inbox/login")
    token = csrf_of(form)
    http.cookies.clear()
    data = {"csrf": token, "email": AGENT, "password": AGENT_PASSWORD}
    response = await http.post("/inbox/login", data=data)
    assert response.status_code == 403
    assert EXPIRED in response.text
    assert "theke_agent" not in response.headers.get("set-cookie", "")
    assert await audit_actions(runtime) == []


@pytest.mark.parametrize(
    "forged",
    [
        "https://evil.example/inbox",
        "//evil.example/inbox",
        "/\\evil.example",
        "/inboxevil",
        "/inbox//evil.example",
        "javascript:alert(1)",
        "/shop/orders",
    ],
)
async def test_after_signing_in_only_inbox_paths_are_followed(
    browser: Browser, agent: User, forged: str
) -> None:
    response = await login(browser(), AGENT, AGENT_PASSWORD, next_path=forged)
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"


async def test_after_signing_in_the_page_asked_for_opens(browser: Browser, agent: User) -> None:
    http = browser()
    first = await http.get("/inbox/account")
    assert first.headers["location"] == "/inbox/login?next=/inbox/account"
    form = await http.get(first.headers["location"])
    assert 'name="next" value="/inbox/account"' in form.text
    data = {"csrf": csrf_of(form), "email": AGENT, "password": AGENT_PASSWORD}
    data["next"] = "/inbox/account"
    response = await http.post("/inbox/login", data=data)
    assert response.headers["location"] == "/inbox/account"


async def test_a_link_with_a_foreign_next_renders_a_safe_form(browser: Browser) -> None:
    form = await browser().get("/inbox/login", params={"next": "https://evil.example/"})
    assert 'name="next" value="/inbox"' in form.text
    assert "evil.example" not in form.text


async def test_unauthenticated_requests_go_to_the_login_page(browser: Browser) -> None:
    response = await browser().get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/login?next=/inbox"


async def test_an_expired_session_goes_to_the_login_page_and_loses_its_cookie(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await runtime.db.write(lambda conn: conn.execute(update(user_sessions).values(expires_at=past)))
    response = await http.get("/inbox")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/login?next=/inbox"
    cleared = _agent_cookie(response)
    assert "Max-Age=0" in cleared or "expires=Thu, 01 Jan 1970" in cleared
    assert "theke_agent" not in http.cookies


async def test_logging_out_ends_the_session_on_the_server(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    token = http.cookies["theke_agent"]
    page = await http.get("/inbox")
    response = await http.post("/inbox/logout", data={"csrf": csrf_of(page)})
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox/login"
    # The old cookie, replayed by someone who copied it, is no longer a session.
    replay = browser()
    replay.cookies.set("theke_agent", token, domain="127.0.0.1", path="/inbox")
    assert (await replay.get("/inbox")).status_code == 303
    assert "user.logout" in [e["action"] for e in await audit_actions(runtime)]


@pytest.mark.parametrize("csrf", [None, "", "forged-token-value"])
async def test_logout_with_a_missing_or_forged_csrf_is_refused(
    browser: Browser, agent: User, csrf: str | None
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    data = {} if csrf is None else {"csrf": csrf}
    response = await http.post("/inbox/logout", data=data)
    assert response.status_code == 403
    assert EXPIRED in response.text
    assert (await http.get("/inbox")).status_code == 200  # still signed in


@pytest.mark.parametrize("csrf", [None, "forged-token-value"])
async def test_a_password_change_with_a_forged_csrf_changes_nothing(
    browser: Browser, agent: User, runtime: Runtime, csrf: str | None
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    data = {"current": AGENT_PASSWORD, "new": "Neu Neu Neu Neu 1", "repeat": "Neu Neu Neu Neu 1"}
    if csrf is not None:
        data["csrf"] = csrf
    response = await http.post("/inbox/account", data=data)
    assert response.status_code == 403
    stored = await runtime.db.read(lambda conn: users.get(conn, agent.id))
    assert stored is not None
    assert verify_password(stored.password_hash, AGENT_PASSWORD)


async def test_adding_a_user_with_a_forged_csrf_adds_no_one(
    browser: Browser, admin: User, runtime: Runtime
) -> None:
    http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    data = {"csrf": "forged", "email": "neu@sohle.example", "role": "admin"}
    data["password"] = "Ein langes Passwort 42"
    response = await http.post("/inbox/users", data=data)
    assert response.status_code == 403
    assert await runtime.db.read(lambda conn: users.by_email(conn, "neu@sohle.example")) is None


async def test_a_session_csrf_token_is_not_valid_for_another_session(
    browser: Browser, admin: User, agent: User
) -> None:
    admin_http = await signed_in(browser, ADMIN, ADMIN_PASSWORD)
    agent_http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    agent_token = csrf_of(await agent_http.get("/inbox"))
    response = await admin_http.post("/inbox/logout", data={"csrf": agent_token})
    assert response.status_code == 403


@pytest.mark.parametrize("origin", ["https://evil.example", "null", "http://127.0.0.1:9999"])
async def test_posts_from_another_origin_are_refused(
    browser: Browser, agent: User, runtime: Runtime, origin: str
) -> None:
    http = browser()
    form = await http.get("/inbox/login")
    data = {"csrf": csrf_of(form), "email": AGENT, "password": AGENT_PASSWORD}
    response = await http.post("/inbox/login", data=data, headers={"Origin": origin})
    assert response.status_code == 403
    assert "theke_agent" not in response.headers.get("set-cookie", "")
    assert await audit_actions(runtime) == []

    signed = await signed_in(browser, AGENT, AGENT_PASSWORD)
    token = csrf_of(await signed.get("/inbox"))
    out = await signed.post("/inbox/logout", data={"csrf": token}, headers={"Origin": origin})
    assert out.status_code == 403
    assert (await signed.get("/inbox")).status_code == 200


async def test_posts_from_the_own_origin_are_accepted(browser: Browser, agent: User) -> None:
    http = browser()
    form = await http.get("/inbox/login")
    data = {"csrf": csrf_of(form), "email": AGENT, "password": AGENT_PASSWORD}
    response = await http.post("/inbox/login", data=data, headers={"Origin": BASE})
    assert response.status_code == 303


async def test_the_session_cookie_is_httponly_strict_and_limited_to_the_inbox(
    browser: Browser, agent: User
) -> None:
    response = await login(browser(), AGENT, AGENT_PASSWORD)
    cookie = _agent_cookie(response)
    parts = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in parts
    assert "samesite=strict" in parts
    assert "path=/inbox" in parts
    assert "secure" not in parts  # served over http here
    assert not any(part.startswith("max-age") for part in parts)
    expires = parsedate_to_datetime(
        next(p for p in cookie.split(";") if "expires" in p.lower()).split("=", 1)[1]
    )
    now = datetime.now(UTC)
    assert now + timedelta(hours=11) < expires <= now + timedelta(hours=12, minutes=1)


async def test_the_session_cookie_is_secure_behind_https(runtime: Runtime, agent: User) -> None:
    settings = runtime.settings.model_copy(update={"public_url": "https://shop.example"})
    app = create_app(dataclasses.replace(runtime, settings=settings), run_worker=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://shop.example") as http:
        form = await http.get("/inbox/login")
        assert "secure" in [p.strip().lower() for p in form.headers["set-cookie"].split(";")]
        data = {"csrf": csrf_of(form), "email": AGENT, "password": AGENT_PASSWORD}
        response = await http.post(
            "/inbox/login", data=data, headers={"Origin": "https://shop.example"}
        )
    assert response.status_code == 303
    assert "secure" in [p.strip().lower() for p in _agent_cookie(response).split(";")]


@pytest.mark.parametrize("path", ["/inbox/login", "/inbox", "/inbox/account"])
async def test_every_page_forbids_caching_framing_and_foreign_sources(
    browser: Browser, agent: User, path: str
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    for response in (await http.get(path), await browser().get(path)):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["content-security-policy"] == (
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'"
        )
        assert response.headers["referrer-policy"] == "same-origin"


async def test_the_login_page_of_a_signed_in_agent_leads_to_the_list(
    browser: Browser, agent: User
) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    response = await http.get("/inbox/login")
    assert response.status_code == 303
    assert response.headers["location"] == "/inbox"


async def test_the_stylesheet_ships_in_the_package(browser: Browser) -> None:
    response = await browser().get("/inbox/static/inbox.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "system-ui" in response.text
