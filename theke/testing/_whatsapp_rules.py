"""The WhatsApp Cloud API's message limits, checked as Meta checks them.

Used by :mod:`theke.testing.graph_api`. A malformed request gets ``(#100)`` with the problem
in the message; a well-formed one whose values break a limit gets ``(#131009) Parameter value
is not valid`` with the problem in ``error_data.details``, as the Cloud API answers. Limits
(https://developers.facebook.com/docs/whatsapp/cloud-api/messages/ and its pages on text,
media, interactive reply buttons, list and CTA URL messages):

- ``messaging_product: "whatsapp"`` and ``to`` are required; ``recipient_type`` is
  ``individual``; ``type`` defaults to ``text``;
- ``text.body`` 1-4096 characters;
- interactive ``button``: ``body.text`` 1-1024, ``header`` text at most 60 (or an
  image / video / document link), ``footer.text`` at most 60, 1-3 buttons of type ``reply``,
  ``reply.id`` 1-256 and ``reply.title`` 1-20, ids and titles unique;
- interactive ``list``: ``body.text`` 1-4096, ``action.button`` 1-20, 1-10 sections with 1-10
  rows in total, row ``id`` at most 200, ``title`` at most 24, ``description`` at most 72,
  section ``title`` at most 24 and required when there is more than one section;
- interactive ``cta_url``: ``action.parameters.display_text`` 1-20 and an http(s) ``url``;
- media (image, audio, video, document, sticker): an http(s) ``link`` or an uploaded ``id``,
  ``caption`` at most 1024 and not for audio or sticker, ``filename`` for documents;
- ``reaction`` names a ``message_id``; ``location`` has ``latitude`` and ``longitude``.
"""

from __future__ import annotations

import re
from collections.abc import Container
from typing import Any

from theke.testing._graph_rules import GraphError, bad_param, is_http_url, one_of, text_len

__all__ = ["TYPES", "body_params", "check_message", "check_read", "wa_id"]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_BUTTON_BODY = 1024
MAX_HEADER = 60
MAX_FOOTER = 60
MAX_BUTTON_TITLE = 20
MAX_BUTTON_ID = 256
MAX_ROWS = 10
MAX_SECTIONS = 10
MAX_ROW_ID = 200
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72

TYPES = frozenset(
    "text interactive image audio video document sticker template reaction location".split()
)
_MEDIA = frozenset({"image", "audio", "video", "document", "sticker"})
_NO_CAPTION = frozenset({"audio", "sticker"})
_HEADER_MEDIA = frozenset({"image", "video", "document"})
_FORMATTING = re.compile(r"[\s()+\-.]")


def _bad(problem: str) -> GraphError:
    return bad_param("whatsapp", problem)


def _invalid(problem: str) -> GraphError:
    return bad_param("whatsapp", problem, code=131009)


def _text(value: Any, name: str, limit: int, *, required: bool = True) -> None:
    if value is None and not required:
        return
    size = text_len(value)
    if size < 0 or (required and size == 0):
        raise _bad(f"The parameter {name} is required.")
    if size > limit:
        raise _bad(f"Param {name} must be at most {limit} characters long.")


def wa_id(to: Any) -> str:
    """The WhatsApp id for ``to``: its digits, once ``+``, spaces and dashes are dropped."""
    if to is None:
        raise _bad("The parameter to is required.")
    digits = _FORMATTING.sub("", to) if isinstance(to, str) else ""
    if not digits.isdigit() or not 5 <= len(digits) <= 20:
        raise _bad("The parameter to is not a valid phone number.")
    return digits


def check_read(body: dict[str, Any]) -> str:
    """A mark-read (and optional typing) request; returns the ``message_id`` it names."""
    if body.get("status") != "read":
        raise _bad("Param status must be read.")
    message_id = body.get("message_id")
    _text(message_id, "message_id", 512)
    typing = body.get("typing_indicator")
    if typing is not None and (not isinstance(typing, dict) or typing.get("type") != "text"):
        raise _invalid("typing_indicator type must be text.")
    return str(message_id)


