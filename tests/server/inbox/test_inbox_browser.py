"""The inbox in Chromium, against the real server started with ``theke run``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

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
HOSTILE = "Hier <script>alert(1)</script> <img src=x onerror=alert(2)> javascript:alert(3)"
# Set to a folder (docs/images) to keep the screenshots docs/inbox.md shows.
SCREENSHOTS = os.environ.get("THEKE_SCREENSHOTS")


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
    expect(item.locator(".waiting")).to_have_text("wartet seit weniger als 1 Min.")
    cookie = next(c for c in page.context.cookies() if c["name"] == "theke_agent")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/inbox"

    page.get_by_role("button", name="Abmelden").click()
    expect(page).to_have_url(f"{server}/inbox/login")
    page.goto(f"{server}/inbox")
    expect(page).to_have_url(f"{server}/inbox/login?next=/inbox")


def _customer(browser: Browser, server: str) -> Page:
    """A visitor with the web chat open on the demo shop's page."""
    context = browser.new_context(viewport={"width": 1000, "height": 800}, locale="de-DE")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(f"{server}/")
    page.locator(".launcher").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return page


def _say(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Nachricht").fill(text)
    page.keyboard.press("Enter")


def _screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def test_the_whole_hand_over_live_in_the_browser(page: Page, browser: Browser, server: str) -> None:
    """A customer asks for a person; the conversation appears in the agent's open list
    without a reload; the agent takes it over and answers; the customer's reply appears
    live, hostile markup inert; the agent hands back and the bot introduces itself again."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{server}/inbox/login")
    page.get_by_label("E-Mail").fill(EMAIL)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Wartende Gespräche")).to_be_visible()
    before = page.locator(".conversation").count()

    customer = _customer(browser, server)
    try:
        _say(customer, "Ich will mit einem Menschen sprechen")
        expect(customer.locator(".row.bot .bubble").last).to_be_visible()

        # Live: the list grows without a reload, and the page says so.
        entry = page.locator(".conversation").filter(has_text="mit einem Menschen sprechen")
        expect(entry).to_have_count(1)
        expect(page.locator(".conversation")).to_have_count(before + 1)
        expect(page.locator("#live-notice")).to_contain_text("wartet neu auf eine Antwort")
        expect(page).to_have_title(re.compile(r"^\(\d+\) "))
        _screenshot(page, "inbox-list.png")

        entry.get_by_role("link").click()
        page.get_by_role("button", name="Übernehmen").click()
        expect(page.get_by_role("status")).to_contain_text("Du hast das Gespräch übernommen")
        page.get_by_label("Deine Nachricht an den Kunden").fill("Hallo, hier ist Anna vom Team!")
        page.get_by_role("button", name="Senden").click()
        expect(page.get_by_role("status")).to_contain_text("Deine Nachricht ist unterwegs")
        expect(customer.locator(".row.agent .bubble")).to_have_text(
            "Hallo, hier ist Anna vom Team!"
        )

        # The customer answers: it appears in the open conversation, as text.
        _say(customer, HOSTILE)
        shown = page.locator(".bubble.customer .text").filter(has_text="Hier <script>")
        expect(shown).to_have_count(1)
        expect(shown).to_have_text(HOSTILE)
        assert page.locator("#thread-messages img").count() == 0
        assert page.locator("#thread-messages script").count() == 0
        assert page.locator("#thread-messages a[href^='javascript']").count() == 0
        _screenshot(page, "inbox-conversation.png")

        page.get_by_role("button", name="An den Bot zurückgeben").click()
        expect(page.get_by_role("status")).to_contain_text("wieder beim Bot")
        answers = customer.locator(".row.bot .bubble").count()
        _say(customer, "Hallo")
        expect(customer.locator(".row.bot .bubble").nth(answers)).to_contain_text("Paula")
    finally:
        customer.context.close()
    assert dialogs == []
