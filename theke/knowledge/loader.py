"""Read ``knowledge/*.yml`` of a bot folder into checked :class:`~theke.knowledge.Entry` values.

Each file is a list of entries (``id``, ``title``, ``questions``, ``answer``,
``follow_up``); docs/knowledge.md describes the format. Every mistake an owner
can make is a :class:`~theke.errors.BotFolderError` naming the file, the line
and the fix; an empty file is fine and has no entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from theke.bot.messages import parse_response
from theke.bot.yamlsource import Loc, YamlDocument, closest, describe, read_yaml, validate_at
from theke.errors import BotFolderError
from theke.knowledge.entries import Entry
from theke.nlu.features import tokens

__all__ = ["FOLDER", "FOLLOW_UP_MAX", "ID_MAX", "TITLE_MAX", "load_knowledge"]

FOLDER = "knowledge"
TITLE_MAX = 20
"""Quick replies show about 20 characters; a longer title is cut off on phones."""
ID_MAX = 64
FOLLOW_UP_MAX = 12
"""Quick replies under one message: 13 at most, one is left for "something else"."""

_ID = re.compile(r"[a-z0-9_]+")
_Question = Annotated[str, Field(min_length=1)]


class _EntryModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: dict[str, str]
    questions: dict[str, Annotated[list[_Question], Field(min_length=1)]]
    answer: Annotated[dict[str, object], Field(min_length=1)]
    follow_up: list[str] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Read:
    """An entry with the document and the list index it was read from (for later errors)."""

    entry: Entry
    doc: YamlDocument
    index: int


def load_knowledge(
    folder: Path, languages: Sequence[str], *, address: str = "du"
) -> tuple[Entry, ...]:
    """The FAQ entries of the bot folder ``folder`` (none without a ``knowledge/`` folder)."""
    read = [
        item for file in _files(folder / FOLDER) for item in _read_file(file, languages, address)
    ]
    _check_ids(read)
    _check_questions(read)
    known = [item.entry.id for item in read]
    for item in read:
        _check_follow_up(item, known)
    return tuple(item.entry for item in read)


def _files(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        return
    for file in sorted(directory.iterdir()):
        if file.name.startswith(".") or not file.is_file():
            continue
        if file.suffix == ".yaml":
            problem = "knowledge files end in `.yml`, so this file would be ignored"
            raise BotFolderError(str(file), None, problem, f"rename it to {file.stem}.yml")
        if file.suffix == ".yml":
            yield file


def _read_file(path: Path, languages: Sequence[str], address: str) -> list[_Read]:
    doc = read_yaml(path)
    if doc.data is None:
        return []
    if not isinstance(doc.data, list):
        problem = "a knowledge file is a list of entries"
        raise doc.error((), problem, "start each entry with `- id: ...` (see docs/knowledge.md)")
    return [
        _Read(_entry(doc, index, value, languages, address), doc, index)
        for index, value in enumerate(doc.data)
    ]


def _entry(
    doc: YamlDocument, index: int, value: object, languages: Sequence[str], address: str
) -> Entry:
    loc = (index,)
    if not isinstance(value, dict):
        problem = f"{describe(loc)} is not an entry"
        raise doc.error(loc, problem, "write `- id: ...` with `title`, `questions` and `answer`")
    model = validate_at(doc, loc, value, _EntryModel)
    _check_id(doc, loc, model.id)
    for part in ("title", "questions", "answer"):
        _check_languages(doc, (*loc, part), getattr(model, part), languages)
    _check_titles(doc, loc, model)
    _check_answered(doc, loc, model)
    questions = {
        lang: _questions(doc, (*loc, "questions", lang), q) for lang, q in model.questions.items()
    }
    answers = {
        lang: parse_response(doc, (*loc, "answer", lang), a, address=address)
        for lang, a in model.answer.items()
    }
    return Entry(
        id=model.id,
        titles=MappingProxyType(dict(model.title)),
        questions=MappingProxyType(questions),
        answers=MappingProxyType(answers),
        follow_up=tuple(model.follow_up),
        path=doc.path,
        line=doc.line(loc),
    )


def _check_answered(doc: YamlDocument, loc: Loc, model: _EntryModel) -> None:
    """Every language of the answer has questions: that is how a customer gets to it."""
    for language in model.answer:
        if language not in model.questions:
            problem = f"the answer in `{language}` has no questions in `{language}`"
            fix = f"add `{language}:` with the ways customers ask it under `questions:`"
            raise doc.error((*loc, "answer", language), problem, fix)


def _check_id(doc: YamlDocument, loc: Loc, value: str) -> None:
    where = (*loc, "id")
    if not _ID.fullmatch(value):
        slug = "_".join(re.findall(r"[a-z0-9]+", " ".join(tokens(value)))) or "shipping_time"
        problem = f"the id `{value}` may only use small letters a-z, digits and `_`"
        raise doc.error(where, problem, f"write it like `{slug[:ID_MAX]}`")
    if len(value) > ID_MAX:
        problem = f"the id `{value[:20]}...` is longer than {ID_MAX} characters"
        raise doc.error(where, problem, "choose a shorter id")


def _check_languages(
    doc: YamlDocument, loc: Loc, value: dict[str, object], known: Sequence[str]
) -> None:
    for language in value:
        if language not in known:
            problem = f"`{language}` is not one of the bot's languages"
            fix = "use one of: " + ", ".join(known) + f", or add `{language}` to `languages`"
            close = closest(language, known)
            fix = f"did you mean `{close}`? Otherwise {fix}" if close else fix
            raise doc.error((*loc, language), problem, fix + " in theke.yml")


def _check_titles(doc: YamlDocument, loc: Loc, model: _EntryModel) -> None:
    for language in model.answer:
        if language not in model.title:
            problem = f"the title in `{language}` is missing"
            raise doc.error((*loc, "title"), problem, f"add `{language}: <short title>` under it")
    for language, title in model.title.items():
        where = (*loc, "title", language)
        if not title.strip():
            raise doc.error(where, f"the title in `{language}` is empty", "write a short title")
        if len(title) > TITLE_MAX:
            problem = f"the title `{title}` has {len(title)} characters; at most {TITLE_MAX} fit"
            raise doc.error(where, problem, f"shorten it to {TITLE_MAX} characters or less")


def _questions(doc: YamlDocument, loc: Loc, values: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    for index, question in enumerate(values):
        if not any(char.isalnum() for char in question):
            problem = f"the question `{question}` has no words"
            raise doc.error((*loc, index), problem, "write the question as a customer would")
        if _question_key(question) in seen:
            problem = f"the question `{question}` is listed twice"
            raise doc.error((*loc, index), problem, "delete one of the two")
        seen.add(_question_key(question))
    return tuple(value.strip() for value in values)


def _check_ids(read: Sequence[_Read]) -> None:
    seen: dict[str, Entry] = {}
    for item in read:
        entry = item.entry
        first = seen.setdefault(entry.id, entry)
        if first is not entry:
            problem = f"the id `{entry.id}` is used twice (first at {first.where})"
            raise item.doc.error((item.index, "id"), problem, "give one of the two another id")


def _question_key(question: str) -> str:
    """What makes two questions the same: their words, folded, without punctuation."""
    return " ".join(word for word in tokens(question) if word[0].isalnum())


def _check_questions(read: Sequence[_Read]) -> None:
    owners: dict[str, Entry] = {}
    for item in read:
        for language, questions in item.entry.questions.items():
            for index, question in enumerate(questions):
                owner = owners.setdefault(_question_key(question), item.entry)
                if owner is not item.entry:
                    problem = (
                        f"the question `{question}` is also one of `{owner.id}` ({owner.where})"
                    )
                    fix = "keep it only in the entry that answers it"
                    raise item.doc.error((item.index, "questions", language, index), problem, fix)


def _check_follow_up(item: _Read, known: Sequence[str]) -> None:
    entry = item.entry
    loc = (item.index, "follow_up")
    if len(entry.follow_up) > FOLLOW_UP_MAX:
        problem = f"{len(entry.follow_up)} follow-ups are too many for one row of quick replies"
        raise item.doc.error(loc, problem, f"keep at most {FOLLOW_UP_MAX}")
    for index, target in enumerate(entry.follow_up):
        where = (*loc, index)
        if target == entry.id:
            raise item.doc.error(where, "an entry cannot follow up itself", f"remove `{target}`")
        if target in entry.follow_up[:index]:
            raise item.doc.error(where, f"`{target}` is listed twice", "keep it once")
        if target not in known:
            problem = f"`{target}` is not the id of an entry in knowledge/"
            close = closest(target, [name for name in known if name != entry.id])
            fix = f"did you mean `{close}`?" if close else "use the `id` of another entry"
            raise item.doc.error(where, problem, fix)
