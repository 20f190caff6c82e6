"""Suggestions in the conversation: "Was empfiehlst du mir?" and "still interested?" on return."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.dialogue.chat import Catalog, Chat, buttons, texts
from theke.dialogue import Engine


def _cards(replies: list[dict]) -> list[str]:  # type: ignore[type-arg]
    carousel = next(reply for reply in replies if reply["type"] == "carousel")
    return [card["title"] for card in carousel["cards"]]


def test_a_runner_who_looked_at_running_shoes_is_recommended_running_shoes_in_stock(
    engine: Engine, catalog: Catalog
) -> None:
    chat = Chat(engine, customer={"size": "43", "viewed": ["SC-RUN-003", "SC-RUN-001"],
                                  "carted": ["SC-RUN-003"]})  # fmt: skip
    replies = chat.say("Was empfiehlst du mir?")
    assert "Das könnte dir gefallen" in texts(replies)
    titles = _cards(replies)
    products = [p for p in catalog.index if p.name in titles]
    assert sum(p.category == "running" for p in products) >= len(products) // 2 + 1
    assert all(p.stock("43") > 0 for p in products)


def test_someone_new_gets_the_most_popular_products(engine: Engine) -> None:
    replies = Chat(engine).say("empfehlungen")
    assert len(_cards(replies)) == 5


def test_a_returning_customer_who_greets_is_asked_about_the_shoe_they_looked_at(
    engine: Engine,
) -> None:
    last = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    chat = Chat(engine, customer={"size": "43", "viewed": ["SC-RUN-002"]})
    chat.state.update(turns=4, last_at=last)
    replies = chat.say("Hallo")
    assert "Du hast dir neulich Revolution 7 angesehen. Noch interessiert?" in texts(replies)
    assert buttons(replies)["Ja, zeig mal"] == "theke:product:SC-RUN-002"


def test_what_they_bought_is_not_brought_up_again(engine: Engine) -> None:
    last = (datetime.now(UTC) - timedelta(days=3)).isoformat()
    chat = Chat(engine, customer={"viewed": ["SC-RUN-002"], "bought": ["SC-RUN-002"]})
    chat.state.update(turns=4, last_at=last)
    assert "neulich" not in texts(chat.say("Hallo"))
