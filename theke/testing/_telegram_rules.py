"""The Bot API's limits, checked as Telegram checks them, for :mod:`theke.testing.telegram_api`.

Mirrored behaviour (https://core.telegram.org/bots/api):

- lengths are counted in UTF-16 code units after entity parsing, with leading and trailing
  white space removed (message text 1-4096, caption 0-1024, callback answer 0-200);
- ``parse_mode`` HTML (Telegram's tag set), MarkdownV2 (reserved characters must be escaped)
  and legacy Markdown; formatting characters do not count towards the limits;
- inline keyboards: every button has text and exactly one of ``callback_data`` (1-64 bytes of
  UTF-8) or ``url``;
- webhook secret tokens: 1-256 characters of ``A-Z a-z 0-9 _ -``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

__all__ = [
    "Refusal",
    "bad_request",
    "check_caption",
    "check_reply_markup",
    "check_secret_token",
    "check_text",
    "json_field",
    "utf16_len",
    "visible_text",
]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA_BYTES = 64
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
_HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a code pre blockquote tg-emoji".split()
)
_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")


class Refusal(Exception):
    """The Bot API refuses the request: ``error_code`` and ``description`` as Telegram sends."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(problem: str) -> Refusal:
    """A 400 with Telegram's ``Bad Request: ...`` prefix."""
    return Refusal(400, f"Bad Request: {problem}")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji outside the BMP counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def json_field(value: Any, name: str) -> Any:
    """A JSON-typed parameter; form fields carry it as a JSON string."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise bad_request(f"can't parse {name} JSON object") from exc


def visible_text(text: str, parse_mode: str | None) -> str:
    """The text a user sees once Telegram has parsed the entities of ``parse_mode``."""
    mode = (parse_mode or "").lower()
    if mode == "":
        return text
    if mode == "html":
        return _html_text(text)
    if mode == "markdownv2":
        return _markdown_text(text, v2=True)
    if mode == "markdown":
        return _markdown_text(text, v2=False)
    raise bad_request(f"unsupported parse_mode {parse_mode}")


def check_text(text: Any, parse_mode: str | None) -> None:
    """A message text: 1-4096 characters after entity parsing."""
    shown = visible_text(str(text or ""), parse_mode).strip()
    if not shown:
        raise bad_request("message text is empty")
    if utf16_len(shown) > MAX_TEXT:
        raise bad_request("message is too long")


def check_caption(caption: Any, parse_mode: str | None) -> None:
    """A media caption: at most 1024 characters after entity parsing."""
    shown = visible_text(str(caption or ""), parse_mode).strip()
    if utf16_len(shown) > MAX_CAPTION:
        raise bad_request("message caption is too long")


def check_secret_token(token: Any) -> None:
    """``setWebhook``'s secret_token: 1-256 of ``A-Z a-z 0-9 _ -`` (empty means none)."""
    if token in (None, ""):
        return
    if not isinstance(token, str) or not _SECRET_TOKEN.fullmatch(token):
        raise bad_request("secret token contains unallowed characters")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """The parsed ``reply_markup``; inline keyboards are checked button by button."""
    if markup in (None, ""):
        return None
    parsed = json_field(markup, "reply keyboard markup")
    if not isinstance(parsed, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "keyboard" in parsed:
        _check_reply_keyboard(parsed["keyboard"])
        return parsed
    rows = parsed.get("inline_keyboard")
    if rows is None:
        return parsed
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            _check_button(button)
    return parsed


def _check_reply_keyboard(rows: Any) -> None:
    """A ReplyKeyboardMarkup: rows of buttons with a text, sending it or the user's contact."""
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "keyboard" of the ReplyKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse keyboard button: Text is not specified")
            if not button["text"].strip():
                raise bad_request("BUTTON_TEXT_INVALID")
            if "callback_data" in button or "url" in button:
                raise bad_request("can't parse keyboard button: field is not allowed here")


def _check_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request("can't parse inline keyboard button: Text is not specified")
    if not button["text"].strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    kinds = [key for key in ("callback_data", "url") if key in button]
    if not kinds:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if len(kinds) > 1:
        raise bad_request("can't parse inline keyboard button: exactly one action field allowed")
    data = button.get("callback_data")
    if "callback_data" in button and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button and not str(button["url"]).strip():
        raise bad_request("BUTTON_URL_INVALID")


class _HtmlText(HTMLParser):
    """Collects the visible text of Telegram-flavoured HTML; refuses unknown tags."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.source = source
        self.parts: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _entities(f'Unsupported start tag "{tag}" at byte offset {self._offset()}')
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise _entities(f"Unexpected end tag at byte offset {self._offset()}")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def _offset(self) -> int:
        line, column = self.getpos()
        before = "".join(self.source.splitlines(keepends=True)[: line - 1])
        return len((before + self.source.splitlines(keepends=True)[line - 1][:column]).encode())


def _entities(problem: str) -> Refusal:
    return bad_request(f"can't parse entities: {problem}")


def _html_text(text: str) -> str:
    parser = _HtmlText(text)
    parser.feed(text)
    parser.close()
    if parser.open:
        tag = parser.open[-1]
        raise _entities(f'Can\'t find end tag corresponding to start tag "{tag}"')
    return "".join(parser.parts)


def _markdown_text(text: str, *, v2: bool) -> str:
    """Visible text of (legacy or V2) Markdown: markers and link targets do not show."""
    shown: list[str] = []
    open_at: dict[str, int] = {}
    index = 0
    while index < len(text):
        char = text[index]
        if v2 and char == "\\" and index + 1 < len(text):
            shown.append(text[index + 1])
            index += 2
            continue
        index = _markdown_step(text, index, shown, open_at, v2=v2)
    if open_at:
        start = min(open_at.values())
        raise _entities(f"Can't find end of the entity starting at byte offset {start}")
    return "".join(shown)


def _markdown_step(
    text: str, index: int, shown: list[str], open_at: dict[str, int], *, v2: bool
) -> int:
    """Consumes one character or marker at ``index``; returns the next index."""
    char = text[index]
    marker = "||" if text.startswith("||", index) else char
    if marker in ("*", "_", "`", "~", "||") and (v2 or marker in ("*", "_", "`")):
        if marker in open_at:
            del open_at[marker]
        else:
            open_at[marker] = len(text[:index].encode())
        return index + len(marker)
    if char == "]" and text.startswith("(", index + 1):
        close = text.find(")", index)
        if close < 0:
            raise _entities("Can't find end of a URL")
        return close + 1
    if char == "[":
        return index + 1
    if v2 and char in _MD2_RESERVED:
        raise _entities(
            f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
        )
    shown.append(char)
    return index + 1
