"""A catalog as JSON: a list of objects with the CSV's fields, each reported by its line.

``sizes`` may be the CSV's text (``"41:3 42:0"``) or an object (``{"41": 3,
"42": 0}``); ``colors`` text or a list. The list is read object by object
so that a rejected product names the line its object starts on.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

from theke.commerce._files import read_text
from theke.commerce.rows import ProductFile, RowError, check_columns, collect
from theke.errors import BotFolderError

__all__ = ["read_json"]

_DECODER = json.JSONDecoder()
_EXAMPLE = 'write the catalog as a list of products: [{"sku": "SC-001", "name": ...}, ...]'


def read_json(path: Path) -> ProductFile:
    """The products in the JSON file ``path``."""
    text = read_text(path)
    return collect(path, _objects(path, text))


def _objects(path: Path, text: str) -> Iterator[tuple[int, Mapping[str, object] | RowError]]:
    index = _skip(text, 0)
    if not text.startswith("[", index):
        raise BotFolderError(str(path), _line(text, index), "the file is not a JSON list", _EXAMPLE)
    index = _skip(text, index + 1)
    while not text.startswith("]", index):
        line = _line(text, index)
        value, index = _decode(path, text, index)
        if not isinstance(value, dict):
            yield line, RowError("this entry is not an object", 'write {"sku": ..., ...}')
        else:
            check_columns(path, line, [str(key) for key in value], header=False)
            yield line, value
        index = _after_item(path, text, index)
    if text[index + 1 :].strip():
        problem = "there is more text after the end of the list"
        raise BotFolderError(str(path), _line(text, index + 1), problem, "delete it")


def _decode(path: Path, text: str, index: int) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, index)
    except json.JSONDecodeError as exc:
        problem = f"the file is not valid JSON ({exc.msg})"
        fix = "check the quotes, commas and brackets there"
        raise BotFolderError(str(path), exc.lineno, problem, fix) from exc
    except RecursionError as exc:
        raise BotFolderError(str(path), _line(text, index), "nested too deeply", _EXAMPLE) from exc


def _after_item(path: Path, text: str, index: int) -> int:
    index = _skip(text, index)
    if text.startswith("]", index):
        return index
    if text.startswith(",", index):
        index = _skip(text, index + 1)
        if not text.startswith("]", index):
            return index
        problem = "there is a comma after the last product"
        raise BotFolderError(str(path), _line(text, index), problem, "delete that comma")
    problem = "expected `,` or `]` after a product"
    raise BotFolderError(str(path), _line(text, index), problem, "separate products with commas")


def _skip(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1
