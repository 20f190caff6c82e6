"""The Messenger Send API's message limits, checked as Meta checks them.

Used by :mod:`theke.testing.graph_api`; every refusal is a ``(#100)`` error with HTTP 400.
Mirrored limits (https://developers.facebook.com/docs/messenger-platform/reference/send-api,
.../send-messages/quick-replies, .../send-messages/templates, .../reference/buttons):

- ``message`` holds exactly one of ``text`` (1-2000 characters) or ``attachment``;
  ``metadata`` at most 1000 characters;
- ``quick_replies``: at most 13; ``content_type`` ``text`` needs a ``title`` (at most 20
  characters) and a ``payload`` (at most 1000); ``user_phone_number`` / ``user_email`` need
  neither;
- attachments ``image`` / ``audio`` / ``video`` / ``file`` carry ``payload.url`` (http(s)) or
  ``payload.attachment_id``; ``template`` attachments of type ``button`` (text at most 640
  characters, 1-3 buttons), ``generic`` (1-10 elements: title required, at most 80; subtitle
  at most 80; at most 3 buttons each), ``receipt`` and ``notification_messages`` (below);
- receipt templates (.../send-messages/template/receipt): ``recipient_name``,
  ``order_number``, ``payment_method`` (each with a visible character) and ``currency`` (an
  ISO 4217 code, three capitals) required, ``order_url`` an http(s) URL; ``summary`` with a
  ``total_cost`` and optional ``subtotal`` / ``shipping_cost`` / ``total_tax``, each a number
  with at most two decimals; ``address`` (optional) with ``street_1``, ``city``,
  ``postal_code``, ``state`` and a two-letter ``country``; at most 100 ``elements``, each with
  a ``title`` (at most 80) and a ``price``, optionally a ``subtitle`` (at most 80), an integer
  ``quantity``, a ``currency`` code and an http(s) ``image_url``; ``adjustments`` each with a
  ``name`` and an ``amount``;
- Marketing Messages opt-in requests (``notification_messages``,
  .../send-messages/recurring-notifications; the Instagram page lists the values): a
  ``payload`` (the fake requires it: the opt-in webhook brings it back as the topic);
  ``title`` optional (Meta shows "Updates and promotions"), at most 65 characters;
  ``image_url`` an http(s) URL; ``notification_messages_cta_text`` one of ``ALLOW``,
  ``FREQUENCY``, ``GET``, ``GET_UPDATES`` (the default), ``OPT_IN``, ``SIGN_UP``;
  ``notification_messages_frequency`` (deprecated since 2023, optional) one of ``DAILY``,
  ``WEEKLY``, ``MONTHLY``; ``notification_messages_reoptin`` ``ENABLED`` or ``DISABLED``;
  ``notification_messages_timezone`` a non-empty time zone name such as ``Europe/Berlin``;
- buttons: ``postback`` (title at most 20, payload at most 1000), ``web_url`` (title at most
  20, an http(s) ``url``), ``phone_number`` (payload ``+`` and digits, like ``+4930123456``).
"""

from __future__ import annotations

import math
import re
from typing import Any

from theke.testing._graph_rules import GraphError, bad_param, is_http_url, one_of, text_len

__all__ = [
    "MESSAGING_TYPES",
    "OPTIN_CTA_TEXTS",
    "OPTIN_FREQUENCIES",
    "SENDER_ACTIONS",
    "TAGS",
    "check_message",
]

MAX_TEXT = 2000
MAX_METADATA = 1000
MAX_QUICK_REPLIES = 13
MAX_TITLE = 20
MAX_PAYLOAD = 1000
MAX_BUTTON_TEXT = 640
MAX_ELEMENT_TEXT = 80
MAX_ELEMENTS = 10
MAX_BUTTONS = 3
MAX_RECEIPT_ELEMENTS = 100
MAX_OPTIN_TITLE = 65
OPTIN_CTA_TEXTS = frozenset({"ALLOW", "FREQUENCY", "GET", "GET_UPDATES", "OPT_IN", "SIGN_UP"})
OPTIN_FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY"})

MESSAGING_TYPES = frozenset({"RESPONSE", "UPDATE", "MESSAGE_TAG"})
TAGS = frozenset(
    {"POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE", "CONFIRMED_EVENT_UPDATE", "HUMAN_AGENT"}
)
SENDER_ACTIONS = frozenset({"typing_on", "typing_off", "mark_seen"})
_MEDIA = frozenset({"image", "audio", "video", "file"})
_QUICK_REPLY_TYPES = frozenset({"text", "user_phone_number", "user_email"})
_PHONE = re.compile(r"\+[0-9]{6,15}")
_RECEIPT_FIELDS = ("recipient_name", "order_number", "payment_method")
_RECEIPT_TEXT_MAX = 10_000  # Meta documents no limit; the fake takes any sane length
_SUMMARY_AMOUNTS = ("subtotal", "shipping_cost", "total_tax")
_ADDRESS_FIELDS = ("street_1", "city", "postal_code", "state")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_OPTIN_REOPTIN = frozenset({"ENABLED", "DISABLED"})
_OPTIN_PAYLOAD_MAX = 10_000  # Meta documents no limit; the fake takes any sane length
_TIMEZONE_MAX = 64


