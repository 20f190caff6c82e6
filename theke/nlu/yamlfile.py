"""Read ``nlu/<lang>.yml`` — the bot's training data, in Rasa's NLU YAML format.

A shop leaving Rasa copies its ``data/nlu.yml`` over unchanged::

    version: "3.1"
    nlu:
      - intent: product_search
        examples: |
          - Habt ihr [Laufschuhe](category) [unter 100 Euro](price)?
      - synonym: sneaker
        examples: |
          - Turnschuhe
          - Treter
      - lookup: brand
        examples: |
          - adidas
      - regex: order_number
        examples: |
          - SC-?\\d{6}

``examples`` may also be a YAML list of texts, or of ``{text: ...}`` items.
Every mistake is a :class:`~theke.errors.BotFolderError` naming file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from theke.bot.yamlsource import Loc, YamlDocument, read_yaml, suggest
from theke.errors import BotFolderError
from theke.nlu.annotation import AnnotationError, parse_annotated
from theke.nlu.data import Example, Source, TrainingData
from theke.nlu.normalize import fold

__all__ = ["read_nlu_yaml"]

_KINDS = ("intent", "synonym", "lookup", "regex")
_TOP = ("version", "nlu")
_ITEM_KEYS = (*_KINDS, "examples", "metadata")


def read_nlu_yaml(path: Path, language: str) -> TrainingData:
    """The training data in ``path`` (its intents, synonyms, lookups and regexes)."""
    doc = read_yaml(path)
    items = _items(doc)
    examples: list[Example] = []
    synonyms: dict[str, str] = {}
    lookups: dict[str, tuple[str, ...]] = {}
    regexes: dict[str, tuple[str, ...]] = {}
    for index, item in enumerate(items):
        loc: Loc = ("nlu", index)
        entry = _entry(doc, loc, item)
        kind, name = _kind(doc, loc, entry)
        lines = list(_examples(doc, loc, entry, kind))
        if kind == "intent":
            examples.extend(_example(doc, text, name, line) for text, line in lines)
        elif kind == "synonym":
            synonyms.update({fold(text): name for text, _ in lines})
        elif kind == "lookup":
            lookups[name] = tuple(dict.fromkeys((*lookups.get(name, ()), *(t for t, _ in lines))))
        else:
            for text, line in lines:
                _check_regex(doc, text, line)
            regexes[name] = (*regexes.get(name, ()), *(text for text, _ in lines))
    for example in examples:
        for annotation in example.entities:
            if annotation.value is not None:
                synonyms.setdefault(
                    fold(example.text[annotation.start : annotation.end]), annotation.value
                )
    return TrainingData(language, tuple(examples), synonyms, lookups, regexes)


def _items(doc: YamlDocument) -> list[object]:
    fix = "start the file with `nlu:` and list intents under it (see docs/nlu.md)"
    if doc.data is None:
        return []
    if not isinstance(doc.data, dict):
        raise doc.error((), "the file has no `nlu:` section", fix)
    for key in doc.data:
        if key not in _TOP:
            raise doc.error((key,), f"unknown key `{key}`", suggest(key, _TOP))
    items = doc.data.get("nlu") or []
    if not isinstance(items, list):
        raise doc.error(("nlu",), "`nlu` must be a list of `- intent:` entries", fix)
    return items


def _entry(doc: YamlDocument, loc: Loc, item: object) -> dict[str, object]:
    if not isinstance(item, dict):
        raise doc.error(
            loc,
            "each entry needs `intent:`, `synonym:`, `lookup:` or `regex:`",
            "write `- intent: name` and its `examples:` below it",
        )
    return item


def _kind(doc: YamlDocument, loc: Loc, item: dict[str, object]) -> tuple[str, str]:
    for key in item:
        if key not in _ITEM_KEYS:
            raise doc.error((*loc, key), f"unknown key `{key}`", suggest(key, _ITEM_KEYS))
    kinds = [kind for kind in _KINDS if kind in item]
    if len(kinds) != 1:
        raise doc.error(
            loc,
            "each entry needs exactly one of `intent:`, `synonym:`, `lookup:` or `regex:`",
            "split it into separate entries",
        )
    kind = kinds[0]
    name = item[kind]
    if not isinstance(name, str | int | float) or not str(name).strip():
        raise doc.error((*loc, kind), f"the {kind} has no name", f"write `{kind}: a_name`")
    return kind, str(name).strip()


def _examples(
    doc: YamlDocument, loc: Loc, item: dict[str, object], kind: str
) -> Iterator[tuple[str, int | None]]:
    """Each example's text and line; an entry without any is an error."""
    raw = item.get("examples")
    where = (*loc, "examples")
    found = False
    if isinstance(raw, str):
        if doc.style(where) == ">":
            raise doc.error(
                where,
                "`examples: >` joins all examples into one line",
                "write `examples: |` (a bar, not `>`)",
            )
        first = doc.first_line(where)
        for offset, line in enumerate(raw.splitlines()):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if not text.startswith("- "):
                raise doc.error(
                    where,
                    f"the example `{text}` does not start with `- `",
                    "start every example line with `- `",
                )
            found = True
            yield text[2:].strip(), None if first is None else first + offset
    elif isinstance(raw, list):
        for index, entry in enumerate(raw):
            value: object = entry.get("text") if isinstance(entry, dict) else entry
            if not isinstance(value, str | int | float) or not str(value).strip():
                raise doc.error((*where, index), "an example has no text", "write its text")
            found = True
            yield str(value).strip(), doc.line((*where, index))
    elif raw is not None:
        raise doc.error(
            where,
            "`examples` must be a `|` block of `- ` lines or a list",
            "write `examples: |` and one `- example` per line below it",
        )
    if not found:
        name = item[kind]
        raise doc.error(
            loc,
            f"the {kind} `{name}` has no examples",
            "add `examples: |` with at least one `- example` line, or delete it",
        )


def _example(doc: YamlDocument, text: str, intent: str, line: int | None) -> Example:
    try:
        plain, annotations = parse_annotated(text)
    except AnnotationError as exc:
        raise BotFolderError(
            str(doc.path),
            line,
            f"{exc.problem} in `{text}`",
            "write entities as `[text](entity)`, e.g. `[Air Max](product)`",
        ) from exc
    if not plain.strip():
        raise BotFolderError(str(doc.path), line, "an example is empty", "write its text")
    return Example(plain, intent, annotations, Source(str(doc.path), line))


def _check_regex(doc: YamlDocument, pattern: str, line: int | None) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise BotFolderError(
            str(doc.path),
            line,
            f"`{pattern}` is not a valid regular expression: {exc}",
            "fix the pattern (a backslash in a `|` block needs no escaping)",
        ) from exc
