"""``theke nlu``: train, parse and evaluate a bot's language understanding."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from theke.cli.options import settings_for
from theke.errors import ConfigurationError

if TYPE_CHECKING:
    from theke.bot import Bot

__all__ = ["nlu"]


@click.group()
def nlu() -> None:
    """Language understanding: train, parse a message, evaluate."""
    from theke.observability import configure_logging

    configure_logging("WARNING", "console")  # stdout carries the results


@nlu.command()
@click.argument("bot", type=click.Path(file_okay=False))
def train(bot: str) -> None:
    """Train BOT's model now and write it to BOT/.theke/models."""
    from theke.nlu.artifact import save_model
    from theke.nlu.training import train_nlu

    loaded = _bot(bot)
    started = time.perf_counter()
    model = train_nlu(loaded.nlu, loaded.config.nlu)
    seconds = time.perf_counter() - started
    path = save_model(model, loaded.data_folder / "models")
    click.echo(f"trained {len(model.intents)} intents in {seconds:.1f} s: {path}")


@nlu.command()
@click.argument("bot", type=click.Path(file_okay=False))
@click.argument("text")
@click.option("--language", default=None, help="The customer's language so far (e.g. de).")
def parse(bot: str, text: str, language: str | None) -> None:
    """Print how BOT understands TEXT, as JSON."""
    from theke.nlu.service import load_or_train

    loaded = _bot(bot)
    model = load_or_train(loaded.nlu, loaded.config.nlu, loaded.data_folder / "models")
    click.echo(
        json.dumps(model.parse(text, language=language).to_json(), ensure_ascii=False, indent=2)
    )


@nlu.command(name="eval")
@click.argument("bot", required=False, type=click.Path(file_okay=False))
@click.option(
    "--cv",
    "folds",
    type=click.IntRange(2, 20),
    default=None,
    help="Cross-validate with K folds (default 5).",
)
@click.option(
    "--train",
    "train_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Training data (YAML or JSONL).",
)
@click.option(
    "--test",
    "test_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Test data (YAML or JSONL).",
)
@click.option(
    "--lang",
    "language",
    default=None,
    help="The language of the test data (default: the bot's first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
@click.option(
    "--report",
    type=click.Path(dir_okay=False),
    default=None,
    help="Where to write the HTML report.",
)
def evaluate(
    bot: str | None,
    folds: int | None,
    train_file: str | None,
    test_file: str | None,
    language: str | None,
    as_json: bool,
    report: str | None,
) -> None:
    """Measure accuracy, macro-F1, per-intent scores and entity F1; write an HTML report."""
    from theke.nlu.evaluation import cross_validate
    from theke.nlu.evaluation import evaluate as run_eval
    from theke.nlu.readers import read_training_file
    from theke.nlu.report import render_report
    from theke.nlu.settings import NluSettings

    if (train_file is None) != (test_file is None):
        raise click.UsageError("give --train and --test together")
    if bot is None and train_file is None:
        raise click.UsageError("give a bot folder, or --train FILE --test FILE")
    loaded = _bot(bot) if bot is not None else None
    settings = loaded.config.nlu if loaded else NluSettings()
    test_language = language or (loaded.config.default_language if loaded else "de")
    if train_file is not None and test_file is not None:
        train_data = read_training_file(Path(train_file), test_language)
        test_data = read_training_file(Path(test_file), test_language)
        result = run_eval([train_data], test_data.examples, settings, language=test_language)
        title = f"NLU evaluation: {_short(train_file)} → {_short(test_file)}"
    elif loaded is not None:
        if not loaded.nlu:
            raise ConfigurationError(f"{loaded.path} has no nlu/<lang>.yml to evaluate")
        result = cross_validate(loaded.nlu, folds or 5, settings)
        title = f"NLU evaluation: {loaded.config.name}, {folds or 5}-fold cross-validation"
    else:
        raise click.UsageError("give a bot folder, or --train FILE --test FILE")
    target = (
        Path(report)
        if report
        else (loaded.data_folder if loaded else Path.cwd()) / "nlu-report.html"
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_report(result, title), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    _print_summary(result.to_json())
    click.echo(f"report: {target}")


def _short(path: str) -> str:
    """``folder/file``: enough to tell ``xsid-de/data.jsonl`` from ``xsid-en/data.jsonl``."""
    return "/".join(Path(path).resolve().parts[-2:])


def _print_summary(f: dict[str, object]) -> None:
    for key in (
        "intent_accuracy",
        "macro_f1",
        "entity_f1",
        "oos_recall",
        "train_seconds",
        "n_test",
    ):
        if key in f:
            value = f[key]
            click.echo(
                f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}"
            )
    confusions = f.get("confusions") or []
    if isinstance(confusions, list) and confusions:
        click.echo("worst confusions:")
        for c in confusions[:5]:
            click.echo(f"  {c['gold']} → {c['predicted']}: {c['count']}")


def _bot(path: str) -> Bot:
    from theke.bot import load_bot

    return load_bot(settings_for(path).bot)
