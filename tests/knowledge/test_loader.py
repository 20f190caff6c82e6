"""Reading knowledge/*.yml: what an owner writes, and every mistake named with file, line, fix."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.knowledge.conftest import LANGUAGES, RETURNS, SHIPPING, WriteKnowledge
from theke.content import Buttons, QuickReplies, Text
from theke.errors import BotFolderError
from theke.knowledge import Entry, load_knowledge


def _error(folder: Path, languages: tuple[str, ...] = LANGUAGES) -> BotFolderError:
    with pytest.raises(BotFolderError) as caught:
        load_knowledge(folder, languages)
    return caught.value


def test_the_fixture_faq_loads_every_form_of_answer(shop_entries: tuple[Entry, ...]) -> None:
    by_id = {entry.id: entry for entry in shop_entries}
    assert len(by_id) == 28
    tracking = by_id["order_tracking"]
    assert tracking.titles == {"de": "Sendungsverfolgung", "en": "Track my order"}
    assert tracking.questions["de"][0] == "Wo ist mein Paket?"
    (message,) = tracking.answer("de")[0]
    assert isinstance(message, QuickReplies)
    assert [reply.title for reply in message.replies] == ["Ja, bitte", "Nein, danke"]
    assert isinstance(by_id["returns"].answer("en")[0][0], Buttons)
    assert len(by_id["store_location"].answer("de")) == 2  # two variants
    assert len(by_id["contact"].answer("de")[0]) == 2  # two messages one after another
    assert by_id["returns"].follow_up == ("return_costs", "refund_time", "exchange")


def test_an_entry_knows_where_it_is_written(write_knowledge: WriteKnowledge) -> None:
    folder = write_knowledge({"a.yml": SHIPPING + "\n" + RETURNS})
    shipping, returns = load_knowledge(folder, LANGUAGES)
    assert shipping.path == folder / "knowledge" / "a.yml"
    assert (shipping.line, returns.line) == (1, 11)


def test_files_are_read_in_name_order(write_knowledge: WriteKnowledge) -> None:
    folder = write_knowledge({"b.yml": SHIPPING, "a.yml": RETURNS})
    assert [entry.id for entry in load_knowledge(folder, LANGUAGES)] == ["returns", "shipping_time"]


def test_no_folder_and_empty_files_have_no_entries(
    tmp_path: Path, write_knowledge: WriteKnowledge
) -> None:
    assert load_knowledge(tmp_path, LANGUAGES) == ()
    folder = write_knowledge({"empty.yml": "", "comments.yml": "# nothing yet\n", "list.yml": "[]"})
    assert load_knowledge(folder, LANGUAGES) == ()


def test_other_files_are_ignored(write_knowledge: WriteKnowledge) -> None:
    folder = write_knowledge({"README.md": "# FAQ", ".#a.yml": "broken: [", "a.yml": RETURNS})
    assert [entry.id for entry in load_knowledge(folder, LANGUAGES)] == ["returns"]


def test_an_answer_in_one_language_falls_back_for_another(write_knowledge: WriteKnowledge) -> None:
    german_only = """\
- id: invoice
  title: {de: Rechnung}
  questions: {de: [Kann ich auf Rechnung kaufen?]}
  answer:
    de: Ja, über Klarna.
