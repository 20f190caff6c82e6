"""What the demo shop's bot answers to comments under its Facebook posts, and when a
private reply is still allowed."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import DEMO_BOT
from theke.bot import Bot, load_bot
from theke.bot.config import CommentKeyword, CommentSettings
from theke.content import Buttons, Text
from theke.inbox.comments import (
    CommentAnswer,
    comment_language,
    decide,
    private_reply_problem,
)
from theke.knowledge import KnowledgeBase
from theke.runtime import build_knowledge

T0 = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
SHIPPING_DE = (
    "Innerhalb Deutschlands ist deine Bestellung in 2–3 Werktagen bei dir. 📦 Bestellst du "
    "werktags bis 14 Uhr, geht dein Paket noch am selben Tag raus."
)


@pytest.fixture(scope="module")
def bot() -> Bot:
    return load_bot(DEMO_BOT)


@pytest.fixture(scope="module")
def knowledge(bot: Bot) -> KnowledgeBase:
    built = build_knowledge(bot)
    assert built is not None
    return built


def _with(bot: Bot, **changes: object) -> Bot:
    """The demo bot with other ``comments:`` settings."""
    comments = bot.config.comments.model_copy(update=changes)
    return dataclasses.replace(bot, config=bot.config.model_copy(update={"comments": comments}))


def test_a_question_the_faq_is_sure_about_is_answered_under_the_post(
    bot: Bot, knowledge: KnowledgeBase
) -> None:
    answer = decide("Wie lange dauert der Versand?", bot, "de", knowledge=knowledge)
    assert answer == CommentAnswer(SHIPPING_DE, None, "faq:shipping_time")
    english = decide("How long does shipping take?", bot, "en", knowledge=knowledge)
    assert english is not None and english.public is not None
    assert english.public.startswith("Within Germany your order arrives in 2–3 working days.")


def test_the_faq_answers_a_comment_only_from_the_stricter_score(
    bot: Bot, knowledge: KnowledgeBase
) -> None:
    question = "Wie teuer ist der Versand nach Österreich?"
    [best] = knowledge.search(question, "de", limit=1)
    assert bot.config.knowledge.threshold <= best.score < bot.config.comments.min_score
    assert decide(question, bot, "de", knowledge=knowledge) is None  # the chat would answer
    lenient = _with(bot, min_score=best.score - 0.01)
    answer = decide(question, lenient, "de", knowledge=knowledge)
    assert answer is not None and answer.rule == "faq:shipping_abroad"


def test_with_faq_private_the_answer_is_the_one_private_reply(
    bot: Bot, knowledge: KnowledgeBase
) -> None:
    private = _with(bot, faq="private")
    answer = decide("Wie lange dauert der Versand?", private, "de", knowledge=knowledge)
    assert answer == CommentAnswer(None, Text(text=SHIPPING_DE), "faq:shipping_time")
    off = _with(bot, faq="off")
    assert decide("Wie lange dauert der Versand?", off, "de", knowledge=knowledge) is None


@pytest.mark.parametrize(
    "comment",
    [
        "GUIDE bitte",
        "guide",
        "Ich hätte gern den Größenguide!",
        "Groessenguide?",
        "SIZE  guide pls",
    ],
)
def test_a_keyword_sends_the_size_guide_privately_and_says_so_publicly(
    bot: Bot, knowledge: KnowledgeBase, comment: str
) -> None:
    answer = decide(comment, bot, "de", knowledge=knowledge, seed="1111_2_3")
    assert answer is not None and answer.rule == "keyword:guide"
    assert isinstance(answer.private, Buttons)
    assert answer.private.text.startswith("Hier ist dein Größenguide von Sohle & Co.")
    assert answer.public in {
        "Ist unterwegs: schau in dein Postfach! 📬",
        "Hab dir den Größenguide geschickt, schau in dein Postfach! 📬",
    }


def test_keywords_match_whole_words_only(bot: Bot, knowledge: KnowledgeBase) -> None:
    for comment in ("Die guidelines sind gut", "Guided tour?", "sizeguide"):
        answer = decide(comment, bot, "de", knowledge=knowledge)
        assert answer is None or not answer.rule.startswith("keyword:"), comment


def test_keywords_answer_in_the_comments_language(bot: Bot) -> None:
    assert comment_language("Can I have the size guide please?", bot) == "en"
    answer = decide("Can I have the size guide please?", bot, "en", seed="9")
    assert answer is not None and isinstance(answer.private, Buttons)
    assert answer.private.text.startswith("Here is your Sohle & Co. size guide")


def test_a_keyword_rule_without_a_public_reply_only_answers_privately(bot: Bot) -> None:
    rule = CommentKeyword(words=("guide",), message="size_guide")
    quiet = _with(bot, keywords=(rule,))
    answer = decide("guide", quiet, "de")
    assert answer is not None and answer.public is None and answer.private is not None


@pytest.mark.parametrize(
    "comment", ["Tolles Foto! 😍", "❤️❤️❤️", "@Lena schau mal", "", "Super Schuhe, will ich haben"]
)
def test_everything_else_waits_for_a_person(
    bot: Bot, knowledge: KnowledgeBase, comment: str
) -> None:
    assert decide(comment, bot, "de", knowledge=knowledge) is None


def test_without_a_comments_section_the_bot_answers_no_comment(
    bot: Bot, knowledge: KnowledgeBase
) -> None:
    silent = dataclasses.replace(
        bot, config=bot.config.model_copy(update={"comments": CommentSettings()})
    )
    assert decide("Wie lange dauert der Versand?", silent, "de", knowledge=knowledge) is None
    assert decide("GUIDE bitte", silent, "de", knowledge=knowledge) is None


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=300), language=st.sampled_from(["de", "en", "fr"]))
def test_decide_never_raises(bot: Bot, knowledge: KnowledgeBase, text: str, language: str) -> None:
    answer = decide(text, bot, language, knowledge=knowledge, seed=text)
    assert answer is None or answer.public is not None or answer.private is not None


def test_a_private_reply_is_allowed_once_within_seven_days() -> None:
    assert private_reply_problem(T0, None, T0 + timedelta(days=6, hours=23)) is None
    late = private_reply_problem(T0, None, T0 + timedelta(days=7))
    assert late is not None and "älter als 7 Tage" in late
    twice = private_reply_problem(T0, T0 + timedelta(hours=1), T0 + timedelta(hours=2))
    assert twice is not None and "schon privat geantwortet" in twice
