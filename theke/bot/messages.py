"""One entry of ``responses/<lang>.yml`` turned into typed content.

A response is text, a mapping in content JSON form (with ``type``), a
shorthand mapping (``text`` with ``quick_replies`` or ``buttons``, or
``image: URL`` with a ``caption``), or ``messages:`` with several of those
sent one after another. A list of responses gives variants, one is picked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from theke.bot.yamlsource import Loc, YamlDocument, describe, suggest
from theke.content import Buttons, Card, Carousel, Content, QuickReplies, from_json
from theke.errors import BotFolderError, ContentError

__all__ = ["Variants", "parse_response", "payloads"]

Variants = tuple[tuple[Content, ...], ...]
"""The variants of one response; each is the messages sent one after another."""

_MEDIA_KINDS = ("image", "video", "audio", "file")
_SHORTHANDS: dict[str, frozenset[str]] = {
    "quick_replies": frozenset({"text", "quick_replies"}),
    "buttons": frozenset({"text", "buttons"}),
    **{kind: frozenset({kind, "caption", "filename"}) for kind in _MEDIA_KINDS},
    "text": frozenset({"text"}),
}
_ALL_KEYS = sorted({"type", "messages", *(key for keys in _SHORTHANDS.values() for key in keys)})
_FORMS_FIX = "see docs/bot-folder.md for the ways to write a response"
ADDRESS_FORMS = ("du", "Sie")


def parse_response(doc: YamlDocument, loc: Loc, value: object, *, address: str = "du") -> Variants:
    """The variants of the response at ``loc``; every problem names its line.

    A German response may come in both forms of address, ``{du: ..., Sie: ...}``
    (for the whole response or per variant): the bot's ``address`` picks one.
    """
    value, loc = _addressed(value, loc, address)
    if not isinstance(value, list):
        return (_variant(doc, loc, value),)
    if not value:
        raise doc.error(loc, f"{describe(loc)} has no text", "write the answer after the colon")
    variants = (_addressed(item, (*loc, index), address) for index, item in enumerate(value))
    return tuple(_variant(doc, where, item) for item, where in variants)


def _addressed(value: object, loc: Loc, address: str) -> tuple[object, Loc]:
    """``{du: ..., Sie: ...}`` → the form for ``address``, and where it is written."""
    if isinstance(value, dict) and set(value) == set(ADDRESS_FORMS):
        return value[address], (*loc, address)
    return value, loc


def payloads(content: Content) -> Iterator[str]:
    """The postback payloads a message's quick replies and buttons send back."""
    if isinstance(content, QuickReplies):
        yield from (reply.payload for reply in content.replies)
    elif isinstance(content, Buttons | Card):
        yield from (button.payload for button in content.buttons if button.type == "postback")
    elif isinstance(content, Carousel):
        for card in content.cards:
            yield from payloads(card)


def _variant(doc: YamlDocument, loc: Loc, value: object) -> tuple[Content, ...]:
    if isinstance(value, dict) and "messages" in value:
        return _messages(doc, loc, value)
    if isinstance(value, list):
        problem = f"{describe(loc)} is a list inside a list"
        raise doc.error(loc, problem, "to send several messages, put them under `messages:`")
    return (_message(doc, loc, value),)


def _messages(doc: YamlDocument, loc: Loc, value: dict[str, Any]) -> tuple[Content, ...]:
    others = sorted(set(value) - {"messages"})
    if others:
        problem = f"`messages` cannot stand next to `{others[0]}` in {describe(loc)}"
        raise doc.error((*loc, others[0]), problem, "move it into the list under `messages:`")
    items = value["messages"]
    where = (*loc, "messages")
    if not isinstance(items, list) or not items:
        problem = f"{describe(where)} must be a list"
        raise doc.error(where, problem, "write one `- message` per line")
    return tuple(_message(doc, (*where, index), item) for index, item in enumerate(items))