"""
    (entry,) = load_knowledge(write_knowledge({"a.yml": german_only}), LANGUAGES)
    assert entry.answer("en") == ((Text(text="Ja, über Klarna."),),)
    assert entry.title("en") == "Rechnung"


def test_a_yaml_suffix_is_refused(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"shipping.yaml": SHIPPING}))
    assert error.path.endswith("shipping.yaml")
    assert "rename it to shipping.yml" in error.fix


def test_an_unknown_key_suggests_the_closest(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"a.yml": SHIPPING.replace("questions:", "questons:")}))
    assert error.line == 3
    assert "unknown key `questons`" in error.problem
    assert "`questions`" in error.fix


def test_a_missing_answer_is_named(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.split("  answer:")[0]
    error = _error(write_knowledge({"a.yml": text}))
    assert "`answer` is missing" in error.problem


def test_a_duplicate_id_names_both_places(write_knowledge: WriteKnowledge) -> None:
    again = RETURNS.replace("id: returns", "id: shipping_time").replace("Wie schicke", "Wie sende")
    folder = write_knowledge({"a.yml": SHIPPING, "b.yml": again.replace("How do I", "How to")})
    error = _error(folder)
    assert error.path.endswith("b.yml") and error.line == 1
    assert "used twice" in error.problem and "a.yml line 1" in error.problem


def test_a_follow_up_to_an_unknown_id_suggests_the_closest(
    write_knowledge: WriteKnowledge,
) -> None:
    folder = write_knowledge(
        {"a.yml": SHIPPING.replace("[returns]", "[retruns]"), "b.yml": RETURNS}
    )
    error = _error(folder)
    assert error.line == 9
    assert "`retruns` is not the id of an entry" in error.problem
    assert error.fix == "did you mean `returns`?"


def test_an_entry_cannot_follow_up_itself(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"a.yml": SHIPPING.replace("[returns]", "[shipping_time]")}))
    assert "cannot follow up itself" in error.problem


def test_a_language_the_bot_does_not_speak_is_named(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.replace("    en: [How long", "    fr: [Combien de temps")
    error = _error(write_knowledge({"a.yml": text}))
    assert error.line == 5
    assert "`fr` is not one of the bot's languages" in error.problem
    assert "de, en" in error.fix


def test_an_answer_needs_questions_in_its_language(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.replace("    en: [How long does shipping take?]\n", "")
    error = _error(write_knowledge({"a.yml": text}))
    assert error.line == 7
    assert "the answer in `en` has no questions in `en`" in error.problem


def test_a_title_is_needed_in_each_answer_language(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.replace("{de: Lieferzeit, en: Delivery time}", "{de: Lieferzeit}")
    error = _error(write_knowledge({"a.yml": text}))
    assert (error.line, error.problem) == (2, "the title in `en` is missing")


def test_a_long_title_is_refused(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.replace("Delivery time", "How long delivery takes to you")
    error = _error(write_knowledge({"a.yml": text}))
    assert error.line == 2
    assert "30 characters" in error.problem and "20" in error.fix


def test_an_id_that_is_not_a_name_gets_one_suggested(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"a.yml": SHIPPING.replace("shipping_time", "Lieferzeit Ö")}))
    assert error.line == 1
    assert error.fix == "write it like `lieferzeit_oe`"


def test_the_same_question_in_two_entries_is_refused(write_knowledge: WriteKnowledge) -> None:
    text = RETURNS.replace("Wie schicke ich etwas zurück?", "wie lange dauert der versand")
    error = _error(write_knowledge({"a.yml": SHIPPING, "b.yml": text}))
    assert error.path.endswith("b.yml") and error.line == 4
    assert "also one of `shipping_time`" in error.problem


def test_a_question_without_words_is_refused(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"a.yml": SHIPPING.replace("[Wie lange", "['???', Wie lange")}))
    assert "has no words" in error.problem


def test_a_file_that_is_not_a_list_is_explained(write_knowledge: WriteKnowledge) -> None:
    error = _error(write_knowledge({"a.yml": "id: shipping_time\n"}))
    assert error.problem == "a knowledge file is a list of entries"
    assert "- id:" in error.fix


def test_a_broken_answer_points_into_the_file(write_knowledge: WriteKnowledge) -> None:
    text = SHIPPING.replace("en: In 1–3 working days.", "en: {txet: In 1–3 working days.}")
    error = _error(write_knowledge({"a.yml": text}))
    assert error.line == 8
    assert "unknown key `txet`" in error.problem and "`text`" in error.fix


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_file_loads_or_is_a_bot_folder_error(
    write_knowledge: WriteKnowledge, text: str
) -> None:
    folder = write_knowledge({"a.yml": text})
    try:
        entries = load_knowledge(folder, LANGUAGES)
    except BotFolderError as error:
        assert error.path.endswith("a.yml")
    else:
        assert all(isinstance(entry, Entry) for entry in entries)


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=30))
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["de", "en", "fr", "text", "x"]), inner, max_size=3),
    ),
    max_leaves=8,
)
_ENTRIES = st.lists(
    st.dictionaries(
        st.sampled_from(["id", "title", "questions", "answer", "follow_up", "titel"]),
        _VALUES,
        max_size=6,
    ),
    max_size=3,
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_ENTRIES)
def test_any_list_of_entries_loads_or_is_a_bot_folder_error(
    write_knowledge: WriteKnowledge, entries: list[dict[str, object]]
) -> None:
    folder = write_knowledge({"a.yml": yaml.safe_dump(entries, allow_unicode=True)})
    try:
        load_knowledge(folder, LANGUAGES)
    except BotFolderError as error:
        assert error.path.endswith("a.yml") and error.fix
