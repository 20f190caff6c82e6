"""WhatsApp's interactive messages: reply buttons, a list, a link button.

Each builder returns the ``interactive`` object without its ``body``, which the
renderer adds once it knows what fits. The limits are Cloud API's:

- reply buttons: 1 to 3; ``reply.id`` at most 256 characters, ``reply.title``
  at most 20, titles unique within the message;
- a list: at most 10 rows; ``action.button`` at most 20 characters; row ``id``
  at most 200, ``title`` at most 24, ``description`` at most 72; row ids unique;
- a link button (``cta_url``): ``display_text`` at most 20 characters.

A payload longer than the id limit is sent as ``payload_id(payload)``, a short
id the caller stored it under. Shortened titles end in "…"; titles that end up
alike get " 2", " 3", ... A blank title (WhatsApp refuses one) becomes its
number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from theke.content import shorten

__all__ = [
    "BUTTON_ID_MAX",
    "BUTTON_TITLE_MAX",
    "CTA_TEXT_MAX",
    "LIST_BUTTON_MAX",
    "LIST_ROWS_MAX",
    "REPLY_BUTTONS_MAX",
    "ROW_DESCRIPTION_MAX",
    "ROW_ID_MAX",
    "ROW_TITLE_MAX",
    "Choice",
    "cta_url",
    "distinct",
    "reply_buttons",
    "row_list",
]

REPLY_BUTTONS_MAX = 3
BUTTON_ID_MAX = 256
BUTTON_TITLE_MAX = 20
LIST_ROWS_MAX = 10
LIST_BUTTON_MAX = 20
ROW_ID_MAX = 200
ROW_TITLE_MAX = 24
ROW_DESCRIPTION_MAX = 72
CTA_TEXT_MAX = 20


@dataclass(frozen=True, slots=True)
class Choice:
    """A quick reply or postback button: what it says and what it sends back."""

    title: str
    payload: str


def distinct(choices: Sequence[Choice]) -> list[Choice]:
    """The choices without repeated payloads: WhatsApp refuses two buttons with one id,
    and both would send the same."""
    seen: set[str] = set()
    kept: list[Choice] = []
    for choice in choices:
        if choice.payload not in seen:
            seen.add(choice.payload)
            kept.append(choice)
    return kept


def reply_buttons(
    choices: Sequence[Choice], payload_id: Callable[[str], str], header: dict[str, Any] | None
) -> dict[str, Any]:
    """Up to three reply buttons, with an optional header (a card's picture)."""
    titles = _unique_titles([choice.title for choice in choices], BUTTON_TITLE_MAX)
    buttons = [
        {"type": "reply", "reply": {"id": _id(c.payload, BUTTON_ID_MAX, payload_id), "title": t}}
        for c, t in zip(choices, titles, strict=True)
    ]
    interactive: dict[str, Any] = {"type": "button"}
    if header is not None:
        interactive["header"] = header
    return interactive | {"action": {"buttons": buttons}}


def row_list(
    choices: Sequence[Choice], payload_id: Callable[[str], str], label: str
) -> dict[str, Any]:
    """Up to ten rows behind a button labelled ``label``; a shortened title is whole
    in the row's description."""
    titles = _unique_titles([choice.title for choice in choices], ROW_TITLE_MAX)
    rows: list[dict[str, str]] = []
    for choice, title in zip(choices, titles, strict=True):
        row = {"id": _id(choice.payload, ROW_ID_MAX, payload_id), "title": title}
        if title != choice.title:
            row["description"] = shorten(choice.title, ROW_DESCRIPTION_MAX)
        rows.append(row)
    action = {"button": shorten(label, LIST_BUTTON_MAX), "sections": [{"rows": rows}]}
    return {"type": "list", "action": action}


def cta_url(title: str, url: str, header: dict[str, Any] | None) -> dict[str, Any]:
    """One button that opens ``url``."""
    interactive: dict[str, Any] = {"type": "cta_url"}
    if header is not None:
        interactive["header"] = header
    text = _unique_titles([title], CTA_TEXT_MAX)[0]
    parameters = {"display_text": text, "url": url}
    return interactive | {"action": {"name": "cta_url", "parameters": parameters}}


def _id(payload: str, limit: int, payload_id: Callable[[str], str]) -> str:
    return payload if len(payload) <= limit else payload_id(payload)


def _unique_titles(titles: Sequence[str], limit: int) -> list[str]:
    """Each title within ``limit``, none alike (ignoring case) after shortening."""
    seen: set[str] = set()
    result: list[str] = []
    for number, title in enumerate(titles, 1):
        base = title if title.strip() else str(number)
        candidate, count = shorten(base, limit), 1
        while candidate.casefold() in seen:
            count += 1
            suffix = f" {count}"
            candidate = shorten(base, limit - len(suffix)) + suffix
        seen.add(candidate.casefold())
        result.append(candidate)
    return result