def _message(doc: YamlDocument, loc: Loc, value: object) -> Content:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return _content(doc, loc, {"type": "text", "text": str(value)})
    if isinstance(value, dict):
        data = value if "type" in value else _expand(doc, loc, value)
        return _content(doc, loc, _typed_buttons(data))
    if value is None:
        raise doc.error(loc, f"{describe(loc)} is empty", "write the answer after the colon")
    problem = f"{describe(loc)} must be text or a set of `key: value` lines"
    raise doc.error(loc, problem, _FORMS_FIX)


def _expand(doc: YamlDocument, loc: Loc, value: dict[str, Any]) -> dict[str, Any]:
    form = next((form for form in _SHORTHANDS if form in value), None)
    if form is None:
        unknown = [key for key in value if key not in _ALL_KEYS]
        if unknown:
            raise _unknown_key(doc, loc, unknown[0], _ALL_KEYS)
        problem = f"{describe(loc)} has no `text`, `image` or `type`"
        raise doc.error(loc, problem, "say what to send: add `text:` or `image:`")
    extra = sorted(set(value) - _SHORTHANDS[form])
    if extra:
        raise _misplaced_key(doc, loc, extra[0], form)
    if form == "quick_replies":
        return {"type": "quick_replies", "text": value.get("text"), "replies": value[form]}
    if form == "buttons":
        return {"type": "buttons", "text": value.get("text"), "buttons": value[form]}
    if form == "text":
        return {"type": "text", "text": value["text"]}
    media = {"caption": value.get("caption"), "filename": value.get("filename")}
    shown = {key: item for key, item in media.items() if item is not None}
    return {"type": "media", "kind": form, "url": value[form], **shown}


def _typed_buttons(data: dict[str, Any]) -> dict[str, Any]:
    """Buttons may leave out ``type``: it follows from ``url``, ``phone`` or ``payload``."""
    typed = dict(data)
    if isinstance(typed.get("buttons"), list):
        typed["buttons"] = [_button(item) for item in typed["buttons"]]
    if isinstance(typed.get("cards"), list):
        typed["cards"] = [_typed_buttons(c) if isinstance(c, dict) else c for c in typed["cards"]]
    return typed


def _button(item: object) -> object:
    if not isinstance(item, dict) or "type" in item:
        return item
    kind = "url" if "url" in item else "call" if "phone" in item else "postback"
    return {"type": kind, **item}


def _content(doc: YamlDocument, loc: Loc, data: dict[str, Any]) -> Content:
    try:
        return from_json(data)
    except ContentError as exc:
        inner, reason = _first_problem(exc)
        problem = f"{describe((*loc, *inner))}: {reason}"
        raise doc.error((*loc, *inner), problem, _FORMS_FIX) from exc


def _first_problem(exc: ContentError) -> tuple[Loc, str]:
    """Where in the message the content model's first complaint is, in the owner's words."""
    cause = exc.__cause__
    if not isinstance(cause, ValidationError):
        return (), str(exc)
    error = cause.errors(include_url=False)[0]
    reason = error.get("ctx", {}).get("error") if error["type"] == "value_error" else None
    parts = error["loc"][1:]  # the first part is the message's type
    inner = [
        "quick_replies" if part == "replies" else part
        for index, part in enumerate(parts)
        if not _is_button_type(parts, index)
    ]
    return tuple(inner), str(reason or error["msg"])


def _is_button_type(parts: Loc, index: int) -> bool:
    """``buttons, 0, url, title``: the ``url`` is the button's type, which owners may omit."""
    return index >= 2 and parts[index - 2] == "buttons" and isinstance(parts[index - 1], int)


def _misplaced_key(doc: YamlDocument, loc: Loc, key: str, form: str) -> BotFolderError:
    if key not in _ALL_KEYS:
        return _unknown_key(doc, loc, key, _ALL_KEYS)
    problem = f"`{key}` does not go together with `{form}` in {describe(loc)}"
    allowed = ", ".join(f"`{name}`" for name in sorted(_SHORTHANDS[form]))
    return doc.error((*loc, key), problem, f"next to `{form}` you can write: {allowed}")


def _unknown_key(doc: YamlDocument, loc: Loc, key: str, known: list[str]) -> BotFolderError:
    problem = f"unknown key `{key}` in {describe(loc)}"
    return doc.error((*loc, key), problem, suggest(key, known))
