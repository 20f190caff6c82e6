"""``comments:`` in theke.yml: read as written, and every mistake names its line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import DE_YML, EN_YML, THEKE_YML, WriteBot
from theke.bot import load_bot
from theke.bot.config import CommentKeyword, CommentSettings
from theke.errors import BotFolderError

COMMENTS = """\
comments:
  faq: private
  min_score: 0.7
  keywords:
    - words: [guide, größenguide, size guide]
      message: size_guide
      reply: size_guide_public
"""
GUIDE_DE = "size_guide: Hier ist dein Größenguide.\nsize_guide_public: Schau in dein Postfach!\n"
GUIDE_EN = "size_guide: Here is your size guide.\nsize_guide_public: Check your inbox!\n"


def _error(bot: Path) -> BotFolderError:
    with pytest.raises(BotFolderError) as caught:
        load_bot(bot)
    return caught.value


def test_the_comments_section_is_read_as_written(write_bot: WriteBot) -> None:
    bot = load_bot(
        write_bot(theke=THEKE_YML + COMMENTS, de=DE_YML + GUIDE_DE, en=EN_YML + GUIDE_EN)
    )
    rule = CommentKeyword(
        words=("guide", "größenguide", "size guide"),
        message="size_guide",
        reply="size_guide_public",
    )
    assert bot.config.comments == CommentSettings(faq="private", min_score=0.7, keywords=(rule,))


def test_without_the_section_the_bot_answers_no_comment(write_bot: WriteBot) -> None:
    assert load_bot(write_bot()).config.comments == CommentSettings(faq="off", keywords=())


def test_an_unknown_response_says_where_it_is_used_and_what_to_add(write_bot: WriteBot) -> None:
    bot = write_bot(theke=THEKE_YML + COMMENTS, de=DE_YML + GUIDE_DE, en=EN_YML)
    error = _error(bot)
    assert error.path == str(bot / "responses" / "en.yml")
    assert "the response `size_guide` is missing (theke.yml line 14 uses it)" in error.problem
    assert "add `size_guide:`" in error.fix


def test_a_private_reply_of_several_messages_is_refused(write_bot: WriteBot) -> None:
    several = (
        "size_guide:\n  messages:\n    - Hier ist dein Größenguide.\n    - Viel Spaß!\n"
        "size_guide_public: Schau in dein Postfach!\n"
    )
    bot = write_bot(theke=THEKE_YML + COMMENTS, de=DE_YML + several, en=EN_YML + GUIDE_EN)
    error = _error(bot)
    assert error.path == str(bot / "responses" / "de.yml")
    assert error.line == 3
    assert "theke.yml line 14 sends it as the one private reply" in error.problem
    assert "write it as one message" in error.fix


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("  faq: sometimes\n", "comments → faq"),
        ("  min_score: 1.5\n", "comments → min_score"),
        ("  keywords:\n    - words: ['!!']\n      message: greet\n", "`!!` has no letters"),
    ],
)
def test_a_wrong_setting_names_its_line(write_bot: WriteBot, setting: str, said: str) -> None:
    bot = write_bot(theke=THEKE_YML + "comments:\n" + setting)
    error = _error(bot)
    assert error.path == str(bot / "theke.yml")
    assert error.line is not None and error.line >= 10
    assert said in str(error)