def _bad(problem: str) -> GraphError:
    return bad_param("messenger", problem)


def _length(value: Any, name: str, limit: int, *, required: bool = True) -> None:
    if value is None and not required:
        return
    size = text_len(value)
    if size < (1 if required else 0):
        raise _bad(f"param {name} must be a non-empty UTF-8 encoded string")
    if size > limit:
        raise _bad(f"Length of param {name} must be less than or equal to {limit}")


def _items(value: Any, name: str, low: int, high: int) -> list[Any]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _bad(f"param {name} must be an array of objects")
    if not low <= len(value) <= high:
        raise _bad(f"param {name} must have between {low} and {high} elements")
    return value


def check_message(message: Any) -> None:
    """A ``message`` object as the Send API accepts it."""
    if not isinstance(message, dict):
        raise _bad("param message must be a JSON object")
    text, attachment = message.get("text"), message.get("attachment")
    if text is None and attachment is None:
        raise _bad("Message cannot be empty, must provide valid attachment or text")
    if text is not None and attachment is not None:
        raise _bad("Only one of text or attachment may be set in param message")
    if text is not None:
        _length(text, "message[text]", MAX_TEXT)
    else:
        _check_attachment(attachment)
    if "quick_replies" in message:
        _check_quick_replies(message["quick_replies"])
    _length(message.get("metadata"), "message[metadata]", MAX_METADATA, required=False)


def _check_quick_replies(replies: Any) -> None:
    for index, reply in enumerate(_items(replies, "message[quick_replies]", 1, MAX_QUICK_REPLIES)):
        name = f"message[quick_replies][{index}]"
        kind = reply.get("content_type")
        if not one_of(kind, _QUICK_REPLY_TYPES):
            raise _bad(f"param {name}[content_type] must be one of {sorted(_QUICK_REPLY_TYPES)}")
        if kind == "text":
            _length(reply.get("title"), f"{name}[title]", MAX_TITLE)
            _length(reply.get("payload"), f"{name}[payload]", MAX_PAYLOAD)


def _check_attachment(attachment: Any) -> None:
    if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
        raise _bad("param message[attachment][payload] must be a JSON object")
    kind, payload = attachment.get("type"), attachment["payload"]
    if one_of(kind, _MEDIA):
        url, attachment_id = payload.get("url"), payload.get("attachment_id")
        if attachment_id is None and not is_http_url(url):
            raise _bad("param message[attachment][payload][url] must be a valid URL")
    elif kind == "template":
        _check_template(payload)
    else:
        raise _bad(
            "param message[attachment][type] must be one of image, audio, video, file, template"
        )


def _check_template(payload: dict[str, Any]) -> None:
    kind = payload.get("template_type")
    name = "message[attachment][payload]"
    if kind == "button":
        _length(payload.get("text"), f"{name}[text]", MAX_BUTTON_TEXT)
        _check_buttons(payload.get("buttons"), f"{name}[buttons]", low=1)
    elif kind == "generic":
        for index, element in enumerate(
            _items(payload.get("elements"), f"{name}[elements]", 1, MAX_ELEMENTS)
        ):
            _check_element(element, f"{name}[elements][{index}]")
    elif kind == "receipt":
        _check_receipt(payload, name)
    elif kind == "notification_messages":
        _check_optin_request(payload, name)
    else:
        raise _bad(
            f"param {name}[template_type] must be one of button, generic, receipt,"
            " notification_messages"
        )


def _check_element(element: dict[str, Any], name: str) -> None:
    _length(element.get("title"), f"{name}[title]", MAX_ELEMENT_TEXT)
    _length(element.get("subtitle"), f"{name}[subtitle]", MAX_ELEMENT_TEXT, required=False)
    if "image_url" in element and not is_http_url(element["image_url"]):
        raise _bad(f"param {name}[image_url] must be a valid URL")
    action = element.get("default_action")
    if action is not None:
        if not isinstance(action, dict) or action.get("type") != "web_url":
            raise _bad(f"param {name}[default_action][type] must be web_url")
        if not is_http_url(action.get("url")):
            raise _bad(f"param {name}[default_action][url] must be a valid URL")
        if "title" in action:
            raise _bad(f"param {name}[default_action] must not have a title")
    if "buttons" in element:
        _check_buttons(element["buttons"], f"{name}[buttons]", low=1)


