"""Guided conversations: a customer asking for sneakers, step by step or all at once."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from theke.bot import load_bot
from theke.content import Content, QuickReplies, Text
from theke.dialogue import Engine, Inbound, Turn
from theke.runtime import build_engine

FLOWBOT = Path(__file__).with_name("flowbot")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    folder = tmp_path_factory.mktemp("flows") / "flowbot"
    shutil.copytree(FLOWBOT, folder)
    bot = load_bot(folder)
    return build_engine(bot, isolated=False)


class Chat:
    """One customer's conversation: says things, taps buttons, keeps the state."""

    def __init__(self, engine: Engine, state: dict[str, Any] | None = None) -> None:
        self.engine = engine
        self.state: dict[str, Any] = state if state is not None else {"introduced": True}
        self.customer: dict[str, Any] = {}
        self.now = NOW
        self.turn: Turn | None = None

    def say(self, text: str) -> Turn:
        return self._send(Inbound(text=text))

    def tap(self, payload: str) -> Turn:
        return self._send(Inbound(postback=payload))

    def _send(self, inbound: Inbound) -> Turn:
        turn = self.engine.handle(
            self.state, inbound, conversation_key="web:kim", customer=self.customer, now=self.now
        )
        self.state = turn.state
        if turn.profile is not None:
            self.customer = turn.profile
        self.now += timedelta(seconds=20)
        self.turn = turn
        return turn

    @property
    def slots(self) -> dict[str, Any]:
        return dict(self.state.get("slots", {}))

    @property
    def flow(self) -> str | None:
        stack = self.state.get("stack") or []
        return stack[-1]["flow"] if stack else None


def texts(turn: Turn) -> list[str]:
    return [_text(reply) for reply in turn.replies]


def _text(content: Content) -> str:
    assert isinstance(content, Text | QuickReplies), content
    return content.text


def keys(turn: Turn) -> list[str]:
    return [data["key"] for kind, data in turn.events if kind == "response"]


def payloads(turn: Turn) -> list[str]:
    last = turn.replies[-1]
    return [reply.payload for reply in last.replies] if isinstance(last, QuickReplies) else []


