"""The YAML reader: lines for every entry, and nothing but BotFolderError on bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import DE_YML, EN_YML, THEKE_YML
from theke.bot import load_bot
from theke.bot.yamlsource import describe, read_yaml
from theke.errors import BotFolderError

_KEYS = ["name", "languages", "persona", "address", "keywords", "postbacks", "fallback"]
_RULE_KEYS = ["match", "patterns", "response", "postback", "language"]
_WORDS = ["de", "en", "greet", "fallback", "exact", "contains", "regex", "du", "Sie", "(", ""]

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=8),
    st.sampled_from(_WORDS),
)
_values: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(_KEYS + _RULE_KEYS + _WORDS), inner, max_size=4),
    ),
    max_leaves=12,
)
_configs = st.fixed_dictionaries({}, optional=dict.fromkeys(_KEYS, _values))


@pytest.fixture(scope="module")
def bot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bot = tmp_path_factory.mktemp("fuzz")
    (bot / "responses").mkdir()
    (bot / "responses" / "de.yml").write_text(DE_YML, encoding="utf-8")
    (bot / "responses" / "en.yml").write_text(EN_YML, encoding="utf-8")
    return bot


def _load_or_explain(bot: Path, text: str) -> None:
    (bot / "theke.yml").write_text(text, encoding="utf-8")
    try:
        load_bot(bot)
    except BotFolderError as error:
        assert error.path.startswith(str(bot))
        assert error.problem
        assert error.fix


_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(text=st.text(max_size=200))
def test_any_text_in_theke_yml_gives_bot_folder_error_or_a_bot(bot_dir: Path, text: str) -> None:
    _load_or_explain(bot_dir, text)


@_SETTINGS
@given(text=st.text(alphabet="ab:-[]{}&*!|>#'\"\n\t ,?%@`", max_size=120))
def test_yaml_punctuation_soup_gives_bot_folder_error_or_a_bot(bot_dir: Path, text: str) -> None:
    _load_or_explain(bot_dir, text)


@_SETTINGS
@given(config=_configs)
def test_any_shaped_config_gives_bot_folder_error_or_a_bot(bot_dir: Path, config: Any) -> None:
    _load_or_explain(bot_dir, yaml.safe_dump(config, allow_unicode=True))


def test_line_of_nested_entries(tmp_path: Path) -> None:
    file = tmp_path / "theke.yml"
    file.write_text(THEKE_YML, encoding="utf-8")
    doc = read_yaml(file)
    assert doc.line(("name",)) == 1
    assert doc.line(("keywords", 0)) == 4
    assert doc.line(("keywords", 0, "response")) == 6
    assert doc.line(("postbacks", "GET_STARTED")) == 8
    assert doc.line(("keywords", 5, "response")) == 3
    assert doc.has(("keywords", 0, "patterns", 0))
    assert not doc.has(("fallback",))


def test_describe_reads_like_a_path() -> None:
    assert describe(("keywords", 1, "patterns")) == "keywords → item 2 → patterns"
    assert describe(()) == "the file"


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    file = tmp_path / "theke.yml"
    file.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    with pytest.raises(BotFolderError, match="nested too deeply"):
        read_yaml(file)


def test_control_character_names_its_line(tmp_path: Path) -> None:
    file = tmp_path / "theke.yml"
    file.write_text("name: a\nfallback: b\x07\n", encoding="utf-8")
    with pytest.raises(BotFolderError) as caught:
        read_yaml(file)
    assert caught.value.line == 2
