"""Every mistake an owner can make says which file, which line, and what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.conftest import DE_YML, THEKE_YML, WriteBot
from theke.bot import load_bot
from theke.errors import BotFolderError


def _error(bot: Path) -> BotFolderError:
    with pytest.raises(BotFolderError) as caught:
        load_bot(bot)
    return caught.value


def _theke(bot: Path) -> str:
    return str(bot / "theke.yml")


def test_missing_folder_says_to_run_theke_init(tmp_path: Path) -> None:
    error = _error(tmp_path / "nowhere")
    assert "theke init" in str(error)
    assert error.path == str(tmp_path / "nowhere")


def test_folder_without_theke_yml_says_to_run_theke_init(tmp_path: Path) -> None:
    error = _error(tmp_path)
    assert error.path == str(tmp_path / "theke.yml")
    assert "theke init" in error.fix


def test_yaml_syntax_error_names_file_and_line(write_bot: WriteBot) -> None:
    bot = write_bot(theke="name: Testladen\nlanguages: [de, en\nfallback: fallback\n")
    error = _error(bot)
    assert error.path == _theke(bot)
    assert error.line == 3
    assert "not valid YAML" in error.problem
    assert "indentation near line 3" in error.fix


def test_tab_indentation_says_to_use_spaces(write_bot: WriteBot) -> None:
    bot = write_bot(theke="name: Testladen\nkeywords:\n\t- match: exact\n")
    error = _error(bot)
    assert error.line == 3
    assert "spaces, not tabs" in error.fix


def test_colon_in_unquoted_text_says_to_quote_it(write_bot: WriteBot) -> None:
    bot = write_bot(de="greet: Hallo\nfallback: Achtung: das geht nicht\n")
    error = _error(bot)
    assert error.path == str(bot / "responses" / "de.yml")
    assert error.line == 2
    assert "in quotes" in error.fix


def test_unknown_key_suggests_the_right_one(write_bot: WriteBot) -> None:
    bot = write_bot(theke=THEKE_YML + "fallbak: fallback\n")
    error = _error(bot)
    assert (error.path, error.line) == (_theke(bot), 9)
    assert "unknown key `fallbak`" in error.problem
    assert error.fix == "did you mean `fallback`?"


def test_unknown_key_inside_a_keyword_rule(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("    patterns: [hallo]", "    pattern: [hallo]")
    error = _error(write_bot(theke=theke))
    assert error.line == 5
    assert "did you mean `patterns`?" in error.fix


def test_unknown_key_without_a_close_match_lists_the_allowed_ones(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke=THEKE_YML + "xyzzy: 1\n"))
    assert error.line == 9
    assert "`languages`" in error.fix


def test_missing_name(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke=THEKE_YML.replace("name: Testladen\n", "")))
    assert "`name` is missing" in error.problem
    assert error.fix == "add `name:` with a value"


def test_wrong_type_points_at_the_value(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("  GET_STARTED: greet\n", "  GET_STARTED: [greet, help]\n")
    error = _error(write_bot(theke=theke))
    assert error.line == 8
    assert "postbacks → GET_STARTED: must be text" in error.problem


def test_wrong_choice_lists_the_allowed_ones(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("match: exact", "match: fuzzy")
    error = _error(write_bot(theke=theke))
    assert error.line == 4
    assert "`fuzzy` is not allowed" in error.problem
    assert "'exact', 'contains' or 'regex'" in error.problem


def test_several_problems_are_counted(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke="name: [1]\naddress: ihr\n"))
    assert error.line == 1
    assert "and 1 more problem after it" in error.problem


def test_empty_theke_yml(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke="# nothing yet\n"))
    assert "no `key: value` settings" in error.problem
    assert "name:" in error.fix


def test_bad_language_code_and_duplicate_language(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke=THEKE_YML.replace("[de, en]", "[de, English]")))
    assert (error.line, "`English` is not a language code") == (2, error.problem)
    error = _error(write_bot(theke=THEKE_YML.replace("[de, en]", "[de, en, de]")))
    assert "`de` is listed twice" in error.problem


def test_missing_response_file_names_it(write_bot: WriteBot) -> None:
    bot = write_bot(en=None)
    error = _error(bot)
    assert error.path == str(bot / "responses" / "en.yml")
    assert "responses/de.yml" in error.fix


def test_missing_response_key_names_file_and_key(write_bot: WriteBot) -> None:
    bot = write_bot(en="greeting: Hello!\nfallback: Sorry?\n")
    error = _error(bot)
    assert error.path == str(bot / "responses" / "en.yml")
    assert "the response `greet` is missing (theke.yml line 6 uses it)" in error.problem
    assert "add `greet:`" in error.fix
    assert "or rename `greeting` to `greet`" in error.fix


def test_missing_fallback_response(write_bot: WriteBot) -> None:
    error = _error(write_bot(de="greet: Hallo!\n"))
    assert "`fallback` is missing (it answers when nothing matched)" in error.problem


def test_keyword_rule_needs_response_or_postback(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("    response: greet\n", "")
    error = _error(write_bot(theke=theke))
    assert error.line == 4
    assert "either `response` or `postback`" in error.problem
    theke = THEKE_YML.replace("    response: greet\n", "    response: greet\n    postback: X\n")
    assert "either `response` or `postback`" in _error(write_bot(theke=theke)).problem


def test_keyword_language_must_be_a_bot_language(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("    response: greet\n", "    response: greet\n    language: fr\n")
    error = _error(write_bot(theke=theke))
    assert error.line == 7
    assert "use one of: de, en" in error.fix


def test_keyword_postback_must_be_listed(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace("    response: greet\n", "    postback: STOP\n")
    error = _error(write_bot(theke=theke))
    assert error.line == 6
    assert error.fix.startswith("add `STOP: <response key>` under `postbacks:`")


def test_bad_regex_names_the_pattern_line(write_bot: WriteBot) -> None:
    theke = THEKE_YML.replace(
        "    patterns: [hallo]\n", "    patterns:\n      - ^hallo$\n      - (moin\n"
    ).replace("match: exact", "match: regex")
    error = _error(write_bot(theke=theke))
    assert error.line == 7
    assert "the regular expression `(moin` is not valid" in error.problem


def test_pattern_without_letters_matches_nothing(write_bot: WriteBot) -> None:
    error = _error(write_bot(theke=THEKE_YML.replace("[hallo]", "[hallo, '!!']")))
    assert error.line == 5
    assert "`!!` has no letters or digits" in error.problem


def test_invalid_content_points_at_the_field(write_bot: WriteBot) -> None:
    de = "greet:\n  text: Hallo!\n  quick_replies:\n    - title: " + "x" * 81
    de += "\n      payload: GET_STARTED\nfallback: Wie bitte?\n"
    bot = write_bot(de=de)
    error = _error(bot)
    assert (error.path, error.line) == (str(bot / "responses" / "de.yml"), 4)
    assert error.problem.startswith("greet → quick_replies → item 1 → title: ")
    assert "at most 80 characters" in error.problem


def test_invalid_button_url_names_the_button(write_bot: WriteBot) -> None:
    de = DE_YML + "shop:\n  text: Zum Shop\n  buttons:\n    - title: Los\n      url: shop.de\n"
    error = _error(write_bot(de=de))
    assert error.line == 7
    assert error.problem == (
        "shop → buttons → item 1 → url: must be an http:// or https:// URL with a host, "
        "or a path on this server (/static/...)"
    )


def test_invalid_url_in_a_carousel(write_bot: WriteBot) -> None:
    de = (
        DE_YML
        + "cards:\n  type: carousel\n  cards:\n    - title: Schuh\n      image_url: schuh.jpg\n"
    )
    error = _error(write_bot(de=de))
    assert error.line == 7
    assert "http:// or https://" in error.problem


def test_unknown_shorthand_key_suggests_the_right_one(write_bot: WriteBot) -> None:
    de = "greet:\n  text: Hallo!\n  quick_reply:\n    - {title: Los, payload: GET_STARTED}\n"
    error = _error(write_bot(de=de + "fallback: Wie bitte?\n"))
    assert error.line == 3
    assert error.fix == "did you mean `quick_replies`?"


def test_empty_response_and_nested_list(write_bot: WriteBot) -> None:
    error = _error(write_bot(de="greet:\nfallback: Wie bitte?\n"))
    assert (error.line, "greet is empty") == (1, error.problem)
    error = _error(write_bot(de="greet: [[Hallo]]\nfallback: Wie bitte?\n"))
    assert "`messages:`" in error.fix


def test_payload_must_be_a_listed_postback(write_bot: WriteBot) -> None:
    de = "greet:\n  text: Hallo!\n  quick_replies:\n    - {title: Versand, payload: SHIPING}\n"
    error = _error(write_bot(de=de + "fallback: Wie bitte?\n"))
    assert error.line == 1
    assert "payload `SHIPING`" in error.problem
    assert "under `postbacks:`" in error.fix


def test_file_not_in_utf8_names_the_line(write_bot: WriteBot) -> None:
    bot = write_bot()
    (bot / "responses" / "de.yml").write_bytes(
        "greet: Hallo!\nfallback: Tschüss\n".encode("cp1252")
    )
    error = _error(bot)
    assert (error.path, error.line) == (str(bot / "responses" / "de.yml"), 2)
    assert "UTF-8" in error.problem
    assert "save it with the encoding UTF-8" in error.fix


def test_duplicate_key_names_the_second_one(write_bot: WriteBot) -> None:
    error = _error(write_bot(de="greet: Hallo!\nfallback: A\ngreet: Moin!\n"))
    assert error.line == 3
    assert "`greet` appears twice" in error.problem


def test_aliases_are_refused(write_bot: WriteBot) -> None:
    error = _error(write_bot(de="greet: &hi Hallo!\nfallback: *hi\n"))
    assert error.line == 2
    assert "anchors and aliases" in error.problem


def test_explicit_tags_are_refused(write_bot: WriteBot) -> None:
    error = _error(write_bot(de="greet: !!python/object:os.system x\nfallback: A\n"))
    assert error.line == 1
    assert "!!python/object:os.system" in error.problem
    error = _error(write_bot(theke=THEKE_YML.replace("Testladen", "!!int Testladen")))
    assert error.line == 1


def test_message_names_file_line_problem_and_fix(write_bot: WriteBot) -> None:
    bot = write_bot(theke=THEKE_YML + "fallbak: fallback\n")
    assert str(_error(bot)) == (
        f"{bot / 'theke.yml'}:9: unknown key `fallbak`. did you mean `fallback`?"
    )


def test_a_broken_whatsapp_template_names_its_line(write_bot: WriteBot) -> None:
    templates = (
        "whatsapp:\n"
        "  templates:\n"
        "    order_update:\n"
        "      name: order_update\n"
        "      parameters: ['{{ order_number']\n"
    )
    error = _error(write_bot(theke=THEKE_YML + templates))
    lines = (THEKE_YML + templates).splitlines()
    assert lines[error.line - 1].strip().startswith("parameters:")  # type: ignore[operator]
    assert "not a valid template" in error.problem
