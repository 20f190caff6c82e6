"""The bot's answers: ``responses/<lang>.yml`` for every language, ready to send."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from theke.bot.messages import Variants, parse_response
from theke.bot.yamlsource import YamlDocument, read_yaml
from theke.errors import BotFolderError

__all__ = ["ResponseFile", "Responses", "read_responses"]


@dataclass(frozen=True, slots=True)
class ResponseFile:
    """One parsed language file; ``document`` keeps the lines for later checks."""

    language: str
    document: YamlDocument
    responses: Mapping[str, Variants]


class Responses:
    """Every response of a bot, by key and language."""

    __slots__ = ("_table",)

    def __init__(self, files: Mapping[str, Mapping[str, Variants]]) -> None:
        self._table = MappingProxyType(
            {language: MappingProxyType(dict(table)) for language, table in files.items()}
        )

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages that have a response file."""
        return tuple(self._table)

    def keys(self, language: str) -> frozenset[str]:
        """The response keys defined for ``language``."""
        return frozenset(self._table.get(language, {}))

    def get(self, key: str, language: str) -> Variants:
        """The variants of ``key`` in ``language``; each is a sequence of messages.

        Raises ``KeyError`` when the language file has no such key; the loader
        has checked every key that ``theke.yml`` refers to.
        """
        try:
            return self._table[language][key]
        except KeyError:
            raise KeyError(f"no response {key!r} in language {language!r}") from None


def read_responses(path: Path, language: str, address: str = "du") -> ResponseFile:
    """Read and check ``responses/<language>.yml``."""
    doc = read_yaml(path)
    if doc.data is None:
        return ResponseFile(language, doc, {})
    if not isinstance(doc.data, dict):
        raise BotFolderError(
            str(path),
            doc.line(()),
            "the file must be a list of `key: answer` lines",
            "start each response at the left margin, like `greet: Hallo!`",
        )
    table = {
        key: parse_response(doc, (key,), value, address=address) for key, value in doc.data.items()
    }
    return ResponseFile(language, doc, table)
