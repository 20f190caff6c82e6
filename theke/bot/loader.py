"""Load a bot folder: ``theke.yml`` and ``responses/<lang>.yml``, checked against each other."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from theke.bot.config import BotConfig, KeywordRule
from theke.bot.legal import read_legal
from theke.bot.messages import payloads
from theke.bot.responses import ResponseFile, Responses, read_responses
from theke.bot.yamlsource import Loc, YamlDocument, closest, read_yaml, validate
from theke.errors import BotFolderError
from theke.nlu.data import TrainingData

if TYPE_CHECKING:
    from theke.dialogue.actions import ActionFunction
    from theke.dialogue.flows import FlowSet
    from theke.knowledge.entries import Entry

__all__ = ["CONFIG_FILE", "Bot", "load_bot"]

CONFIG_FILE = "theke.yml"
FAQ_PREFIX = "faq:"
"""``intents: {shipping: faq:shipping_time}`` answers an intent with an FAQ entry."""
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?")


@dataclass(frozen=True, slots=True)
class Bot:
    """A loaded, checked bot folder."""

    path: Path
    config: BotConfig
    responses: Responses
    nlu: tuple[TrainingData, ...] = ()
    flows: FlowSet = field(default_factory=lambda: _no_flows())
    actions: Mapping[str, ActionFunction] = field(default_factory=dict)
    knowledge: Mapping[str, Entry] = field(default_factory=dict)
    legal: Mapping[str, str] = field(default_factory=dict)  # legal/*.txt: terms, withdrawal, ...

    @property
    def data_folder(self) -> Path:
        """Where the bot's own generated files live (database, trained models)."""
        return self.path / ".theke"


def load_bot(path: Path) -> Bot:
    """Load the bot folder at ``path``; every owner mistake is a :class:`BotFolderError`."""
    doc = read_yaml(_config_file(path))
    if not isinstance(doc.data, dict):
        problem = f"{CONFIG_FILE} has no `key: value` settings"
        raise doc.error((), problem, "start with a line like `name: My Shop`")
    config = validate(doc, BotConfig)
    _check_languages(doc, config)
    files = [_read_language(path, config, language) for language in config.languages]
    for file in files:
        _check_references(doc, config, file)
        _check_private_replies(doc, config, file)
    table = {file.language: file.responses for file in files}
    nlu = tuple(_read_nlu(path, config))
    _check_intents(doc, config, nlu)
    flows, actions = _read_flows(path, config, table, nlu)
    postbacks = set(config.postbacks) | {
        value for kind, value in flows.by_trigger if kind == "postback"
    }
    for index, rule in enumerate(config.keywords):
        _check_keyword(doc, config, ("keywords", index), rule, postbacks)
    for file in files:
        _check_payloads(postbacks, file)
    from theke.knowledge.loader import load_knowledge

    knowledge = load_knowledge(path, config.languages, address=config.address)
    _check_faq_intents(doc, config, {entry.id for entry in knowledge})
    return Bot(
        path=path,
        config=config,
        responses=Responses(table),
        nlu=nlu,
        flows=flows,
        actions=actions,
        knowledge=MappingProxyType({entry.id: entry for entry in knowledge}),
        legal=read_legal(path),
    )


def _check_faq_intents(doc: YamlDocument, config: BotConfig, entries: set[str]) -> None:
    for intent, key in config.intents.items():
        entry = key.removeprefix(FAQ_PREFIX)
        if key.startswith(FAQ_PREFIX) and entry not in entries:
            close = closest(entry, sorted(entries))
            fix = (
                f"did you mean `faq:{close}`?"
                if close
                else "use the `id` of an entry in knowledge/"
            )
            raise doc.error(("intents", intent), f"there is no FAQ entry `{entry}`", fix)


def _no_flows() -> FlowSet:
    from theke.dialogue.flows import FlowSet

    return FlowSet()


