"""The demo shop's conversation tests (examples/sneakershop/tests/*.yml) pass, and they are fair:
every customer message is the shop's test, not a copy of its training data."""

from __future__ import annotations

import pytest
from rapidfuzz.distance import Levenshtein

from tests.conftest import copy_demo
from theke.bot import Bot, load_bot
from theke.runtime import build_engine
from theke.testing import Story, load_stories, run_stories

MIN_MESSAGES = 150
MIN_DISTANCE = 4  # a test message within edit distance 3 of training data would test nothing


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Bot:
    folder = tmp_path_factory.mktemp("demo") / "sneakershop"
    copy_demo(folder)
    return load_bot(folder)


@pytest.fixture(scope="module")
def stories(bot: Bot) -> list[Story]:
    return load_stories(bot.path)


def _messages(stories: list[Story]) -> list[str]:
    return [step.user for story in stories for step in story.steps if step.user is not None]


def _training_texts(bot: Bot) -> list[str]:
    texts = [example.text for data in bot.nlu for example in data.examples]
    texts += [q for entry in bot.knowledge.values() for qs in entry.questions.values() for q in qs]
    return [text.strip().casefold() for text in texts]


def test_every_story_passes(bot: Bot, stories: list[Story]) -> None:
    results = run_stories(build_engine(bot, isolated=False), stories)
    failures = [result.failure for result in results if result.failure is not None]
    assert not failures, "\n\n".join(failures)


def test_there_are_enough_customer_messages(stories: list[Story]) -> None:
    assert len(_messages(stories)) >= MIN_MESSAGES


def test_no_test_message_is_a_near_copy_of_training_data(bot: Bot, stories: list[Story]) -> None:
    known = _training_texts(bot)
    close = []
    for message in _messages(stories):
        text = message.strip().casefold()
        near = next(
            (k for k in known if Levenshtein.distance(text, k, score_cutoff=MIN_DISTANCE - 1)
             < MIN_DISTANCE),
            None,
        )  # fmt: skip
        if near is not None:
            close.append(f"{message!r} ~ {near!r}")
    assert not close, "test messages too close to training data:\n" + "\n".join(close)
