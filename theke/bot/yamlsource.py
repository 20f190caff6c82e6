"""Read the YAML files of a bot folder so that every error names its file and line.

The owner of a bot is not a programmer, so this module is strict where YAML
is surprising: ``yes``/``no``/``on``/``off`` and dates stay text, ``9:30`` is
not a number, duplicate keys and anchors are errors, and explicit ``!!tags``
are refused. Every value keeps its line through the composed node tree, and
pydantic errors are translated into a :class:`~theke.errors.BotFolderError`
that says what is wrong, where, and how to fix it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from theke.errors import BotFolderError

__all__ = [
    "Loc",
    "YamlDocument",
    "closest",
    "describe",
    "read_yaml",
    "suggest",
    "validate",
    "validate_at",
]

Loc = Sequence[str | int]
M = TypeVar("M", bound=BaseModel)

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null")
)
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


if TYPE_CHECKING:
    _Base = yaml.SafeLoader
else:  # libyaml parses twenty times faster; the pure-Python loader is the fallback
    _Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """A safe loader whose plain scalars follow YAML 1.2: ``yes`` and ``9:30`` stay text."""


def _plain_resolvers() -> dict[Any, Any]:
    """YAML 1.1's resolvers without the surprising ones (re-added strictly below)."""
    dropped = {f"tag:yaml.org,2002:{name}" for name in ("bool", "int", "float", "timestamp")}
    dropped |= {"tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"}
    return {
        first: [(tag, rx) for tag, rx in resolvers if tag not in dropped]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


_Loader.yaml_implicit_resolvers = _plain_resolvers()
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?"
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """One parsed YAML file: its plain data and the node tree that knows the lines."""

    path: Path
    data: object
    root: yaml.Node | None

    def line(self, loc: Loc) -> int | None:
        """The 1-based line of the entry at ``loc`` (or of its nearest existing parent).

        For a mapping entry this is the line of its key, where the owner looks.
        """
        path = _path(self.root, loc)
        if not path:
            return None if self.root is None else self.root.start_mark.line + 1
        key, value = path[-1]
        return (key or value).start_mark.line + 1

    def style(self, loc: Loc) -> str | None:
        """How the text at ``loc`` is written: ``"|"``, ``">"``, a quote, or ``None`` (plain)."""
        path = _path(self.root, loc)
        if len(path) != len(loc) or not isinstance(path[-1][1], yaml.ScalarNode):
            return None
        return path[-1][1].style

    def first_line(self, loc: Loc) -> int | None:
        """The 1-based line where the value at ``loc`` starts (for a block: its first text line)."""
        path = _path(self.root, loc)
        if len(path) != len(loc):
            return None
        node = path[-1][1]
        block = isinstance(node, yaml.ScalarNode) and node.style in ("|", ">")
        return node.start_mark.line + (2 if block else 1)

    def has(self, loc: Loc) -> bool:
        """Whether the file spells out an entry at ``loc``."""
        return len(_path(self.root, loc)) == len(loc)

    def error(self, loc: Loc, problem: str, fix: str) -> BotFolderError:
        """A :class:`BotFolderError` pointing at ``loc`` in this file."""
        return BotFolderError(str(self.path), self.line(loc), problem, fix)


def describe(loc: Loc) -> str:
    """``("keywords", 1, "patterns")`` as the owner reads it: ``keywords → item 2 → patterns``."""
    parts = [f"item {part + 1}" if isinstance(part, int) else str(part) for part in loc]
    return " → ".join(parts) or "the file"


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse ``path``; every problem becomes a :class:`BotFolderError`."""
    text = _read_text(path)
    try:
        root, data = _parse(path, text)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(path, text, exc) from exc
    except yaml.reader.ReaderError as exc:
        raise _control_character_error(path, text) from exc
    except RecursionError as exc:
        raise BotFolderError(
            str(path), None, "the file is nested too deeply", "indent less: flatten the lists"
        ) from exc
    return YamlDocument(path=path, data=data, root=root)


def validate(doc: YamlDocument, model: type[M]) -> M:
    """Validate ``doc.data`` against ``model``; the first problem is raised with its line."""
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # A misspelt key explains the "missing" error that comes with it: report it first.
        errors.sort(key=lambda error: error["type"] != "extra_forbidden")
        raise _translate(doc, model, errors[0], len(errors) - 1) from exc


def validate_at(doc: YamlDocument, loc: Loc, value: object, model: type[M]) -> M:
    """Validate the part ``value`` found at ``loc`` of ``doc``; errors point into the file."""
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        errors.sort(key=lambda error: error["type"] != "extra_forbidden")
        first = errors[0]
        inner = tuple(first["loc"])
        shifted: ErrorDetails = {**first, "loc": (*loc, *inner)}
        raise _translate(doc, model, shifted, len(errors) - 1, skip=len(loc)) from exc


def _parse(path: Path, text: str) -> tuple[yaml.Node | None, object]:
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return root, None if root is None else _Builder(path, loader).build(root)
    finally:
        loader.dispose()


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise BotFolderError(str(path), None, "the file is missing", f"create {path.name}")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise BotFolderError(
            str(path),
            line,
            "the file is not saved as UTF-8 (it has a character the UTF-8 encoding cannot read)",
            "open it in your editor and save it with the encoding UTF-8",
        ) from exc


class _Builder:
    """Turn a node tree into plain data; mapping keys stay the text the owner wrote."""

    def __init__(self, path: Path, loader: _Loader) -> None:
        self._path = path
        self._loader = loader
        self._seen: set[int] = set()

    def build(self, node: yaml.Node, key: yaml.Node | None = None) -> object:
        """Plain data for ``node``; ``key`` is the mapping key it stands under, if any."""
        if id(node) in self._seen:
            problem = "anchors and aliases (`&name`, `*name`) are not supported in bot files"
            raise self._fail(key or node, problem, "write the value out in full instead")
        self._seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [self.build(item) for item in node.value]
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self._mapping(node)
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise self._fail(node, f"the tag `{tag}` is not supported", "remove the `!` tag")

    def _scalar(self, node: yaml.ScalarNode) -> object:
        if node.tag == _STR:
            return node.value
        if node.tag not in _SCALAR_TAGS or _implicit_tag(node.value) != node.tag:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            problem = f"the value `{node.value}` with the tag `{tag}` cannot be read"
            raise self._fail(node, problem, "remove the `!` tag and write a plain value")
        return self._loader.construct_object(node)

    def _mapping(self, node: yaml.MappingNode) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise self._fail(key_node, "a key must be a single word or text", "write `key:`")
            key = key_node.value
            if key in result:
                problem = f"the key `{key}` appears twice in the same place"
                raise self._fail(key_node, problem, "keep one of them and delete the other")
            result[key] = self.build(value_node, key_node)
        return result

    def _fail(self, node: yaml.Node, problem: str, fix: str) -> BotFolderError:
        return BotFolderError(str(self._path), node.start_mark.line + 1, problem, fix)


def _implicit_tag(value: str) -> str:
    """The tag a plain scalar gets without an explicit ``!!tag``."""
    resolvers = _Loader.yaml_implicit_resolvers
    for tag, regexp in [*resolvers.get(value[:1], []), *resolvers.get(None, [])]:
        if regexp.match(value):
            return str(tag)
    return _STR


def _path(root: yaml.Node | None, loc: Loc) -> list[tuple[yaml.Node | None, yaml.Node]]:
    """The (key node, value node) pairs along ``loc``, as far as the file has them."""
    found: list[tuple[yaml.Node | None, yaml.Node]] = []
    node = root
    for part in loc:
        step = _step(node, part)
        if step is None:
            break
        found.append(step)
        node = step[1]
    return found


def _step(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        matches = [(key, value) for key, value in node.value if key.value == str(part)]
        return matches[-1] if matches else None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        return (None, node.value[part]) if 0 <= part < len(node.value) else None
    return None


def _control_character_error(path: Path, text: str) -> BotFolderError:
    found = yaml.reader.Reader.NON_PRINTABLE.search(text)
    line = text[: found.start()].count("\n") + 1 if found else None
    code = f" (U+{ord(found.group()):04X})" if found else ""
    problem = f"the file contains an invisible control character{code}"
    return BotFolderError(str(path), line, problem, "delete that character")


def _syntax_error(path: Path, text: str, exc: yaml.MarkedYAMLError) -> BotFolderError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    problem = f"the file is not valid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem:
        problem += f" ({exc.context})"
    return BotFolderError(str(path), line, problem, _syntax_fix(exc, text, line))


def _syntax_fix(exc: yaml.MarkedYAMLError, text: str, line: int | None) -> str:
    near = f" near line {line}" if line else ""
    problem = exc.problem or ""
    if "mapping values are not allowed" in problem:
        return f"put text that contains `: ` in quotes, and check the indentation{near}"
    lines = text.splitlines()
    here = lines[line - 1] if line and line <= len(lines) else ""
    if "\t" in here[: len(here) - len(here.lstrip())]:
        return f"indent with spaces, not tabs{near}"
    return f"check the indentation{near}, and put text with `: , ? # {{ }}` in quotes"


def _translate(
    doc: YamlDocument, model: type[BaseModel], error: ErrorDetails, more: int, skip: int = 0
) -> BotFolderError:
    loc = error["loc"]
    where = describe(loc)
    kind = error["type"]
    if kind == "missing":
        problem = f"`{loc[-1]}` is missing" + (f" in {describe(loc[:-1])}" if len(loc) > 1 else "")
        fix = f"add `{loc[-1]}:` with a value"
    elif kind == "extra_forbidden":
        problem = f"unknown key `{loc[-1]}`" + (f" in {describe(loc[:-1])}" if len(loc) > 1 else "")
        fix = suggest(str(loc[-1]), _known_keys(model, loc[skip:-1]))
    else:
        problem = f"{where}: {_explain(error)}"
        fix = _FIXES.get(kind, "see docs/bot-folder.md for what belongs here")
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''} after it)"
    return doc.error(loc, problem, fix)


_FIXES = {
    "string_type": "write text here (in quotes if it looks like a number or true/false)",
    "list_type": "write a list, like `[a, b]` or one `- item` per line",
    "tuple_type": "write a list, like `[a, b]` or one `- item` per line",
    "dict_type": "write `key: value` lines indented under it",
    "model_type": "write `key: value` lines indented under it",
    "too_short": "add at least one entry",
    "string_too_short": "write some text here",
}


def _explain(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"`{error['input']}` is not allowed here; it must be {expected}"
    if kind in ("list_type", "tuple_type"):
        return "must be a list"
    if kind in ("dict_type", "model_type"):
        return "must be a set of `key: value` lines"
    if kind == "string_type":
        return "must be text"
    if kind in ("too_short", "string_too_short"):
        return "must not be empty"
    return str(error["msg"])


def closest(key: str, known: Sequence[str]) -> str | None:
    """The known name ``key`` is most likely a typo of, if any."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return close[0] if close else None


def suggest(key: str, known: Sequence[str]) -> str:
    """The fix for an unknown ``key``: the closest known one, or the list of known ones."""
    close = closest(key, known)
    if close is not None:
        return f"did you mean `{close}`?"
    if known:
        return "remove it; allowed here are: " + ", ".join(f"`{name}`" for name in known)
    return "remove it"


def _known_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    annotation: Any = model
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = [arg for arg in get_args(annotation) if arg is not Ellipsis]
            annotation = args[-1] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or name: f for name, f in annotation.model_fields.items()}
            field = fields.get(part)
            annotation = field.annotation if field else None
        else:
            return []
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin in (Union, UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        return _unwrap(members[0]) if len(members) == 1 else annotation
    return annotation