def test_one_sentence_fills_every_slot_and_skips_the_questions(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("Habt ihr Laufschuhe unter 100 Euro in Größe 43?")
    assert texts(turn) == ["Ich suche Laufschuhe bis 100 € in Größe 43."]
    assert chat.slots == {
        "category": "running",
        "budget": {"min": None, "max": 100.0, "currency": "EUR"},
        "size": 43.0,
    }
    assert ("flow.completed", {"flow": "sneaker_advice"}) in turn.events
    assert chat.flow is None


def test_step_by_step_with_the_choices_as_buttons(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("ich suche sneaker")
    assert texts(turn) == ["Welche Art Schuh suchst du?"]
    assert payloads(turn) == ["theke:slot:category:running", "theke:slot:category:basketball"]
    assert texts(chat.tap("theke:slot:category:basketball")) == ["Wie viel möchtest du ausgeben?"]
    assert texts(chat.say("so 80 euro")) == ["Welche Größe hast du?"]
    assert texts(chat.say("44,5")) == ["Ich suche Basketball bis 80 € in Größe 44,5."]


def test_a_typed_choice_with_a_typo_counts(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche sneaker")
    chat.say("Basketbal")
    assert chat.slots["category"] == "basketball"


def test_a_question_in_between_is_answered_then_the_flow_comes_back(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    turn = chat.say("Was sind eure Öffnungszeiten?")
    assert texts(turn) == [
        "Wir haben Mo–Fr 10–19 Uhr geöffnet.",
        "Zurück zu meiner Frage:",
        "Wie viel möchtest du ausgeben?",
    ]
    assert texts(chat.say("100")) == ["Welche Größe hast du?"]


def test_abbrechen_cancels_the_flow(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    turn = chat.say("abbrechen")
    assert texts(turn) == ["Okay, ich habe abgebrochen. Wobei kann ich dir sonst helfen?"]
    assert chat.flow is None


def test_zurueck_goes_back_one_question_and_forgets_its_answer(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    chat.say("bis 120 euro")
    turn = chat.say("zurück")
    assert texts(turn) == ["Wie viel möchtest du ausgeben?"]
    assert "budget" not in chat.slots
    assert texts(chat.say("zurück")) == ["Welche Art Schuh suchst du?"]
    assert texts(chat.say("zurück"))[0] == "Wir sind schon bei der ersten Frage."


def test_doch_lieber_changes_a_slot_already_filled(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe bis 100 euro")
    turn = chat.say("doch lieber basketballschuhe")
    assert texts(turn) == ["Alles klar: Basketball.", "Welche Größe hast du?"]
    assert chat.slots["category"] == "basketball"


def test_egal_leaves_a_skippable_question_open(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    assert texts(chat.say("egal")) == ["Welche Größe hast du?"]
    assert chat.slots["budget"] is None


def test_a_wrong_answer_is_asked_again_then_handed_to_a_human(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro")
    turn = chat.say("99")
    assert texts(turn) == [
        "Das liegt leider außerhalb dessen, was hier geht.",
        "Welche Größe hast du?",
    ]
    assert not turn.handoff
    turn = chat.say("120")
    assert turn.handoff
    assert "Team" in texts(turn)[0]
    assert chat.flow is None


def test_a_pattern_refuses_a_malformed_order_number(engine: Engine) -> None:
    chat = Chat(engine)
    assert texts(chat.say("wo ist meine bestellung")) == ["Wie lautet deine Bestellnummer?"]
    turn = chat.say("12345")
    assert texts(turn)[-1] == "Wie lautet deine Bestellnummer?"
    assert texts(chat.say("SC-654321")) == ["Danke! Ich schaue nach SC-654321."]


def test_the_size_is_remembered_and_offered_next_time(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro in Größe 43")
    assert chat.customer["remembered"] == {"size": 43.0}
    chat.tap("ADVICE")  # a new search from the menu starts with empty answers
    chat.tap("theke:slot:category:basketball")
    turn = chat.say("egal")
    assert texts(turn) == ["Welche Größe hast du?"]
    assert payloads(turn) == ["theke:slot:size:43.0"]
    assert texts(chat.tap("theke:slot:size:43.0")) == ["Ich suche Basketball  in Größe 43."]


def test_a_returning_customer_is_offered_the_unfinished_flow(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    chat.now += timedelta(hours=20)
    turn = chat.say("Öffnungszeiten")
    assert texts(turn)[0] == "Wir haben Mo–Fr 10–19 Uhr geöffnet."
    assert "weitermachen" in texts(turn)[1]
    assert payloads(turn) == ["theke:resume", "theke:dismiss"]
    assert texts(chat.tap("theke:resume"))[-1] == "Wie viel möchtest du ausgeben?"


def test_silence_in_a_flow_schedules_one_reminder(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("ich suche laufschuhe")
    assert turn.reminder is not None
    assert turn.reminder.at == NOW + timedelta(minutes=60)
    finished = chat.say("egal")
    assert finished.reminder is not None  # still waiting: the size question
    done = chat.say("43")
    assert done.reminder is None


def test_unsure_understanding_offers_guesses_then_a_human(engine: Engine) -> None:
    chat = Chat(engine)
    first = chat.say("Die Katze schläft auf dem Sofa")
    offered = payloads(first)
    assert len(offered) == 3 and offered[-1] == "theke:dismiss"  # the best two, and "no"
    assert all(payload.startswith(("theke:faq:", "theke:intent:")) for payload in offered[:2])
    assert texts(first)[0].startswith("Ich bin mir nicht sicher")
    second = chat.say("Mein Hamster heißt Ludwig")
    assert ("fallback", {"reason": "second_miss", "misses": 2}) in second.events
    assert "theke:human" in payloads(second)
    assert chat.tap("theke:human").handoff


def test_a_payload_the_bot_never_sent_gets_the_fallback_and_the_question_again(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    for payload in ("theke:slot:nope:1", "theke:weird", "theke:slot:size:", "SOMETHING"):
        turn = chat.tap(payload)
        assert texts(turn) == ["Das habe ich nicht verstanden.", "Zurück zu meiner Frage:",
                               "Wie viel möchtest du ausgeben?"]  # fmt: skip
    assert chat.flow == "sneaker_advice"


def test_a_new_conversation_starts_with_the_introduction(engine: Engine) -> None:
    chat = Chat(engine, state={})
    turn = chat.say("hallo")
    assert texts(turn)[0].startswith("Hi, ich bin Kim, der Chatbot von Testladen: Ich antworte")
    assert texts(turn)[1] == "Hallo!"
    assert "Chatbot" not in " ".join(texts(chat.say("hallo")))


def test_after_the_results_a_refinement_keeps_the_other_answers(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro in Größe 43")
    turn = chat.say("doch lieber basketballschuhe")
    assert texts(turn) == ["Alles klar: Basketball.", "Ich suche Basketball bis 100 € in Größe 43."]
    assert ("flow.refined", {"flow": "sneaker_advice", "slots": ["category"]}) in turn.events


def test_english_customers_get_the_flow_in_english(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("I am looking for running shoes under 80 euros")
    assert texts(turn) == ["What is your size?"]
    assert texts(chat.say("43")) == ["Looking for Running up to €80 in size 43."]


def test_long_and_empty_messages_keep_the_flow_alive(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    assert texts(chat.say("   "))[-1] == "Wie viel möchtest du ausgeben?"
    turn = chat.say("a" * 5000)
    assert texts(turn)[-1] == "Wie viel möchtest du ausgeben?"
    assert chat.flow == "sneaker_advice"


def test_a_service_question_is_answered_from_the_faq_with_feedback(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("wie lange dauert denn der versand")
    assert texts(turn)[0] == "Innerhalb Deutschlands ist dein Paket in 2–3 Werktagen da."
    assert ("knowledge.answered", {"entry": "shipping_time", "variant": 0, "language": "de"}) in (
        turn.events
    )
    assert payloads(turn)[:1] == ["theke:faq:returns"]
    assert "theke:helpful:shipping_time:yes" in payloads(turn)
    thanks = chat.tap("theke:helpful:shipping_time:yes")
    assert ("knowledge.feedback", {"entry": "shipping_time", "helpful": True}) in thanks.events
    assert texts(chat.tap("theke:faq:returns"))[0].startswith("Du kannst alles 30 Tage")


def test_a_faq_question_inside_a_flow_is_answered_then_the_question_comes_back(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    turn = chat.say("kann ich die schuhe zurückschicken?")
    assert texts(turn) == [
        "Du kannst alles 30 Tage lang kostenlos zurückschicken.",
        "Zurück zu meiner Frage:",
        "Wie viel möchtest du ausgeben?",
    ]


def test_the_reminder_waits_for_the_delay_and_comes_once(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat.say("ich suche laufschuhe")
    assert turn.reminder is not None
    started = turn.reminder.started
    early = NOW + timedelta(minutes=59)
    assert engine.remind(chat.state, started, conversation_key="web:kim", now=early) is None
    late = NOW + timedelta(minutes=61)
    reminder = engine.remind(chat.state, started, conversation_key="web:kim", now=late)
    assert reminder is not None
    assert texts(reminder)[0].startswith("Bist du noch da? Wir waren bei „Sneaker-Beratung“")
    assert engine.remind(reminder.state, started, conversation_key="web:kim", now=late) is None


def test_no_reminder_for_another_run_or_a_finished_flow(engine: Engine) -> None:
    chat = Chat(engine)
    started = chat.say("ich suche laufschuhe").reminder
    assert started is not None
    later = NOW + timedelta(hours=2)
    assert engine.remind(chat.state, started.started + 1, conversation_key="k", now=later) is None
    chat.say("egal")
    chat.say("43")
    assert engine.remind(chat.state, started.started, conversation_key="k", now=later) is None


def test_a_returning_customer_is_greeted_by_name(engine: Engine) -> None:
    chat = Chat(engine, state={})
    chat.customer = {"name": "Anna"}
    turn = chat.say("hallo")
    assert texts(turn)[0] == "Schön, dich wiederzusehen, Anna!"  # a new conversation, a known face
    assert "Chatbot" in texts(turn)[1]
    chat.now += timedelta(hours=3)
    assert texts(chat.say("hallo"))[0] == "Schön, dich wiederzusehen, Anna!"
    assert texts(chat.say("hallo")) == ["Hallo!"]  # not again within the same visit


def test_an_ad_that_opens_the_chat_starts_its_flow(engine: Engine) -> None:
    chat = Chat(engine)
    turn = chat._send(Inbound(referral="sneaker-ad"))
    assert texts(turn) == ["Welche Art Schuh suchst du?"]
    assert ("referral", {"ref": "sneaker-ad"}) in turn.events
    # A ref with a first message: the flow starts and the message fills what it can.
    chat = Chat(engine)
    turn = chat._send(Inbound(referral="sneaker-ad", text="laufschuhe bitte"))
    assert chat.slots["category"] == "running"
    assert texts(turn)[-1] == "Wie viel möchtest du ausgeben?"


def test_an_event_starts_its_flow_and_an_unknown_one_changes_nothing(engine: Engine) -> None:
    chat = Chat(engine)
    assert texts(chat._send(Inbound(event="widget_opened_on_running"))) == [
        "Welche Art Schuh suchst du?"
    ]
    quiet = Chat(engine)
    turn = quiet._send(Inbound(event="something_else"))
    assert turn.replies == ()
    assert ("trigger.unmatched", {"event": "something_else"}) in turn.events


def test_an_offer_holds_for_the_next_message_only(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Die Katze schläft auf dem Sofa")
    offer = chat.say("Mein Hamster heißt Ludwig")  # the second miss: a person is offered
    assert "theke:human" in payloads(offer)
    chat.say("Was sind eure Öffnungszeiten?")  # the customer moved on
    assert not chat.say("ja").handoff  # a later "ja" does not take up the old offer


def test_a_typed_yes_takes_up_the_offer_right_away(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Die Katze schläft auf dem Sofa")
    chat.say("Mein Hamster heißt Ludwig")
    assert chat.say("ja bitte").handoff


def test_starting_a_running_flow_again_starts_it_over_not_twice(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("ich suche laufschuhe")
    chat.say("bis 100 euro")
    assert texts(chat.tap("ADVICE")) == ["Welche Art Schuh suchst du?"]
    assert [frame["flow"] for frame in chat.state["stack"]] == ["sneaker_advice"]


def test_a_button_payload_with_a_value_no_button_carries_is_refused(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro")
    for payload in ("theke:slot:size:NaN", "theke:slot:size:1e999", "theke:slot:size:99"):
        turn = chat.tap(payload)
        assert texts(turn)[0] == "Das habe ich nicht verstanden."
    assert "size" not in chat.slots
    assert "nan" not in json.dumps(chat.state).lower()


def test_an_edited_flow_asks_where_it_stands_now(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro")
    chat.state["stack"][-1]["fingerprint"] = "before-the-edit"
    turn = chat.say("Was sind eure Öffnungszeiten?")
    assert texts(turn) == ["Wir haben Mo–Fr 10–19 Uhr geöffnet.", "Welche Größe hast du?"]
    assert texts(chat.say("43")) == ["Ich suche Laufschuhe bis 100 € in Größe 43."]


def test_after_a_person_handed_back_the_bot_introduces_itself_again(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro")
    assert chat.say("99").handoff is False
    assert chat.say("120").handoff  # two sizes out of range: a person takes over
    # ... the person answers in the inbox, then hands the conversation back ...
    turn = chat.say("hallo")
    assert texts(turn)[0].startswith("Hier ist wieder Kim, der Chatbot")
    assert texts(chat.say("hallo")) == ["Hallo!"]


def test_the_profile_keeps_what_the_customer_likes(engine: Engine) -> None:
    chat = Chat(engine)
    chat.say("Laufschuhe bis 100 Euro in Größe 43")
    chat.tap("ADVICE")
    chat.tap("theke:slot:category:basketball")
    chat.tap("ADVICE")
    chat.tap("theke:slot:category:running")
    assert chat.customer["likes"] == {"category": {"running": 2, "basketball": 1}}
    assert chat.customer["language"] == "de"


def test_a_picture_or_a_sticker_gets_an_honest_answer_and_the_open_question_again(
    engine: Engine,
) -> None:
    chat = Chat(engine)
    picture = texts(chat._send(Inbound(event="attachment")))
    assert picture and "nicht ansehen" in picture[0]
    asked = texts(chat._send(Inbound(event="widget_opened_on_running")))[-1]  # a flow asks
    again = texts(chat._send(Inbound(event="unsupported")))
    assert "nicht lesen" in again[0]
    assert again[-1] == asked  # and the open question comes again
