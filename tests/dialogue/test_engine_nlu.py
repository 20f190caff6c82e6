"""The demo shop with its NLU: what no keyword catches, the recognised intent answers."""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from tests.conftest import DEMO_BOT
from theke.bot import load_bot
from theke.dialogue import Engine, Inbound, Turn
from theke.nlu.service import NluService

KNOWN: dict[str, Any] = {"introduced": True, "turns": 1}
"""A conversation past its first turn: the bot has introduced itself."""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("engine") / "sneakershop"
    shutil.copytree(DEMO_BOT, folder, ignore=shutil.ignore_patterns(".theke"))
    bot = load_bot(folder)
    nlu = NluService.start(bot.nlu, bot.config.nlu, bot.data_folder / "models", isolated=False)
    return Engine(bot, nlu)


def _say(engine: Engine, text: str, state: dict[str, Any] | None = None) -> Turn:
    return engine.handle(state or dict(KNOWN), Inbound(text=text), conversation_key="web:anna")


def _keys(turn: Turn) -> list[str]:
    return [data["key"] for kind, data in turn.events if kind == "response"]


def _nlu(turn: Turn) -> dict[str, Any]:
    return next(data for kind, data in turn.events if kind == "nlu")


def test_a_question_without_keywords_is_answered_by_its_intent(engine: Engine) -> None:
    turn = _say(engine, "kann ich die latschen zurückbringen wenn sie nicht passen")
    assert _keys(turn) == ["returns"]
    assert _nlu(turn)["intent"] == "returns"


def test_the_intents_mapping_picks_the_response(engine: Engine) -> None:
    turn = _say(engine, "habt ihr was von asics in blau unter 90 euro")
    assert _nlu(turn)["intent"] == "product_search"
    assert _keys(turn) == ["products"]  # theke.yml: intents: product_search: products
    assert {"brand", "color", "price"} <= set(_nlu(turn)["entities"])


def test_an_english_question_switches_the_language(engine: Engine) -> None:
    turn = _say(engine, "do you guys ship to switzerland as well?", {**KNOWN, "language": "de"})
    assert ("language.switched", {"from": "de", "to": "en"}) in turn.events
    assert turn.state["language"] == "en"
    assert _keys(turn) == ["shipping"]


def test_an_intent_without_a_response_falls_back(engine: Engine) -> None:
    turn = _say(engine, "wo bleibt meine bestellung SC-123456")
    assert _nlu(turn)["intent"] == "order_status"
    assert ("fallback", {"reason": "intent_unanswered", "intent": "order_status"}) in turn.events
    assert _keys(turn) == ["fallback"]


def test_off_topic_messages_fall_back(engine: Engine) -> None:
    turn = _say(engine, "Mein Hamster heißt Ludwig und frisst gern Möhren")
    assert ("fallback", {"reason": "nlu_unsure"}) in turn.events


def test_the_event_log_never_holds_the_customers_words(engine: Engine) -> None:
    turn = _say(engine, "schick die rechnung an max.mustermann@example.de bitte")
    logged = repr(turn.events)
    assert "mustermann" not in logged and "rechnung" not in logged


def test_keywords_still_come_first(engine: Engine) -> None:
    turn = _say(engine, "STOP")
    assert _keys(turn) == ["stop"]
    assert not any(kind == "nlu" for kind, _ in turn.events)
