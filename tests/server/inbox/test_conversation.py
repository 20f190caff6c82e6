"""One conversation in the inbox: what an agent sees, and taking over, replying and
handing back as two people in two browsers would do it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Connection, select

from tests.server.inbox.conftest import (
    AGENT,
    AGENT_PASSWORD,
    Browser,
    add_user,
    audit_actions,
    csrf_of,
    only_our_script,
    signed_in,
)
from theke.content.codec import text_json, to_json
from theke.content.model import Card, Carousel, Media, QuickReplies, QuickReply, UrlButton
from theke.inbox.handling import assignee
from theke.runtime import Runtime
from theke.store import conversations, log, orders, subscriptions
from theke.store.conversations import Conversation
from theke.store.orders import NewOrder, OrderLine
from theke.store.schema import customers, outbox
from theke.store.users import User

SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(document.cookie)"
ANNA = "anna@sohle.example"
ANNA_PASSWORD = "Regen Schirm Leiter Apfel"


def _bot_messages() -> list[dict[str, object]]:
    chips = QuickReplies(
        text="Welche Größe?",
        replies=(QuickReply(title="42", payload="size:42"), QuickReply(title="43", payload="x")),
    )
    card = Card(
        title="Samba OG",
        subtitle="Der Klassiker in Weiß",
        price="109,99 €",
        buttons=(UrlButton(title="Im Shop ansehen", url="https://shop.example/samba"),),
    )
    picture = Media(kind="image", url="https://shop.example/samba.jpg", caption="So sieht er aus")
    return [to_json(chips), to_json(Carousel(cards=(card,))), to_json(picture)]


async def _conversation(runtime: Runtime, texts: list[str]) -> Conversation:
    """A handed-over conversation: the customer wrote ``texts``, the bot answered, and
    the customer has a cart and an order."""

    def make(conn: Connection) -> Conversation:
        conversation = conversations.create(conn, "webchat", "visitor-1")
        now = datetime.now(UTC) - timedelta(minutes=10)
        entries = [
            log.LogEntry(
                conversation.id, conversation.customer_id, "message.in", "customer",
                now, content=text_json(text),
            )
            for text in texts
        ] + [
            log.LogEntry(
                conversation.id, conversation.customer_id, "message.out", "bot", now, content=c
            )
            for c in _bot_messages()
        ]  # fmt: skip
        log.append(conn, entries)
        state = {"introduced": True, "cart": [{"sku": "SAMBA-W", "size": "42", "quantity": 2}]}
        conversations.save(conn, [conversations.StateChange(conversation.id, state, now)])
        conversations.set_mode(conn, conversation.id, "human")
        orders.place(conn, _order(conversation))
        found = conversations.get(conn, conversation.id)
        assert found is not None
        return found

    return await runtime.db.write(make)


def _order(conversation: Conversation) -> NewOrder:
    line = OrderLine(sku="GAZ-B", size="41", name="Gazelle", quantity=1, unit_cents=9999)
    return NewOrder(
        checkout_key="checkout-1", customer_id=conversation.customer_id,
        conversation_id=conversation.id, channel="webchat", language="de",
        payment_method="invoice", currency="EUR", lines=(line,), subtotal_cents=9999,
        shipping_cents=495, vat_cents=1675, total_cents=10494, fulfilment="delivery",
        prefix="SO",
    )  # fmt: skip


async def _post(
    http: httpx.AsyncClient, page: httpx.Response, path: str, **fields: str
) -> httpx.Response:
    """Send a form from ``page`` (its CSRF value) to ``path``."""
    return await http.post(path, data={"csrf": csrf_of(page), **fields})


async def test_the_page_shows_the_history_as_the_customer_saw_it_and_runs_nothing(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, [f"Hilfe {SCRIPT} {IMAGE}", JS_URL])
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(f"/inbox/c/{conversation.id}")
    assert page.status_code == 200
    text = page.text
    assert only_our_script(text)
    assert "<img" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert JS_URL in text  # shown as text ...
    assert 'href="javascript:' not in text.lower()  # ... never as a link
    for shown in ("Welche Größe?", "Samba OG", "Der Klassiker in Weiß", "109,99 €"):
        assert shown in text
    assert 'href="https://shop.example/samba"' in text
    assert 'href="https://shop.example/samba.jpg"' in text
    assert '<li class="chip">42</li>' in text
    assert "Nr. SO" in text and "104,94 €" in text  # the order
    assert "2 × SAMBA-W, Größe 42" in text  # the cart
    assert conversation.customer_id in text
    assert "Übernehmen" in text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


async def test_take_over_reply_and_hand_back(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Ich will einen Menschen"])
    url = f"/inbox/c/{conversation.id}"
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(url)
    assert 'name="text"' not in page.text  # no reply form before taking over
    taken = await _post(http, page, f"{url}/take")
    assert taken.status_code == 303
    page = await http.get(taken.headers["location"])
    assert "Du hast das Gespräch übernommen" in page.text
    assert 'maxlength="4000"' in page.text
    async with runtime.signals.listen("outbox") as woken:
        sent = await _post(http, page, f"{url}/reply", text="Hallo, hier ist das Team <b>!</b>")
        assert sent.status_code == 303
        assert woken.is_set()  # the sender was told at once
    rows = await runtime.db.read(lambda conn: list(conn.execute(select(outbox)).mappings()))
    assert [(row["actor"], row["is_reply"]) for row in rows] == [("agent", False)]
    assert rows[0]["content"] == {"type": "text", "text": "Hallo, hier ist das Team <b>!</b>"}
    page = await http.get(url)
    assert "Team" in page.text
    assert "Hallo, hier ist das Team &lt;b&gt;!&lt;/b&gt;" in page.text
    back = await _post(http, page, f"{url}/return")
    assert back.status_code == 303
    after = await runtime.db.read(lambda conn: conversations.get(conn, conversation.id))
    assert after is not None
    assert after.mode == "bot"
    assert after.state["introduced"] is False
    assert after.state["cart"]  # the rest of the state stays


async def test_a_too_long_reply_is_refused_and_the_text_kept(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Hallo"])
    url = f"/inbox/c/{conversation.id}"
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(url)
    await _post(http, page, f"{url}/take")
    refused = await _post(http, page, f"{url}/reply", text="a" * 4001)
    assert refused.status_code == 400
    assert "Die Nachricht ist zu lang: 4001 Zeichen" in refused.text
    assert "a" * 4001 in refused.text
    rows = await runtime.db.read(lambda conn: list(conn.execute(select(outbox.c.id)).all()))
    assert rows == []


async def test_the_second_agent_to_take_over_is_told_who_has_it(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    await add_user(runtime, ANNA, "agent", ANNA_PASSWORD)
    conversation = await _conversation(runtime, ["Hallo"])
    url = f"/inbox/c/{conversation.id}"
    anna = await signed_in(browser, ANNA, ANNA_PASSWORD)
    other = await signed_in(browser, AGENT, AGENT_PASSWORD)
    anna_page, other_page = await anna.get(url), await other.get(url)
    assert (await _post(anna, anna_page, f"{url}/take")).status_code == 303
    late = await _post(other, other_page, f"{url}/take")
    assert late.status_code == 409
    assert f"Schon übernommen von {ANNA}." in late.text
    refused = await _post(other, other_page, f"{url}/reply", text="Ich auch!")
    assert refused.status_code == 409
    seen = await other.get(url)
    assert f"Übernommen von {ANNA}." in seen.text
    assert 'name="text"' not in seen.text
    rows = await runtime.db.read(lambda conn: list(conn.execute(select(outbox.c.id)).all()))
    assert rows == []


async def test_a_forged_form_changes_nothing(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Hallo"])
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    forged = await http.post(f"/inbox/c/{conversation.id}/take", data={"csrf": "forged"})
    assert forged.status_code == 403
    assert "Das Formular ist abgelaufen" in forged.text
    holder = await runtime.db.read(lambda conn: assignee(conn, conversation.id))
    assert holder is None
    page = await http.get(f"/inbox/c/{conversation.id}")
    assert "<dt>Übernommen von</dt><dd>niemandem</dd>" in page.text


async def test_an_unknown_conversation_is_a_404_page(browser: Browser, agent: User) -> None:
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/c/" + "0" * 32)
    assert page.status_code == 404
    assert "Dieses Gespräch gibt es nicht." in page.text
    take = await _post(http, await http.get("/inbox"), "/inbox/c/" + "0" * 32 + "/take")
    assert take.status_code == 404


async def test_the_page_needs_a_signed_in_agent(browser: Browser, runtime: Runtime) -> None:
    conversation = await _conversation(runtime, ["Geheime Frage"])
    response = await browser().get(f"/inbox/c/{conversation.id}")
    assert response.status_code == 303
    assert "Geheime Frage" not in response.text


async def test_the_list_links_to_the_conversation(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Hallo"])
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    listing = await http.get("/inbox")
    assert f'href="/inbox/c/{conversation.id}"' in listing.text


async def test_a_note_is_for_the_team_only(browser: Browser, agent: User, runtime: Runtime) -> None:
    conversation = await _conversation(runtime, ["Hallo"])
    url = f"/inbox/c/{conversation.id}"
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(url)
    noted = await _post(http, page, f"{url}/note", note=f"Stammkundin, sehr nett {SCRIPT}")
    assert noted.status_code == 303
    page = await http.get(noted.headers["location"])
    assert "Die Notiz ist gespeichert" in page.text
    assert f"Notiz von {AGENT}" in page.text
    assert "Stammkundin, sehr nett &lt;script&gt;" in page.text
    assert only_our_script(page.text)
    sent = await runtime.db.read(lambda conn: list(conn.execute(select(outbox.c.id)).all()))
    assert sent == []  # never sent
    empty = await _post(http, page, f"{url}/note", note="   ")
    assert empty.status_code == 400
    assert "Schreib zuerst eine Notiz." in empty.text


async def test_giving_a_conversation_to_a_colleague_and_closing_it(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    anna = await add_user(runtime, ANNA, "agent", ANNA_PASSWORD)
    conversation = await _conversation(runtime, ["Hallo"])
    url = f"/inbox/c/{conversation.id}"
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(url)
    await _post(http, page, f"{url}/take")
    page = await http.get(url)
    given = await _post(http, page, f"{url}/assign", to=anna.id)
    assert given.status_code == 303
    holder = await runtime.db.read(lambda conn: assignee(conn, conversation.id))
    assert holder is not None
    assert holder.email == ANNA
    mine = await (await signed_in(browser, ANNA, ANNA_PASSWORD)).get("/inbox?view=mine")
    assert f"/inbox/c/{conversation.id}" in mine.text
    refused = await _post(http, page, f"{url}/close")  # no longer the agent's
    assert refused.status_code == 409
    anna_http = await signed_in(browser, ANNA, ANNA_PASSWORD)
    anna_page = await anna_http.get(url)
    closed = await _post(anna_http, anna_page, f"{url}/close")
    assert closed.status_code == 303
    after = await runtime.db.read(lambda conn: conversations.get(conn, conversation.id))
    assert after is not None
    assert (after.mode, after.closed_at is not None) == ("bot", True)
    assert after.state["introduced"] is False
    listed = await anna_http.get("/inbox?view=closed")
    assert f"/inbox/c/{conversation.id}" in listed.text
    assert "geschlossen" in listed.text
    unknown = await _post(anna_http, anna_page, f"{url}/assign", to="nobody")
    assert unknown.status_code == 409


async def test_opening_a_conversation_marks_it_read(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Erste Frage", "Zweite Frage"])
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    before = await http.get("/inbox")
    assert '<span class="badge new">neu</span>' in before.text
    await http.get(f"/inbox/c/{conversation.id}")
    after = await http.get("/inbox")
    assert "badge" not in after.text.split('id="conversation-list"')[1]

    def more(conn: Connection) -> None:
        entry = log.LogEntry(
            conversation.id, conversation.customer_id, "message.in", "customer",
            datetime.now(UTC), content=text_json("Dritte Frage"),
        )  # fmt: skip
        log.append(conn, [entry])

    await runtime.db.write(more)
    later = await http.get("/inbox")
    assert '<span class="badge" title="ungelesene Nachrichten">1</span>' in later.text


async def test_the_side_panel_shows_who_the_customer_is_and_what_they_agreed_to(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _conversation(runtime, ["Hallo"])

    def know(conn: Connection) -> None:
        profile = {
            "email": "anna@example.org",
            "remembered": {"size": "39", "phone": "+4917012345678"},
            "likes": {"brand": {"Adidas": 3, "Nike": 1}, "color": {"<b>grün</b>": 2}},
        }
        conn.execute(
            customers.update()
            .where(customers.c.id == conversation.customer_id)
            .values(profile=profile, opted_out_at=datetime(2026, 11, 2, tzinfo=UTC))
        )
        subscriptions.add(
            conn,
            [
                subscriptions.NewSubscription(
                    customer_id=conversation.customer_id, conversation_id=conversation.id,
                    channel="webchat", topic="back_in_stock", subject="SAMBA-W:42", data={},
                )
            ],
        )  # fmt: skip

    await runtime.db.write(know)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = (await http.get(f"/inbox/c/{conversation.id}")).text
    assert "<dt>E-Mail</dt><dd>anna@example.org</dd>" in page
    assert "<dt>Größe</dt><dd>39</dd>" in page
    assert "<dt>Telefon</dt><dd>+4917012345678</dd>" in page
    assert "Mag: Adidas, &lt;b&gt;grün&lt;/b&gt;" in page
    assert "Schreibt über: Web-Chat" in page
    assert "Bescheid, wenn wieder da: SAMBA-W, Größe 42" in page
    assert "Hat STOP geschickt (02.11.2026)" in page


async def test_tagging_the_customer(browser: Browser, agent: User, runtime: Runtime) -> None:
    conversation = await _conversation(runtime, ["Hallo"])
    url = f"/inbox/c/{conversation.id}"
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(url)
    added = await _post(http, page, f"{url}/tag", tag="  Stamm<b>kundin</b> ")
    assert added.status_code == 303
    again = await _post(http, page, f"{url}/tag", tag="stamm<b>KUNDIN</b>")  # once only
    assert again.status_code == 303
    shown = (await http.get(url)).text
    assert shown.count('<li class="chip">Stamm&lt;b&gt;kundin&lt;/b&gt;') == 1
    too_long = await _post(http, page, f"{url}/tag", tag="x" * 31)
    assert too_long.status_code == 400
    assert "Ein Tag hat höchstens 30 Zeichen." in too_long.text
    removed = await _post(http, page, f"{url}/tag", tag="Stamm<b>kundin</b>", remove="1")
    assert removed.status_code == 303
    assert "Stamm&lt;b&gt;kundin" not in (await http.get(url)).text
    actions = [row["action"] for row in await audit_actions(runtime)]
    assert actions.count("customer.tagged") == 2 and actions.count("customer.untagged") == 1
