"""Teaching the bot from the inbox, as an agent does it: from a conversation to the form,
the list of what was taught, taking it back, and the questions the bot missed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Connection, insert

from tests.server.inbox.conftest import (
    AGENT,
    AGENT_PASSWORD,
    Browser,
    add_user,
    csrf_of,
    only_our_script,
    signed_in,
)
from theke.content.codec import text_json
from theke.runtime import Runtime
from theke.store import conversations, log
from theke.store.conversations import Conversation
from theke.store.schema import inbound_events
from theke.store.users import User

QUESTION = "Verkauft ihr auch Schnürsenkel einzeln?"
ANSWER = "Ja, im Laden in der Lindwurmstraße für 4 € das Paar."
BEN = "ben@sohle.example"
BEN_PASSWORD = "Kerze Fenster Brot Zug"


async def _answered(runtime: Runtime) -> Conversation:
    """The customer asked, the bot missed it, an agent answered."""

    def make(conn: Connection) -> Conversation:
        c = conversations.create(conn, "webchat", "visitor-1")
        now = datetime.now(UTC)
        inbound_id = conn.execute(
            insert(inbound_events).values(
                channel="webchat", external_id="e-1", conversation_key=c.key, payload={},
                received_at=now, status="done",
            )
        ).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
        log.append(conn, [
            log.LogEntry(c.id, c.customer_id, "message.in", "customer", now,
                         content=text_json(QUESTION), inbound_id=inbound_id),
            log.LogEntry(c.id, c.customer_id, "fallback", "bot", now,
                         data={"reason": "no_match"}, inbound_id=inbound_id),
            log.LogEntry(c.id, c.customer_id, "message.out", "agent", now,
                         content=text_json(ANSWER)),
        ])  # fmt: skip
        return c

    return await runtime.db.write(make)


async def test_from_a_conversation_to_a_taught_faq_entry(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    conversation = await _answered(runtime)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get(f"/inbox/c/{conversation.id}")
    assert f"/inbox/teach?conversation={conversation.id}" in page.text
    form = await http.get("/inbox/teach", params={"conversation": conversation.id})
    assert f">{QUESTION}</textarea>" in form.text
    assert f">{ANSWER}</textarea>" in form.text
    sent = await http.post(
        "/inbox/teach",
        data={"csrf": csrf_of(form), "kind": "faq", "language": "de", "question": QUESTION,
              "answer": ANSWER, "conversation": conversation.id},
    )  # fmt: skip
    assert sent.status_code == 303
    listed = await http.get(sent.headers["location"])
    assert "Gelernt. Der Bot wird neu trainiert" in listed.text
    assert QUESTION in listed.text
    assert "Der Bot wird gerade neu trainiert" in listed.text  # no worker ran the job
    assert f'href="/inbox/c/{conversation.id}"' in listed.text


async def test_a_question_the_faq_has_is_refused_and_the_form_kept(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    bot = runtime.folder_bot or runtime.bot
    asked = next(iter(bot.knowledge.values())).questions["de"][0]
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    form = await http.get("/inbox/teach")
    refused = await http.post(
        "/inbox/teach",
        data={"csrf": csrf_of(form), "kind": "faq", "language": "de", "question": asked,
              "answer": "<b>Neu</b>"},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "Diese Frage steht schon im FAQ-Eintrag" in refused.text
    assert "&lt;b&gt;Neu&lt;/b&gt;</textarea>" in refused.text
    assert only_our_script(refused.text)


async def test_only_the_author_or_an_admin_takes_it_back(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    await add_user(runtime, BEN, "agent", BEN_PASSWORD)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    form = await http.get("/inbox/teach")
    await http.post(
        "/inbox/teach",
        data={"csrf": csrf_of(form), "kind": "example", "language": "de",
              "question": "dauert ein paket nach wien lange", "intent": "shipping"},
    )  # fmt: skip
    ben = await signed_in(browser, BEN, BEN_PASSWORD)
    ben_page = await ben.get("/inbox/taught")
    assert "Zurücknehmen" not in ben_page.text
    refused = await ben.post("/inbox/taught/1/remove", data={"csrf": csrf_of(ben_page)})
    assert refused.status_code == 403
    page = await http.get("/inbox/taught")
    removed = await http.post("/inbox/taught/1/remove", data={"csrf": csrf_of(page)})
    assert removed.status_code == 303
    again = await http.post("/inbox/taught/1/remove", data={"csrf": csrf_of(page)})
    assert again.status_code == 404
    assert "Noch nichts gelernt" in (await http.get("/inbox/taught")).text


async def test_the_missed_questions_page_leads_to_the_form(
    browser: Browser, agent: User, runtime: Runtime
) -> None:
    await _answered(runtime)
    http = await signed_in(browser, AGENT, AGENT_PASSWORD)
    page = await http.get("/inbox/missed")
    assert QUESTION in page.text
    assert "/inbox/teach?question=Verkauft+ihr+auch+Schn%C3%BCrsenkel+einzeln%3F" in page.text