def check_message(body: dict[str, Any], media_ids: Container[str]) -> str:
    """A send request; returns its ``type``."""
    if body.get("recipient_type", "individual") != "individual":
        raise _bad("Param recipient_type must be individual.")
    kind = body.get("type", "text")
    if not one_of(kind, TYPES):
        raise _bad(f"Param type must be one of {{{', '.join(sorted(TYPES))}}}.")
    content = body.get(kind)
    if not isinstance(content, dict):
        raise _bad(f"The parameter {kind} is required.")
    context = body.get("context")
    if context is not None and (not isinstance(context, dict) or not context.get("message_id")):
        raise _bad("The parameter context['message_id'] is required.")
    _check_content(kind, content, media_ids)
    return str(kind)


def _check_content(kind: str, content: dict[str, Any], media_ids: Container[str]) -> None:
    if kind == "text":
        _text(content.get("body"), "text['body']", MAX_TEXT)
    elif kind == "interactive":
        _check_interactive(content)
    elif kind in _MEDIA:
        _check_media(kind, content, media_ids)
    elif kind == "template":
        _check_template(content)
    elif kind == "reaction":
        _text(content.get("message_id"), "reaction['message_id']", 512)
        _text(content.get("emoji"), "reaction['emoji']", 10, required=False)
    elif kind == "location":
        for field in ("latitude", "longitude"):
            value = content.get(field)
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise _bad(f"The parameter location['{field}'] is required.")


def _check_media(kind: str, media: dict[str, Any], media_ids: Container[str]) -> None:
    link, media_id = media.get("link"), media.get("id")
    if (link is None) == (media_id is None):
        raise _bad(f"Param {kind} must have exactly one of link or id.")
    if link is not None and not is_http_url(link):
        raise _invalid(f"{kind} link is not a valid http(s) URL.")
    if media_id is not None and not (isinstance(media_id, str) and media_id in media_ids):
        raise _invalid(f"Invalid media id {media_id}.")
    if "caption" in media and kind in _NO_CAPTION:
        raise _bad(f"Param {kind}['caption'] is not allowed.")
    _text(media.get("caption"), f"{kind}['caption']", MAX_CAPTION, required=False)
    if kind == "document":
        _text(media.get("filename"), "document['filename']", 240, required=False)


def _check_template(template: dict[str, Any]) -> None:
    _text(template.get("name"), "template['name']", 512)
    language = template.get("language")
    code = language.get("code") if isinstance(language, dict) else None
    _text(code, "template['language']['code']", 15)
    components = template.get("components", [])
    if not isinstance(components, list) or not all(isinstance(c, dict) for c in components):
        raise _bad("Param template['components'] must be an array of objects.")


def body_params(template: dict[str, Any]) -> int:
    """How many parameters the request gives the template's body component."""
    for component in template.get("components", []):
        if str(component.get("type", "")).lower() == "body":
            parameters = component.get("parameters", [])
            return len(parameters) if isinstance(parameters, list) else 0
    return 0


def _check_interactive(interactive: dict[str, Any]) -> None:
    kind = interactive.get("type")
    action = interactive.get("action")
    if not isinstance(action, dict):
        raise _bad("The parameter interactive['action'] is required.")
    footer = interactive.get("footer")
    if footer is not None:
        _text(_field(footer, "text"), "interactive['footer']['text']", MAX_FOOTER)
    body = _field(interactive.get("body"), "text")
    if kind == "button":
        _text(body, "interactive['body']['text']", MAX_BUTTON_BODY)
        _check_header(interactive.get("header"), allow_media=True)
        _check_buttons(action.get("buttons"))
    elif kind == "list":
        _text(body, "interactive['body']['text']", MAX_TEXT)
        _check_header(interactive.get("header"), allow_media=False)
        _text(action.get("button"), "interactive['action']['button']", MAX_BUTTON_TITLE)
        _check_sections(action.get("sections"))
    elif kind == "cta_url":
        _text(body, "interactive['body']['text']", MAX_BUTTON_BODY, required=False)
        _check_header(interactive.get("header"), allow_media=True)
        _check_cta(action)
    else:
        raise _bad("Param interactive['type'] must be one of {button, list, cta_url}.")


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _check_header(header: Any, *, allow_media: bool) -> None:
    if header is None:
        return
    kind = _field(header, "type")
    if kind == "text":
        _text(header.get("text"), "interactive['header']['text']", MAX_HEADER)
    elif allow_media and one_of(kind, _HEADER_MEDIA):
        if not is_http_url(_field(header.get(kind), "link")):
            raise _invalid(f"Header {kind} needs an http(s) link.")
    else:
        raise _invalid("Header type is not supported for this interactive message.")


