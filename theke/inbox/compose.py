"""What the reply box offers besides free text: canned responses (a typed ``/versand``
or one picked from the list), product cards from the catalog, and, when WhatsApp's
24-hour window has closed, the shop's approved templates with a field for each value
they need."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from theke.bot.config import WhatsAppTemplate
from theke.dialogue.templates import names_in
from theke.inbox import canned as rules
from theke.inbox.picker import Pick, find_products
from theke.store import canned
from theke.store.canned import Canned

__all__ = [
    "VALUE_MAX",
    "Composer",
    "TemplateChoice",
    "composer",
    "expand_shortcut",
    "template_choices",
    "template_values",
]

VALUE_MAX = 1024  # what WhatsApp takes for one template value


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """An approved template an agent may send: its purpose key in ``theke.yml``, its name
    at Meta, and the values it needs, in the order the form asks for them."""

    purpose: str
    name: str
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Composer:
    """Everything the reply box offers now."""

    canned: list[Canned]
    draft: str  # the text to start from (a picked canned response)
    product_query: str
    picks: list[Pick]


def composer(
    conn: Connection, *, canned_id: int | None = None, product_query: str = ""
) -> Composer:
    """The canned responses, the one picked (as the draft), and the products found."""
    responses = canned.all_canned(conn)
    picked = next((item.text for item in responses if item.id == canned_id), "")
    query = product_query.strip()
    return Composer(
        canned=responses,
        draft=picked,
        product_query=query,
        picks=find_products(conn, query) if query else [],
    )


def expand_shortcut(conn: Connection, text: str) -> str:
    """The reply to send: the canned text when ``text`` is only a shortcut like
    ``/versand``, else ``text``; ``UnknownShortcut`` (a ``ValueError``) for an unknown one."""

    def lookup(shortcut: str) -> str | None:
        found = canned.by_shortcut(conn, shortcut)
        return found.text if found is not None else None

    expanded = rules.expand(text, lookup)
    return text if expanded is None else expanded


def template_choices(templates: Mapping[str, WhatsAppTemplate]) -> list[TemplateChoice]:
    """The configured templates with the values each one's parameters read."""
    choices = []
    for purpose, template in sorted(templates.items()):
        fields: dict[str, None] = {}
        for parameter in template.parameters:
            fields.update(dict.fromkeys(sorted(names_in(parameter))))
        choices.append(TemplateChoice(purpose, template.name, tuple(fields)))
    return choices


def template_values(choice: TemplateChoice, given: Mapping[str, str]) -> dict[str, str]:
    """The values for ``choice`` from a form; ``ValueError`` (German) for a missing or too
    long one."""
    values = {}
    for field in choice.fields:
        value = " ".join(given.get(field, "").split())
        if not value:
            raise ValueError(f"Die Vorlage {choice.name} braucht einen Wert für „{field}“.")
        if len(value) > VALUE_MAX:
            raise ValueError(f"„{field}“ ist zu lang: höchstens {VALUE_MAX} Zeichen.")
        values[field] = value
    return values
