"""Reading ``nlu/<lang>.yml``: Rasa's format as is, and mistakes named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from theke.errors import BotFolderError
from theke.nlu.readers import read_training_file

RASA_FILE = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hallo
    - moin 👋
- intent: product_search
  examples: |
    - Habt ihr [Laufschuhe](category) [unter 100 Euro](price)?
    - suche [Turnschuhe]{"entity": "category", "value": "sneaker"}
- synonym: sneaker
  examples: |
    - Treter
- lookup: brand
  examples: |
    - adidas
    - Nike
- regex: order_number
  examples: |
    - SC-?\\d{6}
"""


def _write(tmp_path: Path, content: str) -> Path:
    path = tmp_path / "de.yml"
    path.write_text(content, encoding="utf-8")
    return path


def test_rasa_nlu_yaml_is_read_as_is(tmp_path: Path) -> None:
    data = read_training_file(_write(tmp_path, RASA_FILE), "de")
    assert data.intents == ("greet", "product_search")
    assert [e.text for e in data.examples] == [
        "hallo",
        "moin 👋",
        "Habt ihr Laufschuhe unter 100 Euro?",
        "suche Turnschuhe",
    ]
    assert data.examples[3].source is not None and data.examples[3].source.line == 10
    assert data.entity_names == ("category", "price")
    assert data.synonyms == {"treter": "sneaker", "turnschuhe": "sneaker"}
    assert data.lookups == {"brand": ("adidas", "Nike")}
    assert data.regexes == {"order_number": (r"SC-?\d{6}",)}


def test_examples_as_a_yaml_list(tmp_path: Path) -> None:
    content = "nlu:\n  - intent: thanks\n    examples:\n      - danke\n      - text: merci\n"
    data = read_training_file(_write(tmp_path, content), "de")
    assert [(e.text, e.source.line if e.source else None) for e in data.examples] == [
        ("danke", 4),
        ("merci", 5),
    ]


@pytest.mark.parametrize(
    ("content", "line", "problem", "fix"),
    [
        ("nlu:\n  - intent: greet\n", 2, "has no examples", "add `examples: |`"),
        (
            "nlu:\n  - intent: greet\n    examples: |\n      - [hallo](x\n",
            4,
            "never closed",
            "[text](entity)",
        ),
        (
            "nlu:\n  - intent: greet\n    exampels: |\n      - hallo\n",
            3,
            "unknown key `exampels`",
            "examples",
        ),
        (
            "nlu:\n  - intent: greet\n    examples: |\n      hallo\n",
            3,
            "does not start with `- `",
            "- ",
        ),
        (
            "nlu:\n  - regex: order\n    examples: |\n      - SC-(\\d\n",
            4,
            "not a valid regular expression",
            "fix",
        ),
        ("nlu:\n  - hallo\n", 2, "needs `intent:`", "- intent: name"),
        ("stories: []\n", 1, "unknown key `stories`", "nlu"),
    ],
)
def test_mistakes_name_file_line_and_fix(
    tmp_path: Path, content: str, line: int, problem: str, fix: str
) -> None:
    path = _write(tmp_path, content)
    with pytest.raises(BotFolderError) as caught:
        read_training_file(path, "de")
    error = caught.value
    assert (error.path, error.line) == (str(path), line)
    assert problem in error.problem
    assert fix in error.fix


def test_jsonl_rows_with_bio_slots_become_spans(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(
        '{"text": "Regnet es heute?", "intent": "weather", "split": "valid", '
        '"tokens": ["Regnet", "es", "heute", "?"], "slots": ["B-attr", "O", "B-datetime", "O"]}\n'
        '{"text": "setze den Wecker auf 6 Uhr früh", "intent": "alarm", '
        '"tokens": ["setze", "den", "Wecker", "auf", "6", "Uhr", "früh"], '
        '"slots": ["O", "O", "O", "O", "B-datetime", "I-datetime", "I-datetime"]}\n',
        encoding="utf-8",
    )
    data = read_training_file(path, "de")
    first, second = data.examples
    assert [(first.text[a.start : a.end], a.entity) for a in first.entities] == [
        ("Regnet", "attr"),
        ("heute", "datetime"),
    ]
    assert [(second.text[a.start : a.end], a.entity) for a in second.entities] == [
        ("6 Uhr früh", "datetime")
    ]


def test_a_broken_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "hallo", "intent": "greet"}\n{"text": "moin"}\n', encoding="utf-8")
    with pytest.raises(BotFolderError) as caught:
        read_training_file(path, "de")
    assert caught.value.line == 2
    assert "`intent`" in caught.value.problem


def test_a_misspelt_time_zone_or_region_is_named_in_theke_yml() -> None:
    from pydantic import ValidationError

    from theke.nlu.settings import NluSettings

    with pytest.raises(ValidationError, match="not a time zone"):
        NluSettings(timezone="Europe/Berlni")
    with pytest.raises(ValidationError, match="not a country code"):
        NluSettings(region="XX")
    assert NluSettings(region="at").region == "AT"


def test_an_example_on_the_same_line_keeps_its_line(tmp_path: Path) -> None:
    data = read_training_file(
        _write(tmp_path, 'nlu:\n  - intent: greet\n    examples: "- hallo"\n'), "de"
    )
    assert [(e.text, e.source.line if e.source else None) for e in data.examples] == [("hallo", 3)]


def test_a_folded_block_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "nlu:\n  - intent: greet\n    examples: >\n      - hallo\n      - moin\n"
    )
    with pytest.raises(BotFolderError) as caught:
        read_training_file(path, "de")
    assert caught.value.line == 3
    assert "`examples: |`" in caught.value.fix
