"""The bot hands over on its own: a frustrated customer, the third misunderstanding; and
outside the shop's business hours it says when the team answers and asks for a contact."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import copy_demo
from tests.dialogue.chat import Catalog, Chat, texts
from theke.bot import load_bot
from theke.commerce import catalog_from_folder
from theke.dialogue import Engine
from theke.dialogue.handover import AWAITING_CONTACT, note_contact
from theke.runtime import build_engine

# Monday 1 December 2025, 22:00 in Berlin (21:00 UTC): closed; 09:00 is "morgen".
NIGHT = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
# Tuesday 1 December 2026, 11:00 in Berlin: open.
DAY = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
HOURS = """
business_hours:
  timezone: Europe/Berlin
  mo: "09:00-18:00"
  di: "09:00-18:00"
  mi: "09:00-18:00"
  do: "09:00-18:00"
  fr: "09:00-18:00"
"""


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The demo shop with business hours on weekdays from 9 to 18."""
    folder = tmp_path_factory.mktemp("shop") / "sneakershop"
    copy_demo(folder)
    config = folder / "theke.yml"
    config.write_text(config.read_text(encoding="utf-8") + HOURS, encoding="utf-8")
    bot = load_bot(folder)
    return build_engine(bot, isolated=False, catalog=Catalog(catalog_from_folder(bot.path)))


@pytest.mark.parametrize(
    ("said", "reason"),
    [
        ("Das ist doch lächerlich, verstehst du mich nicht?", "phrase"),
        ("WO IST MEINE BESTELLUNG", "shouting"),
        ("This is ridiculous, you don't understand", "phrase"),
    ],
)
def test_a_frustrated_customer_gets_a_person_at_once(
    engine: Engine, said: str, reason: str
) -> None:
    chat = Chat(engine, now=DAY)
    answer = texts(chat.say(said))
    assert chat.last is not None
    assert chat.last.handoff
    assert chat.last.handoff_reason == "frustration"
    assert ("Das tut mir leid" in answer) or ("I'm sorry" in answer)
    assert ("handoff.frustration", {"reason": reason}) in chat.last.events


def test_a_calm_question_and_a_happy_shout_stay_with_the_bot(engine: Engine) -> None:
    chat = Chat(engine, now=DAY)
    chat.say("Wie lange dauert der Versand nach Österreich?")
    assert chat.last is not None
    assert not chat.last.handoff
    chat.say("Danke!!!")  # understood, so the exclamation marks are joy
    assert not chat.last.handoff


def test_question_marks_after_a_miss_hand_over(engine: Engine) -> None:
    chat = Chat(engine, now=DAY)
    chat.say("Wie ist das Wetter auf dem Mars???")
    assert chat.last is not None
    assert chat.last.handoff
    assert chat.last.handoff_reason == "frustration"


def test_the_third_misunderstanding_hands_over(engine: Engine) -> None:
    chat = Chat(engine, now=DAY)
    first = texts(chat.say("flimflam gadonk"))
    second = texts(chat.say("asdf qwer"))
    assert chat.last is not None
    assert not chat.last.handoff
    assert "Soll ich dich mit einem Menschen" in second
    third = texts(chat.say("Wer gewinnt die Bundesliga"))
    assert chat.last.handoff
    assert chat.last.handoff_reason == "misunderstood"
    assert "Ich verstehe dich leider nicht richtig" in third
    assert first != third


def test_after_hours_the_bot_says_when_and_asks_for_a_contact(engine: Engine) -> None:
    chat = Chat(engine, now=NIGHT)
    asked = texts(chat.say("Ich will mit einem Menschen sprechen"))
    assert chat.last is not None
    assert chat.last.handoff  # it waits in the inbox even if the customer never answers
    assert "Unser Team ist gerade nicht da und meldet sich morgen ab 9:00 Uhr" in asked
    assert "per E-Mail oder Telefon" in asked
    assert "Ich gebe dein Anliegen" not in asked
    assert AWAITING_CONTACT in chat.customer
    assert ("handoff.after_hours", {"reason": "flow"}) in chat.last.events


def test_a_contact_sent_after_hours_is_remembered_while_a_person_has_it() -> None:
    profile = {AWAITING_CONTACT: NIGHT.isoformat()}
    assert not note_contact(profile, "Hallo? Jemand da?", NIGHT)
    assert AWAITING_CONTACT in profile
    assert note_contact(profile, "klar: anna.schmidt@example.org oder 0170 1234567", NIGHT)
    assert profile == {"email": "anna.schmidt@example.org", "phone": "+491701234567"}
    assert not note_contact(profile, "noch was: bert@example.org", NIGHT)  # asked once
    assert profile["email"] == "anna.schmidt@example.org"


def test_after_hours_a_known_contact_is_not_asked_again(engine: Engine) -> None:
    chat = Chat(engine, now=NIGHT, customer={"phone": "+4917012345678"})
    answer = texts(chat.say("Ich will mit einem Menschen sprechen"))
    assert chat.last is not None
    assert chat.last.handoff
    assert "meldet sich morgen ab 9:00 Uhr hier im Chat bei dir" in answer
    assert "Ich gebe dein Anliegen" not in answer


def test_in_business_hours_the_hand_over_is_announced_as_always(engine: Engine) -> None:
    chat = Chat(engine, now=DAY)
    answer = texts(chat.say("Ich will mit einem Menschen sprechen"))
    assert chat.last is not None
    assert chat.last.handoff
    assert "Ich gebe dein Anliegen an unser Team weiter" in answer


def test_a_shop_can_turn_the_automatic_hand_overs_off(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("calm") / "sneakershop"
    copy_demo(folder)
    config = folder / "theke.yml"
    calm = "\nhandover:\n  frustration: false\n  misses: 0\n"
    config.write_text(config.read_text(encoding="utf-8") + calm, encoding="utf-8")
    bot = load_bot(folder)
    engine = build_engine(bot, isolated=False, catalog=Catalog(catalog_from_folder(bot.path)))
    chat = Chat(engine, now=DAY)
    chat.say("WO IST MEINE BESTELLUNG")
    assert chat.last is not None
    assert not chat.last.handoff
    chat = Chat(engine, now=DAY)
    for said in (
        "flimflam gadonk",
        "asdf qwer",
        "xkcd 927 lorem",
        "Was ist die Hauptstadt von Peru",
    ):
        chat.say(said)
        assert chat.last is not None
        assert not chat.last.handoff
    chat.say("Ich will mit einem Menschen sprechen")
    assert chat.last.handoff  # asking for a person always works