def _check_buttons(buttons: Any) -> None:
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        raise _invalid("Buttons count is invalid. Min: 1, Max: 3")
    ids, titles = [], []
    for button in buttons:
        reply = _field(button, "reply")
        if _field(button, "type") != "reply" or not isinstance(reply, dict):
            raise _invalid("Button type must be reply.")
        ids.append(reply.get("id"))
        titles.append(reply.get("title"))
        if not 1 <= text_len(reply.get("id")) <= MAX_BUTTON_ID:
            raise _invalid(f"Button id length invalid. Min length: 1, Max length: {MAX_BUTTON_ID}")
        if not 1 <= text_len(reply.get("title")) <= MAX_BUTTON_TITLE:
            raise _invalid("Button title length invalid. Min length: 1, Max length: 20")
    if len(set(ids)) < len(ids):
        raise _invalid("Button ids must be unique.")
    if len(set(titles)) < len(titles):
        raise _invalid("Button titles must be unique.")


def _check_sections(sections: Any) -> None:
    if not isinstance(sections, list) or not 1 <= len(sections) <= MAX_SECTIONS:
        raise _invalid("Sections count is invalid. Min: 1, Max: 10")
    rows: list[dict[str, Any]] = []
    for section in sections:
        title = _field(section, "title")
        if len(sections) > 1 or title is not None:
            if not 1 <= text_len(title) <= MAX_ROW_TITLE:
                raise _invalid("Section title is required and at most 24 characters long.")
        section_rows = _field(section, "rows")
        if not isinstance(section_rows, list) or not all(isinstance(r, dict) for r in section_rows):
            raise _invalid("Each section needs rows.")
        rows.extend(section_rows)
    if not 1 <= len(rows) <= MAX_ROWS:
        raise _invalid(f"Total row count exceed max allowed count: {MAX_ROWS}")
    for row in rows:
        _check_row(row)
    ids = [row["id"] for row in rows]
    if len(set(ids)) < len(ids):
        raise _invalid("Row ids must be unique.")


def _check_row(row: dict[str, Any]) -> None:
    if not 1 <= text_len(row.get("id")) <= MAX_ROW_ID:
        raise _invalid(f"Row id is invalid. Max length is {MAX_ROW_ID}")
    if not 1 <= text_len(row.get("title")) <= MAX_ROW_TITLE:
        raise _invalid(f"Row title is too long. Max length is {MAX_ROW_TITLE}")
    description = row.get("description")
    if description is not None and not 0 <= text_len(description) <= MAX_ROW_DESCRIPTION:
        raise _invalid(f"Row description is too long. Max length is {MAX_ROW_DESCRIPTION}")


def _check_cta(action: dict[str, Any]) -> None:
    parameters = action.get("parameters")
    if action.get("name") != "cta_url" or not isinstance(parameters, dict):
        raise _bad("Param interactive['action'] must name cta_url with parameters.")
    if not 1 <= text_len(parameters.get("display_text")) <= MAX_BUTTON_TITLE:
        raise _invalid("Display text length invalid. Min length: 1, Max length: 20")
    if not is_http_url(parameters.get("url")):
        raise _invalid("URL is not a valid http(s) URL.")