def _check_receipt(payload: dict[str, Any], name: str) -> None:
    for field in _RECEIPT_FIELDS:
        _visible(payload.get(field), f"{name}[{field}]", _RECEIPT_TEXT_MAX)
    _code(payload.get("currency"), f"{name}[currency]", _CURRENCY)
    if "order_url" in payload and not is_http_url(payload["order_url"]):
        raise _bad(f"param {name}[order_url] must be a valid URL")
    _check_summary(payload.get("summary"), f"{name}[summary]")
    if "address" in payload:
        _check_address(payload["address"], f"{name}[address]")
    if "elements" in payload:
        elements = _items(payload["elements"], f"{name}[elements]", 0, MAX_RECEIPT_ELEMENTS)
        for index, element in enumerate(elements):
            _check_receipt_element(element, f"{name}[elements][{index}]")
    for index, adjustment in enumerate(
        _items(payload.get("adjustments", []), f"{name}[adjustments]", 0, MAX_RECEIPT_ELEMENTS)
    ):
        _visible(adjustment.get("name"), f"{name}[adjustments][{index}][name]", _RECEIPT_TEXT_MAX)
        _amount(adjustment.get("amount"), f"{name}[adjustments][{index}][amount]")


def _check_optin_request(payload: dict[str, Any], name: str) -> None:
    _length(payload.get("payload"), f"{name}[payload]", _OPTIN_PAYLOAD_MAX)
    _length(payload.get("title"), f"{name}[title]", MAX_OPTIN_TITLE, required=False)
    if "image_url" in payload and not is_http_url(payload["image_url"]):
        raise _bad(f"param {name}[image_url] must be a valid URL")
    choices = {
        "notification_messages_cta_text": OPTIN_CTA_TEXTS,
        "notification_messages_frequency": OPTIN_FREQUENCIES,
        "notification_messages_reoptin": _OPTIN_REOPTIN,
    }
    for field, allowed in choices.items():
        if field in payload and not one_of(payload[field], allowed):
            raise _bad(f"param {name}[{field}] must be one of {', '.join(sorted(allowed))}")
    if "notification_messages_timezone" in payload:
        timezone = payload["notification_messages_timezone"]
        field = f"{name}[notification_messages_timezone]"
        _length(timezone, field, _TIMEZONE_MAX)
        if any(char.isspace() for char in timezone):
            raise _bad(f"param {field} must be a valid time zone, like Europe/Berlin")


def _check_summary(summary: Any, name: str) -> None:
    if not isinstance(summary, dict):
        raise _bad(f"param {name} must be a JSON object")
    _amount(summary.get("total_cost"), f"{name}[total_cost]")
    for field in _SUMMARY_AMOUNTS:
        if field in summary:
            _amount(summary[field], f"{name}[{field}]")


def _check_address(address: Any, name: str) -> None:
    if not isinstance(address, dict):
        raise _bad(f"param {name} must be a JSON object")
    for field in _ADDRESS_FIELDS:
        _visible(address.get(field), f"{name}[{field}]", _RECEIPT_TEXT_MAX)
    _length(address.get("street_2"), f"{name}[street_2]", _RECEIPT_TEXT_MAX, required=False)
    _code(address.get("country"), f"{name}[country]", _COUNTRY)


def _check_receipt_element(element: dict[str, Any], name: str) -> None:
    _visible(element.get("title"), f"{name}[title]", MAX_ELEMENT_TEXT)
    _length(element.get("subtitle"), f"{name}[subtitle]", MAX_ELEMENT_TEXT, required=False)
    _amount(element.get("price"), f"{name}[price]")
    quantity = element.get("quantity")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)):
        raise _bad(f"param {name}[quantity] must be an integer")
    if "currency" in element:
        _code(element["currency"], f"{name}[currency]", _CURRENCY)
    if "image_url" in element and not is_http_url(element["image_url"]):
        raise _bad(f"param {name}[image_url] must be a valid URL")


def _visible(value: Any, name: str, limit: int) -> None:
    """A required text with at least one character that is not whitespace."""
    _length(value, name, limit)
    if not value.strip():
        raise _bad(f"param {name} must be a non-empty UTF-8 encoded string")


def _code(value: Any, name: str, pattern: re.Pattern[str]) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise _bad(f"param {name} must be a valid ISO code in capitals, like EUR or DE")


def _amount(value: Any, name: str) -> None:
    """A well-formed decimal number with at most two decimals, as Meta takes amounts."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"param {name} must be a number")
    if round(value, 2) != value:
        raise _bad(f"param {name} must have at most two decimal places")


def _check_buttons(buttons: Any, name: str, *, low: int) -> None:
    for index, button in enumerate(_items(buttons, name, low, MAX_BUTTONS)):
        _check_button(button, f"{name}[{index}]")


def _check_button(button: dict[str, Any], name: str) -> None:
    kind = button.get("type")
    _length(button.get("title"), f"{name}[title]", MAX_TITLE)
    if kind == "postback":
        _length(button.get("payload"), f"{name}[payload]", MAX_PAYLOAD)
    elif kind == "web_url":
        if not is_http_url(button.get("url")):
            raise _bad(f"param {name}[url] must be a valid URL")
    elif kind == "phone_number":
        payload = button.get("payload")
        if not isinstance(payload, str) or not _PHONE.fullmatch(payload):
            raise _bad(f"param {name}[payload] must be a phone number starting with +")
    else:
        raise _bad(f"param {name}[type] must be one of postback, web_url, phone_number")
