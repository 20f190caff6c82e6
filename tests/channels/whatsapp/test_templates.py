"""Approved templates as WhatsApp takes them: parameters on one line, never empty."""

from __future__ import annotations

from theke.bot.config import WhatsAppTemplate
from theke.channels.whatsapp.templates import template_message


def test_parameters_are_filled_from_the_data_on_one_line() -> None:
    template = WhatsAppTemplate(
        name="sohle_order_update",
        language="de",
        parameters=("{{ customer_name }}", "{{ address }}", "{{ missing }}"),
    )
    data = {"customer_name": "Kim", "address": "Hauptstr. 1\n80331\tMünchen"}
    message = template_message(template, data)
    assert message["type"] == "template"
    body = message["template"]
    assert (body["name"], body["language"]) == ("sohle_order_update", {"code": "de"})
    texts = [p["text"] for p in body["components"][0]["parameters"]]
    assert texts == ["Kim", "Hauptstr. 1 80331 München", "-"]  # 132018: no new lines or tabs


def test_a_template_without_parameters_has_no_components() -> None:
    message = template_message(WhatsAppTemplate(name="hello_world", language="en_US"), {})
    assert message == {
        "type": "template",
        "template": {"name": "hello_world", "language": {"code": "en_US"}},
    }
