"""``theke nlu``: parse and evaluate the demo shop the way its owner would."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import DEMO_BOT
from theke.cli.main import cli


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("cli") / "sneakershop"
    shutil.copytree(DEMO_BOT, target, ignore=shutil.ignore_patterns(".theke"))
    return target


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_parse_prints_intent_entities_and_language(bot: Path) -> None:
    parse = json.loads(
        _run("nlu", "parse", str(bot), "Habt ihr Laufschuhe von Asics unter 100 Euro in 43?")
    )
    assert parse["intent"]["name"] == "product_search"
    assert parse["language"] == "de"
    found = {e["entity"]: e["value"] for e in parse["entities"]}
    assert found["category"] == "running"
    assert found["brand"].lower() == "asics"
    assert found["price"] == {"min": None, "max": 100.0, "currency": "EUR"}
    assert found["size"] == {"system": "EU", "value": 43.0}
    assert (bot / ".theke" / "models" / "nlu.json").is_file()


def test_parse_finds_order_numbers_by_the_bots_pattern(bot: Path) -> None:
    parse = json.loads(_run("nlu", "parse", str(bot), "wo bleibt meine bestellung sc-104582"))
    assert parse["intent"]["name"] == "order_status"
    assert [e["value"] for e in parse["entities"] if e["entity"] == "order_number"] == ["SC-104582"]


def test_eval_cross_validates_the_bot_and_writes_a_report(bot: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    figures = json.loads(
        _run("nlu", "eval", str(bot), "--cv", "3", "--json", "--report", str(report))
    )
    assert figures["intent_accuracy"] > 0.8
    assert figures["n_test"] > 600
    assert 0 < figures["entity_f1"] <= 1
    assert "<svg" in report.read_text()


def test_eval_on_train_and_test_files_without_a_bot(tmp_path: Path) -> None:
    rows = [
        ("wie lange dauert der versand", "shipping"),
        ("was kostet die lieferung", "shipping"),
        ("wann kommt mein paket", "shipping"),
        ("ich will das zurückschicken", "returns"),
        ("wie funktioniert der umtausch", "returns"),
        ("geld zurück bitte", "returns"),
    ]
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps({"text": t, "intent": i}) + "\n" for t, i in rows))
    test = tmp_path / "test.yml"
    test.write_text(
        "nlu:\n  - intent: shipping\n    examples: |\n      - how long is delivery\n"
        "  - intent: returns\n    examples: |\n      - can I send it back\n"
    )
    figures = json.loads(
        _run(
            "nlu",
            "eval",
            "--train",
            str(train),
            "--test",
            str(test),
            "--lang",
            "en",
            "--json",
            "--report",
            str(tmp_path / "r.html"),
        )
    )
    assert figures["n_test"] == 2
    assert figures["intent_accuracy"] == 1.0
    assert figures["entity_f1"] is None
    assert figures["train_seconds"] > 0


def test_eval_without_data_says_what_to_give() -> None:
    result = CliRunner().invoke(cli, ["nlu", "eval", "--json"])
    assert result.exit_code == 2
    assert "give a bot folder, or --train FILE --test FILE" in result.output


def test_a_broken_training_file_names_file_and_line(bot: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    shutil.copytree(bot, broken, ignore=shutil.ignore_patterns(".theke"))
    with (broken / "nlu" / "de.yml").open("a", encoding="utf-8") as handle:
        handle.write("  - intent: leer\n")
    result = CliRunner().invoke(cli, ["nlu", "parse", str(broken), "hallo"])
    assert result.exit_code == 2
    assert "de.yml" in result.output and "line" in result.output
    assert "the intent `leer` has no examples" in result.output


def test_validate_counts_intents_and_refuses_a_yaml_suffix(bot: Path, tmp_path: Path) -> None:
    summary = _run("validate", str(bot))
    assert re.search(r"\d\d intents with \d{3,} examples, \d+ flows, \d\d FAQ entries", summary)
    assert "84 products" in summary
    renamed = tmp_path / "renamed"
    shutil.copytree(bot, renamed, ignore=shutil.ignore_patterns(".theke"))
    (renamed / "nlu" / "de.yml").rename(renamed / "nlu" / "de.yaml")
    result = CliRunner().invoke(cli, ["validate", str(renamed)])
    assert result.exit_code == 2
    assert "rename it to de.yml" in result.output


def test_a_bad_time_zone_in_theke_yml_names_the_line(bot: Path, tmp_path: Path) -> None:
    broken = tmp_path / "tz"
    shutil.copytree(bot, broken, ignore=shutil.ignore_patterns(".theke"))
    config = broken / "theke.yml"
    config.write_text(config.read_text().replace("  threshold: 0.35", "  timezone: Europe/Berlni"))
    result = CliRunner().invoke(cli, ["validate", str(broken)])
    assert result.exit_code == 2
    assert "theke.yml" in result.output and "not a time zone" in result.output
