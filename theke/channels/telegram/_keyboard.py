"""Inline keyboards: the buttons under a Telegram message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from theke.content import CallButton, UrlButton, shorten

__all__ = [
    "CALLBACK_DATA_MAX",
    "TITLE_MAX",
    "InlineButton",
    "call_line",
    "callback_data",
    "inline_keyboard",
    "link",
    "postback",
]

CALLBACK_DATA_MAX = 64
"""Telegram's limit for ``callback_data``, in bytes of UTF-8."""
TITLE_MAX = 64
"""The longest button label we send, in characters (``capabilities_for("telegram")``)."""

_SHORT = 12
_MEDIUM = 20

InlineButton = dict[str, str]


def callback_data(payload: str, payload_id: Callable[[str], str]) -> str:
    """The payload itself when it fits in 64 bytes, else the short id the caller stored it under."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_MAX:
        return payload
    return payload_id(payload)


def postback(title: str, payload: str, payload_id: Callable[[str], str]) -> InlineButton:
    return {"text": shorten(title, TITLE_MAX), "callback_data": callback_data(payload, payload_id)}


def link(button: UrlButton, url: str) -> InlineButton:
    return {"text": shorten(button.title, TITLE_MAX), "url": url}


def call_line(button: CallButton) -> str:
    """The text line that stands in for a call button: Telegram has none."""
    return f"📞 {button.title}: {button.phone}"


def inline_keyboard(buttons: Sequence[InlineButton]) -> dict[str, Any]:
    """The ``reply_markup``: three short labels per row, two medium ones, else one."""
    longest = max(len(button["text"]) for button in buttons)
    per_row = 3 if longest <= _SHORT else 2 if longest <= _MEDIUM else 1
    rows = [list(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]
    return {"inline_keyboard": rows}
