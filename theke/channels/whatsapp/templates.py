"""Approved message templates: what WhatsApp lets a shop send outside the 24-hour window.

The shop names its approved templates in ``theke.yml`` by the purpose of the message
(``whatsapp: templates: order_update: {name, language, parameters}``); each parameter is
a sandboxed Jinja template over the message's data and fills one body placeholder
(``{{1}}``, ``{{2}}``, ...) in order. WhatsApp refuses an empty parameter, so one that
renders empty is sent as "-".
"""

from __future__ import annotations

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
        values = [render_text(parameter, data).strip() for parameter in template.parameters]
        parameters = [{"type": "text", "text": (value or "-")[:PARAMETER_MAX]} for value in values]
        body["components"] = [{"type": "body", "parameters": parameters}]
    return {"type": "template", "template": body}
