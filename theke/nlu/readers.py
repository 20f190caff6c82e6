"""Read training or test data from a file, whatever its format.

- ``*.yml`` / ``*.yaml``: the bot's NLU YAML (Rasa's format), see :mod:`theke.nlu.yamlfile`.
- ``*.jsonl``: one JSON object per line with ``text`` and ``intent`` and,
  optionally, ``tokens`` and BIO ``slots`` (the format of the benchmark data).
  Every row is used, whatever its ``split``.
"""

from __future__ import annotations

import json
from pathlib import Path

from theke.errors import BotFolderError
from theke.nlu.data import Annotation, Example, Source, TrainingData
from theke.nlu.yamlfile import read_nlu_yaml

__all__ = ["bio_to_spans", "read_training_file"]


def read_training_file(path: Path, language: str) -> TrainingData:
    """The training data in ``path`` (YAML or JSONL, by its suffix)."""
    if path.suffix in (".yml", ".yaml"):
        return read_nlu_yaml(path, language)
    if path.suffix == ".jsonl":
        return _read_jsonl(path, language)
    raise BotFolderError(
        str(path),
        None,
        f"`{path.suffix}` files cannot be read as NLU data",
        "use the bot's `nlu/<lang>.yml` format or JSONL (.jsonl)",
    )


def _read_jsonl(path: Path, language: str) -> TrainingData:
    if not path.is_file():
        raise BotFolderError(str(path), None, "the file is missing", "check the path")
    examples: list[Example] = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                examples.append(_row(str(path), number, line))
    return TrainingData(language, tuple(examples))


def _row(path: str, number: int, line: str) -> Example:
    fix = 'write one object per line: {"text": "...", "intent": "..."}'
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BotFolderError(path, number, f"the line is not JSON ({exc.msg})", fix) from exc
    if (
        not isinstance(row, dict)
        or not isinstance(row.get("text"), str)
        or not isinstance(row.get("intent"), str)
    ):
        raise BotFolderError(path, number, "the line needs `text` and `intent` as text", fix)
    text: str = row["text"]
    entities: tuple[Annotation, ...] = ()
    tokens, slots = row.get("tokens"), row.get("slots")
    if isinstance(tokens, list) and isinstance(slots, list):
        if len(tokens) != len(slots):
            raise BotFolderError(
                path, number, "`tokens` and `slots` differ in length", "give one slot per token"
            )
        entities = bio_to_spans(text, [str(t) for t in tokens], [str(s) for s in slots])
    return Example(text, row["intent"], entities, Source(path, number))


def bio_to_spans(text: str, tokens: list[str], slots: list[str]) -> tuple[Annotation, ...]:
    """Character spans for BIO-tagged ``tokens`` of ``text`` (tokens found left to right)."""
    spans: list[Annotation] = []
    position = 0
    open_label: str | None = None
    start = end = 0
    for token, slot in zip(tokens, slots, strict=True):
        found = text.find(token, position)
        token_start = found if found >= 0 else position
        token_end = token_start + len(token) if found >= 0 else position
        position = max(position, token_end)
        tag, _, label = slot.partition("-")
        if open_label is not None and (tag != "I" or label != open_label):
            spans.append(Annotation(start, end, open_label))
            open_label = None
        if tag == "B" or (tag == "I" and open_label is None):
            open_label, start = label, token_start
        if open_label is not None:
            end = token_end
    if open_label is not None:
        spans.append(Annotation(start, end, open_label))
    return tuple(span for span in spans if span.end > span.start)
