"""The reply box's extras as an agent uses them: a canned response by its shortcut or
from the list, a product card from the catalog, and a WhatsApp template after 24 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Connection, select, update

from tests.server.inbox.conftest import AGENT, AGENT_PASSWORD, Browser, csrf_of, signed_in
from theke.content.codec import text_json
from theke.runtime import Runtime
from theke.store import canned, conversations, log
from theke.store.conversations import Conversation
from theke.store.schema import conversations as conversations_table
from theke.store.schema import outbox
from theke.store.users import User

SHIPPING = "Wir liefern in 2–3 Werktagen, ab 50 € versandkostenfrei."


async def _taken(
    runtime: Runtime, browser: Browser, channel: str = "webchat", hours_ago: float = 0.1
) -> tuple[httpx.AsyncClient, Conversation, str]:
    """A conversation the signed-in agent has taken over; the customer wrote ``hours_ago``."""

    def make(conn: Connection) -> Conversation:
        conversation = conversations.create(conn, channel, "4915112345678")
        wrote = datetime.now(UTC) - timedelta(hours=hours_ago)
        entry = log.LogEntry(
            conversation.id, conversation.customer_id, "message.in", "customer", wrote,
            content=text_json("Wie lange dauert der Versand?"),
        )  # fmt: skip
        log.append(conn, [entry])
        conn.execute(
            update(conversations_table)
            .where(conversations_table.c.id == conversation.id)
            .values(last_inbound_at=wrote)
        )
        conversations.set_mode(conn, conversation.id, "human")
        canned.add(conn, "versand", "Lieferzeit", SHIPPING, None)
        return conversation

    conversation = await runtime.db.write(make)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    url = f"/inbox/c/{conversation.id}"
    page = await http.get(url)
    taken = await http.post(f"{url}/take", data={"csrf": csrf_of(page)})
    assert taken.status_code == 303
    return http, conversation, url


async def _sent(runtime: Runtime) -> list[dict[str, object]]:
    def read(conn: Connection) -> list[dict[str, object]]:
        return [dict(row) for row in conn.execute(select(outbox)).mappings()]

    return await runtime.db.read(read)


async def test_a_shortcut_sends_the_canned_text(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http, _, url = await _taken(runtime, browser)
    page = await http.get(url)
    assert "/versand" in page.text
    sent = await http.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": " /Versand "})
    assert sent.status_code == 303
    [message] = await _sent(runtime)
    assert message["content"] == {"type": "text", "text": SHIPPING}
    unknown = await http.post(f"{url}/reply", data={"csrf": csrf_of(page), "text": "/retoure"})
    assert unknown.status_code == 400
    assert "Kein Textbaustein &#34;/retoure&#34;" in unknown.text
    assert len(await _sent(runtime)) == 1


async def test_a_canned_response_picked_from_the_list_fills_the_reply_box(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http, _, url = await _taken(runtime, browser)
    found = await runtime.db.read(lambda conn: canned.by_shortcut(conn, "versand"))
    assert found is not None
    page = await http.get(url, params={"canned": found.id})
    assert f">{SHIPPING}</textarea>" in page.text
    assert (await http.get(url, params={"canned": "x"})).status_code == 400


async def test_the_product_picker_finds_and_sends_a_card_without_tap_buttons(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http, _, url = await _taken(runtime, browser)
    page = await http.get(url, params={"product": "samba"})
    assert "Karte senden" in page.text
    assert "Samba" in page.text
    sku = page.text.split('name="sku" value="')[1].split('"')[0]
    sent = await http.post(f"{url}/card", data={"csrf": csrf_of(page), "sku": sku})
    assert sent.status_code == 303
    [message] = await _sent(runtime)
    content = message["content"]
    assert isinstance(content, dict)
    assert content["type"] == "card"
    assert "Samba" in content["title"]
    assert all(button["type"] == "url" for button in content["buttons"])
    nothing = await http.get(url, params={"product": "gibtesnicht"})
    assert "Kein Artikel gefunden für „gibtesnicht“." in nothing.text
    gone = await http.post(f"{url}/card", data={"csrf": csrf_of(page), "sku": "NOPE"})
    assert gone.status_code == 404


async def test_after_whatsapps_24_hours_the_box_offers_the_approved_templates(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    http, _, url = await _taken(runtime, browser, channel="whatsapp", hours_ago=30)
    page = await http.get(url)
    assert "außerhalb der 24 Stunden nur mit einer Vorlage" in page.text
    assert "Vorlage sohle_service_reply" in page.text
    assert 'name="text"' in page.text  # the template's value, not the free reply box
    assert 'action="' + url + '/reply"' not in page.text
    missing = await http.post(
        f"{url}/template",
        data={"csrf": csrf_of(page), "purpose": "service_reply", "text": "  "},
    )
    assert missing.status_code == 400
    assert "braucht einen Wert für „text“" in missing.text
    sent = await http.post(
        f"{url}/template",
        data={"csrf": csrf_of(page), "purpose": "service_reply", "text": "Ihr Paket ist da."},
    )
    assert sent.status_code == 303
    [message] = await _sent(runtime)
    assert message["purpose"] == "service_reply"
    assert message["data"] == {"text": "Ihr Paket ist da."}
    assert message["actor"] == "agent"
    unknown = await http.post(f"{url}/template", data={"csrf": csrf_of(page), "purpose": "x"})
    assert unknown.status_code == 404
