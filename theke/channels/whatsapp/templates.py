"""Approved message templates: what WhatsApp lets a shop send outside the 24-hour window.

The shop names its approved templates in ``theke.yml`` by the purpose of the message
(``whatsapp: templates: order_update: {name, language, parameters}``); each parameter is
a sandboxed Jinja template over the message's data and fills one body placeholder
(``{{1}}``, ``{{2}}``, ...) in order. WhatsApp refuses an empty parameter, so one that
renders empty is sent as "-", and one with line breaks, tabs or runs of spaces (which
WhatsApp refuses with error 132018) as one line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from theke.bot.config import WhatsAppTemplate
from theke.dialogue.templates import render_text

__all__ = ["PARAMETER_MAX", "template_message"]

PARAMETER_MAX = 1024
"""The longest text of one body parameter WhatsApp accepts, in characters."""


def template_message(template: WhatsAppTemplate, data: Mapping[str, Any]) -> dict[str, Any]:
    """The Cloud API ``template`` message for ``template`` filled with ``data``."""
    body: dict[str, Any] = {"name": template.name, "language": {"code": template.language}}
    if template.parameters:
        values = [_one_line(render_text(parameter, data)) for parameter in template.parameters]
        parameters = [{"type": "text", "text": (value or "-")[:PARAMETER_MAX]} for value in values]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": body}


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()
