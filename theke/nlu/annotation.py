"""Inline entity annotations in training examples, as Rasa writes them.

``Ich suche [Air Max 90](product) [unter 100 Euro](price)`` becomes the plain
text ``Ich suche Air Max 90 unter 100 Euro`` with two annotations. Accepted
forms: ``[text](entity)``, ``[text](entity:value)`` (a synonym, Rasa 1) and
``[text]{"entity": "name", "value": "canonical"}`` (Rasa 2/3; ``role`` and
``group`` are read and ignored). Square brackets not followed by ``(`` or
``{`` stay literal text.
"""

from __future__ import annotations

import json
import re

from theke.nlu.data import Annotation

__all__ = ["AnnotationError", "parse_annotated"]

_MARK = re.compile(r"\[(?P<text>[^\[\]]*)\](?=[({])")
_ENTITY = re.compile(r"[^\s:(){}\[\]]+")


class AnnotationError(ValueError):
    """A broken annotation; ``column`` is the 0-based position in the example."""

    def __init__(self, problem: str, column: int) -> None:
        super().__init__(problem)
        self.problem = problem
        self.column = column


def parse_annotated(example: str) -> tuple[str, tuple[Annotation, ...]]:
    """The plain text of ``example`` and the annotations in it."""
    plain: list[str] = []
    annotations: list[Annotation] = []
    length = 0
    position = 0
    while (mark := _MARK.search(example, position)) is not None:
        before = example[position : mark.start()]
        plain.append(before)
        length += len(before)
        text = mark.group("text")
        if not text.strip():
            raise AnnotationError("an annotation has no text inside `[ ]`", mark.start())
        entity, value, position = _label(example, mark.end())
        plain.append(text)
        annotations.append(Annotation(length, length + len(text), entity, value))
        length += len(text)
    plain.append(example[position:])
    return "".join(plain), tuple(annotations)


def _label(example: str, at: int) -> tuple[str, str | None, int]:
    """The entity and value written at ``at`` (just after ``]``), and where the label ends."""
    if example[at] == "{":
        return _from_json(example, at)
    end = example.find(")", at)
    if end < 0:
        raise AnnotationError("an annotation's `(` is never closed", at)
    inside = example[at + 1 : end]
    if "(" in inside:
        problem = "a `(` inside an annotation's `( )`"
        raise AnnotationError(problem + ': write the value as {"entity": ..., "value": ...}', at)
    entity, _, value = inside.partition(":")
    return _checked(entity.strip(), at), value.strip() or None, end + 1


def _from_json(example: str, at: int) -> tuple[str, str | None, int]:
    try:
        data, end = json.JSONDecoder().raw_decode(example, at)
    except json.JSONDecodeError as exc:
        if example.find("}", at) < 0:
            raise AnnotationError("an annotation's `{` is never closed", at) from exc
        problem = 'the `{...}` after an annotation is not JSON like {"entity": "name"}'
        raise AnnotationError(problem, at) from exc
    if not isinstance(data, dict) or not isinstance(data.get("entity"), str):
        raise AnnotationError('the `{...}` after an annotation needs "entity": "name"', at)
    value = data.get("value")
    return _checked(data["entity"], at), None if value is None else str(value), end


def _checked(entity: str, at: int) -> str:
    if not _ENTITY.fullmatch(entity):
        raise AnnotationError(f"`{entity}` is not an entity name (one word, no spaces)", at)
    return entity
