"""The web chat widget in Chromium, against the real server started with ``theke run``."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import (
    Browser,
    Page,
    WebSocketRoute,
    expect,
    sync_playwright,
)

from tests.browser import launch, theke_run
from tests.conftest import ROOT

pytestmark = pytest.mark.browser

SCREENSHOT = ROOT / "docs" / "img" / "widget.png"
REPLY_TIMEOUT_MS = 20_000

_FOCUSED = """() => {
  const root = document.querySelector('#theke-webchat')?.shadowRoot;
  return root && root.activeElement ? root.activeElement.className : null;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``theke run examples/sneakershop`` on a free port with a fresh SQLite database."""
    folder = tmp_path_factory.mktemp("widget")
    with theke_run(folder, f"sqlite:///{folder / 't.db'}") as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        yield launch(playwright)


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    """A fresh visitor: its own context, so its own localStorage and customer."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="de-DE")
    context.set_default_timeout(REPLY_TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{server}/")
    try:
        yield page
    finally:
        context.close()


def _tab_to_launcher(page: Page) -> None:
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate(_FOCUSED) == "launcher":
            return
    pytest.fail("Tab never reached the chat launcher")


def _open(page: Page) -> None:
    page.locator(".launcher").click()
    expect(page.get_by_role("dialog")).to_be_visible()


def _send(page: Page, text: str) -> None:
    page.get_by_role("textbox", name="Nachricht").fill(text)
    page.keyboard.press("Enter")


def _greeting(page: Page) -> str:
    """The text of the bot's greeting (the demo bot names the shop in it)."""
    greeting = page.locator(".row.bot .bubble").filter(has_text="Sohle").first
    expect(greeting).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    return greeting.inner_text()


def _stored_visitor(page: Page) -> str | None:
    value: str | None = page.evaluate("localStorage.getItem('theke.webchat.v1')")
    return value


def test_keyboard_visitor_chats_taps_a_quick_reply_and_finds_the_history_again(
    page: Page,
) -> None:
    _tab_to_launcher(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    assert page.evaluate(_FOCUSED) == "input"

    page.keyboard.type("Hallo")
    page.keyboard.press("Enter")
    _greeting(page)

    chip = page.locator(".chip").first
    title = chip.inner_text()
    answers_before = page.locator(".row.bot").count()
    chip.click()
    expect(page.locator(".row.customer .bubble").last).to_have_text(title)
    # The tapped suggestions are gone (the answer may bring its own: the advice asks on).
    expect(page.locator(".chip").filter(has_text=title)).to_have_count(0)
    expect(page.locator(".row.bot").nth(answers_before)).to_be_visible()
    if os.environ.get("THEKE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")  # tabbing to the launcher scrolled the shop
        page.screenshot(path=SCREENSHOT)

    visitor = _stored_visitor(page)
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()
    expect(page.locator(".row.customer .bubble")).to_have_text(["Hallo", title])
    _greeting(page)
    assert _stored_visitor(page) == visitor


def test_escape_closes_the_chat_and_gives_focus_back_to_the_launcher(page: Page) -> None:
    launcher = page.locator(".launcher")
    _open(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(_FOCUSED) == "launcher"


def test_markup_in_a_message_is_shown_as_text(page: Page) -> None:
    _open(page)
    _send(page, "<b>x</b>")
    expect(page.locator(".row.customer .bubble").last).to_have_text("<b>x</b>")
    assert page.locator(".log b").count() == 0


def test_only_http_links_in_text_become_links_that_open_safely(page: Page) -> None:
    _open(page)
    _send(page, "Siehe https://example.com/a. Nicht javascript:alert(1)")
    bubble = page.locator(".row.customer .bubble").last
    expect(bubble).to_contain_text("javascript:alert(1)")
    link = bubble.locator("a")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", "https://example.com/a")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")


def test_shift_enter_writes_a_new_line_and_enter_sends(page: Page) -> None:
    _open(page)
    page.keyboard.type("Erste Zeile")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("zweite Zeile")
    expect(page.locator(".row.customer")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.locator(".row.customer .bubble")).to_have_text("Erste Zeile\nzweite Zeile")


def test_without_websockets_the_widget_chats_over_http(page: Page) -> None:
    page.route_web_socket("**/webchat/ws", lambda ws: ws.close(code=1011))
    page.reload()
    _open(page)
    _send(page, "Hallo")
    _greeting(page)
    expect(page.locator(".row.customer .bubble")).to_have_text(["Hallo"])


def test_after_a_dropped_websocket_it_reconnects_without_duplicates(page: Page) -> None:
    sockets: list[WebSocketRoute] = []

    def through(ws: WebSocketRoute) -> None:
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket("**/webchat/ws", through)
    page.reload()
    _open(page)
    _send(page, "Hallo")
    greeting = _greeting(page)

    sockets[-1].close(code=1012)
    _send(page, "Wie teuer ist der Versand?")
    expect(page.locator(".row.customer .bubble")).to_have_text(
        ["Hallo", "Wie teuer ist der Versand?"]
    )
    expect(page.locator(".row.customer ~ .row.customer ~ .row.bot")).not_to_have_count(0)
    expect(page.locator(".row.bot .bubble").filter(has_text=greeting)).to_have_count(1)
    assert len(sockets) >= 2


def test_a_visitor_asks_for_running_shoes_and_gets_product_cards(page: Page) -> None:
    _open(page)
    _send(page, "Habt ihr Laufschuhe unter 100 Euro in 43?")
    cards = page.locator(".card")
    expect(cards.first).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    assert 1 <= cards.count() <= 10
    picture = cards.first.locator(".card-img")
    expect(picture).to_have_attribute("src", re.compile(r"/catalog/images/SC-RUN-\d+\.png$"))
    page.wait_for_function(
        "el => el.complete && el.naturalWidth > 0", arg=picture.element_handle()
    )  # the shoe's picture, served from the bot folder, really loaded
    expect(cards.first.locator(".card-sub")).to_contain_text("€")
    cards.first.get_by_role("button", name="In den Warenkorb").click()
    last = page.locator(".row.bot .bubble").last
    expect(last).to_contain_text("liegt jetzt in deinem Warenkorb", timeout=REPLY_TIMEOUT_MS)


def test_a_visitor_orders_from_the_card_to_the_binding_button(page: Page) -> None:
    """The widget's side of buying: buttons and quick replies all the way to the order."""
    _open(page)
    _send(page, "Habt ihr Laufschuhe unter 100 Euro in 43?")
    card = page.locator(".card").first
    expect(card).to_be_visible(timeout=REPLY_TIMEOUT_MS)
    card.get_by_role("button", name="In den Warenkorb").click()
    for choice in ("Zur Kasse", "Liefern"):
        button = page.get_by_role("button", name=choice).last
        expect(button).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        button.click()
    expect(page.locator(".row.bot .bubble").last).to_contain_text(
        "Wohin sollen wir liefern", timeout=REPLY_TIMEOUT_MS
    )
    _send(page, "Anna Schmidt, Hauptstraße 5, 10115 Berlin")
    for choice in ("Ohne E-Mail", "Rechnung"):
        button = page.get_by_role("button", name=choice).last
        expect(button).to_be_visible(timeout=REPLY_TIMEOUT_MS)
        button.click()
    summary = page.locator(".row.bot .bubble").filter(has_text="Bitte prüf deine Bestellung")
    expect(summary).to_contain_text("inkl. 10,38 € MwSt.", timeout=REPLY_TIMEOUT_MS)
    expect(page.get_by_role("link", name="AGB")).to_have_attribute(
        "href", "https://sohle-und-co.de/agb"
    )
    page.get_by_role("button", name="Zahlungspflichtig bestellen").click()
    expect(
        page.locator(".row.bot .bubble").filter(has_text="Danke für deine Bestellung SC-")
    ).to_have_count(1, timeout=REPLY_TIMEOUT_MS)
    expect(
        page.locator(".row.bot .bubble").filter(has_text="zahlbar innerhalb von 14 Tagen")
    ).to_have_count(1)