def _read_flows(
    path: Path,
    config: BotConfig,
    table: Mapping[str, Mapping[str, Any]],
    nlu: tuple[TrainingData, ...],
) -> tuple[FlowSet, Mapping[str, ActionFunction]]:
    from theke.dialogue.actions import load_actions
    from theke.dialogue.flows import BotNames, load_flows
    from theke.dialogue.texts import SYSTEM_KEYS

    actions = load_actions(path)
    names = BotNames(
        responses={language: frozenset(keys) for language, keys in table.items()},
        actions=frozenset(actions),
        intents=frozenset(intent for data in nlu for intent in data.intents),
        postbacks=frozenset(config.postbacks),
        system_keys=SYSTEM_KEYS,
    )
    return load_flows(path, names), actions


def _check_intents(doc: YamlDocument, config: BotConfig, nlu: tuple[TrainingData, ...]) -> None:
    known = {intent for data in nlu for intent in data.intents}
    for intent in config.intents:
        if intent not in known:
            problem = f"the intent `{intent}` has no examples in nlu/<lang>.yml"
            close = closest(intent, sorted(known))
            fix = f"did you mean `{close}`?" if close else "add it with examples to nlu/<lang>.yml"
            raise doc.error(("intents", intent), problem, fix)


def _read_nlu(path: Path, config: BotConfig) -> Iterator[TrainingData]:
    """``nlu/<lang>.yml`` for each language that has one (a bot may have none)."""
    folder = path / "nlu"
    if folder.is_dir():
        for file in sorted(folder.glob("*.y*ml")):
            if file.suffix == ".yaml":
                problem = "NLU files end in `.yml`, so this file would be ignored"
                raise BotFolderError(str(file), None, problem, f"rename it to {file.stem}.yml")
            if file.stem not in config.languages:
                problem = f"`{file.stem}` is not one of the bot's languages"
                fix = f"name the file after a language in {CONFIG_FILE}: " + ", ".join(
                    f"nlu/{language}.yml" for language in config.languages
                )
                raise BotFolderError(str(file), None, problem, fix)
    from theke.nlu.yamlfile import read_nlu_yaml  # it reads YAML with theke.bot's reader

    for language in config.languages:
        file = folder / f"{language}.yml"
        if file.is_file():
            yield read_nlu_yaml(file, language)


def _config_file(path: Path) -> Path:
    init = f"run `theke init {path}` to create a new bot folder there"
    if not path.is_dir():
        raise BotFolderError(str(path), None, "there is no bot folder here", init)
    config = path / CONFIG_FILE
    if not config.is_file():
        problem = f"the folder has no {CONFIG_FILE}, so it is not a bot folder"
        raise BotFolderError(str(config), None, problem, f"point to the bot folder, or {init}")
    return config


def _check_languages(doc: YamlDocument, config: BotConfig) -> None:
    seen: set[str] = set()
    for index, language in enumerate(config.languages):
        loc = ("languages", index)
        if not _LANGUAGE.fullmatch(language):
            problem = f"`{language}` is not a language code"
            raise doc.error(loc, problem, "use a two-letter code such as `de` or `en`")
        if language in seen:
            raise doc.error(loc, f"`{language}` is listed twice", "keep it once")
        seen.add(language)


def _check_keyword(
    doc: YamlDocument, config: BotConfig, loc: Loc, rule: KeywordRule, postbacks: set[str]
) -> None:
    if (rule.response is None) == (rule.postback is None):
        problem = "a keyword rule needs either `response` or `postback`"
        raise doc.error(loc, problem, "give it exactly one of the two")
    if rule.language is not None and rule.language not in config.languages:
        problem = f"`{rule.language}` is not one of the bot's languages"
        fix = "use one of: " + ", ".join(config.languages) + ", or add it to `languages`"
        raise doc.error((*loc, "language"), problem, fix)
    if rule.postback is not None and rule.postback not in postbacks:
        problem = f"the postback `{rule.postback}` is not listed under `postbacks`"
        fix = f"add `{rule.postback}: <response key>` under `postbacks:`, or let a flow start on it"
        raise doc.error((*loc, "postback"), problem, fix)
    for index, pattern in enumerate(rule.patterns):
        _check_pattern(doc, (*loc, "patterns", index), rule, pattern)


