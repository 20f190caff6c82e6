"""Actions a flow runs: the built-in ones and the Python functions of the bot's ``actions.py``.

An action gets an :class:`ActionContext` (the slots, the customer's
profile, the language, the step's ``with:`` arguments, the catalog) and
acts through it: say something, set slots, hand over to a human, record a
subscription. A function in ``actions.py`` is an action under its own
name; the same functions serve as slot validators (``validator: name``),
called with the value and the context, returning the value to keep or
raising :class:`Invalid` with the message to show.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from theke.content import Content, Text
from theke.errors import BotFolderError

if TYPE_CHECKING:
    from theke.dialogue.catalog import CatalogIndex

__all__ = [
    "BUILTIN_ACTIONS",
    "ActionContext",
    "ActionFunction",
    "Invalid",
    "Subscription",
    "load_actions",
]

ActionFunction = Callable[["ActionContext"], object]


class Invalid(Exception):
    """Raised by a validator in ``actions.py``: the answer is refused with ``message``."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or "invalid")
        self.message = message


@dataclass(frozen=True, slots=True)
class Subscription:
    """A customer's opt-in recorded by a flow: the ``topic`` ("back_in_stock"), what it is
    about (``subject``, e.g. "SC-RUN-001:43"), and details for the message that keeps it."""

    topic: str
    subject: str
    data: Mapping[str, Any]


@dataclass
class ActionContext:
    """What an action sees and the effects it asks for; one per action call."""

    slots: Mapping[str, Any]
    customer: Mapping[str, Any]
    language: str
    args: Mapping[str, Any] = field(default_factory=dict)
    catalog: CatalogIndex | None = None
    replies: list[Content | str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)
    subscriptions: list[Subscription] = field(default_factory=list)
    viewed: list[str] = field(default_factory=list)
    wants_human: bool = False
    handoff_said: bool = False  # the action announced the hand-over itself

    def say(self, message: Content | str) -> None:
        """Send ``message``: content, or the key of a response in ``responses/<lang>.yml``."""
        self.replies.append(message)

    def text(self, text: str) -> None:
        """Send plain text (prefer response keys: they have every language)."""
        self.replies.append(Text(text=text))

    def set_slot(self, name: str, value: Any) -> None:
        self.changes[name] = value

    def handoff(self, message: str | None = None) -> None:
        """Hand the conversation to a human; the bot is silent until it is handed back.

        ``message`` (a response key) announces it instead of the built-in ``handoff`` text.
        """
        self.wants_human = True
        if message is not None:
            self.say(message)
            self.handoff_said = True

    def subscribe(self, topic: str, subject: str, **data: Any) -> None:
        self.subscriptions.append(Subscription(topic, subject, data))


def _handoff(context: ActionContext) -> None:
    message = context.args.get("say")
    context.handoff(str(message) if message else None)


def _subscribe(context: ActionContext) -> None:
    from theke.dialogue.product_search import subscribe_back_in_stock

    subscribe_back_in_stock(context)


def _search_products(context: ActionContext) -> None:
    from theke.dialogue.product_search import search_products

    search_products(context)


BUILTIN_ACTIONS: Mapping[str, ActionFunction] = MappingProxyType(
    {"handoff": _handoff, "subscribe": _subscribe, "search_products": _search_products}
)


def load_actions(folder: Path) -> Mapping[str, ActionFunction]:
    """The built-in actions and the public functions of ``actions.py`` in the bot folder."""
    path = folder / "actions.py"
    actions = dict(BUILTIN_ACTIONS)
    if not path.is_file():
        return MappingProxyType(actions)
    module = _import(path)
    for name, function in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(function):
            continue
        if function.__module__ != module.__name__:
            continue  # imported, not written here
        if name in BUILTIN_ACTIONS:
            problem = f"`{name}` is the name of a built-in action"
            raise BotFolderError(
                str(path), _line(function), problem, "give the function another name"
            )
        actions[name] = function
    return MappingProxyType(actions)


def _import(path: Path) -> Any:
    name = f"theke_bot_actions_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - a .py file always has a loader
        raise BotFolderError(str(path), None, "cannot be loaded", "check that it is a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise BotFolderError(
            str(path), exc.lineno, f"Python syntax error: {exc.msg}", "fix the line"
        ) from exc
    except Exception as exc:  # the owner's code may raise anything while it is imported
        sys.modules.pop(name, None)
        problem = f"importing it failed: {type(exc).__name__}: {exc}"
        raise BotFolderError(
            str(path), None, problem, "run `python actions.py` to see the error"
        ) from exc
    return module


def _line(function: Callable[..., object]) -> int | None:
    code = getattr(function, "__code__", None)
    return code.co_firstlineno if code is not None else None
