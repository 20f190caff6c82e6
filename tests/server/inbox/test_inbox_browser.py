"""The inbox in Chromium, against the real server started with ``theke run``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import Connection

from tests.browser import launch, theke_run
from theke.content.codec import text_json
from theke.inbox.passwords import hash_password
from theke.store import conversations, log, users
from theke.store.database import Database
from theke.store.migrate import upgrade
from theke.store.schema import utcnow

pytestmark = pytest.mark.browser

EMAIL = "agent@sohle.example"
PASSWORD = "Wolke Tasse Fahrrad Mond"
QUESTION = "Kann ich <b>die Schuhe</b> umtauschen?"


def _prepare(url: str) -> None:
    """An agent, and a customer whose conversation the bot handed over."""
    upgrade(url)
    hashed = hash_password(PASSWORD)

    def fill(conn: Connection) -> None:
        users.add(conn, EMAIL, "agent", hashed)
        waiting = conversations.create(conn, "webchat", "browser-visitor")
        entry = log.LogEntry(
            waiting.id, waiting.customer_id, "message.in", "customer", utcnow(),
            content=text_json(QUESTION),
        )  # fmt: skip
        log.append(conn, [entry])
        conversations.set_mode(conn, waiting.id, "human")

    db = Database(url)
    try:
        db.write_now(fill)
    finally:
        db.engine.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``theke run examples/sneakershop`` on a free port with a prepared SQLite database."""
    folder = tmp_path_factory.mktemp("inbox")
    url = f"sqlite:///{folder / 't.db'}"
    _prepare(url)
    with theke_run(folder, url) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        yield launch(playwright)


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_an_agent_signs_in_sees_the_waiting_customer_and_signs_out(page: Page, server: str) -> None:
    page.goto(f"{server}/inbox")
    expect(page).to_have_url(f"{server}/inbox/login?next=/inbox")
    page.get_by_label("E-Mail").fill(EMAIL)
    page.get_by_label("Passwort").fill("Falsch falsch falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_have_text("E-Mail oder Passwort stimmt nicht.")

    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{server}/inbox")
    expect(page.get_by_role("heading", name="Wartende Gespräche")).to_be_visible()
    item = page.locator(".conversation")
    expect(item).to_have_count(1)
    expect(item.locator(".text")).to_have_text(QUESTION)  # shown as text, not as markup
    assert item.locator("b").count() == 0
    expect(item.locator(".channel")).to_have_text("Web-Chat")
    expect(item.locator("time")).to_have_text("gerade eben")
    cookie = next(c for c in page.context.cookies() if c["name"] == "theke_agent")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/inbox"

    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(f"{server}/inbox/login")
    page.goto(f"{server}/inbox")
    expect(page).to_have_url(f"{server}/inbox/login?next=/inbox")