def _check_pattern(doc: YamlDocument, loc: Loc, rule: KeywordRule, pattern: str) -> None:
    if rule.match != "regex":
        if not any(char.isalnum() for char in pattern):
            problem = f"the pattern `{pattern}` has no letters or digits, so it matches nothing"
            raise doc.error(loc, problem, "write a word, or use `match: regex` for symbols")
        return
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        problem = f"the regular expression `{pattern}` is not valid: {exc}"
        fix = "fix the expression, or use `match: contains` for plain words"
        raise doc.error(loc, problem, fix) from exc


def _read_language(path: Path, config: BotConfig, language: str) -> ResponseFile:
    file = path / "responses" / f"{language}.yml"
    if file.is_file():
        return read_responses(file, language, config.address)
    others = [lang for lang in config.languages if lang != language]
    like = f" with the same keys as responses/{others[0]}.yml" if others else ""
    problem = f"responses/{language}.yml is missing ({CONFIG_FILE} lists `{language}`)"
    fix = f"create responses/{language}.yml{like}, or remove `{language}` from `languages`"
    raise BotFolderError(str(file), None, problem, fix)


def _references(config: BotConfig) -> Iterator[tuple[str, Loc]]:
    """Every response key ``theke.yml`` refers to, with where it does."""
    for index, rule in enumerate(config.keywords):
        if rule.response is not None:
            yield rule.response, ("keywords", index, "response")
    for payload, key in config.postbacks.items():
        yield key, ("postbacks", payload)
    for intent, key in config.intents.items():
        if not key.startswith(FAQ_PREFIX):  # an FAQ entry is checked once the FAQ is read
            yield key, ("intents", intent)
    for index, keyword in enumerate(config.comments.keywords):
        yield keyword.message, ("comments", "keywords", index, "message")
        if keyword.reply is not None:
            yield keyword.reply, ("comments", "keywords", index, "reply")
    yield config.fallback, ("fallback",)


def _check_references(doc: YamlDocument, config: BotConfig, file: ResponseFile) -> None:
    for key, loc in _references(config):
        if key in file.responses:
            continue
        line = doc.line(loc) if doc.has(loc) else None
        used = f"{CONFIG_FILE} line {line} uses it" if line else "it answers when nothing matched"
        problem = f"the response `{key}` is missing ({used})"
        fix = f"add `{key}:` with the answer in this language"
        close = closest(key, sorted(file.responses))
        if close is not None:
            fix += f", or rename `{close}` to `{key}` if that is the one"
        raise BotFolderError(str(file.document.path), None, problem, fix)


def _check_private_replies(doc: YamlDocument, config: BotConfig, file: ResponseFile) -> None:
    """Meta allows one message as the private reply to a comment: the response is one."""
    for index, keyword in enumerate(config.comments.keywords):
        key = keyword.message
        if all(len(variant) == 1 for variant in file.responses[key]):
            continue
        line = doc.line(("comments", "keywords", index, "message"))
        problem = (
            f"the response `{key}` has several messages, but {CONFIG_FILE} line {line} sends"
            " it as the one private reply to a comment, and Meta allows one message there"
        )
        fix = "write it as one message (a text, with buttons or quick replies if you like)"
        raise file.document.error((key,), problem, fix)


def _check_payloads(postbacks: set[str], file: ResponseFile) -> None:
    for key, variants in file.responses.items():
        sent = (
            payload
            for messages in variants
            for content in messages
            for payload in payloads(content)
        )
        for payload in sent:
            if payload in postbacks or payload.startswith("theke:"):
                continue
            problem = f"the response `{key}` sends the payload `{payload}`, which is not listed"
            problem += f" under `postbacks` in {CONFIG_FILE}"
            fix = f"add `{payload}: <response key>` under `postbacks:`, or correct the payload"
            raise file.document.error((key,), problem, fix)
