"""Stripe's form encoding and its rules for creating a Checkout Session, for the loopback API.

Mirrored behaviour (https://docs.stripe.com/api/checkout/sessions/create, /api/errors):

- nested parameters arrive as ``a[b][0][c]=v``; numeric keys make an array; a parameter the
  endpoint does not know gets 400 ``parameter_unknown``, a missing required one 400
  ``parameter_missing``, a non-integer or out-of-range integer 400
  ``parameter_invalid_integer``, each with the ``param`` it blames;
- ``mode=payment`` with 1-100 ``line_items``, each with ``quantity`` >= 1 and ``price_data``
  (``currency``: three lower-case letters, the same on every line; ``product_data[name]``;
  ``unit_amount`` 0-99999999 in minor units); the total may not pass 99999999
  (``amount_too_large``); a ``price`` id is ``resource_missing`` (the fake has no prices);
- ``success_url`` (required) and ``cancel_url`` are http(s) URLs (``url_invalid``),
  ``customer_email`` an address (``email_invalid``), ``client_reference_id`` at most 200
  characters, ``expires_at`` 30 minutes to 24 hours ahead, ``locale`` one Checkout knows;
- ``metadata`` (also ``payment_intent_data[metadata]``): at most 50 keys of up to 40
  characters, values up to 500 characters.

Where the fake differs: it accepts any three lower-case letters as a currency, no
``mode`` but ``payment``, and applies no minimum charge amount.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

__all__ = ["CheckoutRequest", "StripeRefusal", "checkout_request", "invalid", "missing", "nest"]

MAX_LINE_ITEMS = 100
MAX_AMOUNT = 99_999_999
_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_SEGMENT = re.compile(r"\[([^\[\]]*)\]")
_INTEGER = re.compile(r"-?[0-9]+")
_CURRENCY = re.compile(r"[a-z]{3}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CREATE = frozenset(
    "mode line_items success_url cancel_url customer_email client_reference_id metadata"
    " expires_at payment_intent_data locale payment_method_types expand".split()
)
_LINE = frozenset({"price", "price_data", "quantity"})
_PRICE_DATA = frozenset({"currency", "product_data", "unit_amount", "tax_behavior"})
_PRODUCT_DATA = frozenset({"name", "description", "images", "metadata", "tax_code"})
_INTENT_DATA = frozenset({"metadata", "description"})
_LOCALES = frozenset(
    "auto bg cs da de el en en-GB es es-419 et fi fil fr fr-CA hr hu id it ja ko lt lv ms mt"
    " nb nl pl pt pt-BR ro ru sk sl sv th tr vi zh zh-HK zh-TW".split()
)


class StripeRefusal(Exception):
    """Stripe refuses the request: HTTP ``status`` and the ``error`` object it sends."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        kind: str = "invalid_request_error",
        headers: tuple[tuple[str, str], ...] = (),
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.kind, self.headers = kind, headers

    def body(self) -> dict[str, Any]:
        """``{"error": {...}}`` with only the fields that are set, as Stripe sends it."""
        error: dict[str, Any] = {"message": self.message, "type": self.kind}
        if self.code is not None:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def invalid(param: str, message: str, code: str | None = None) -> StripeRefusal:
    """A 400 blaming ``param``."""
    return StripeRefusal(400, message, code=code, param=param)


def missing(param: str) -> StripeRefusal:
    """A 400 ``parameter_missing``."""
    return invalid(param, f"Missing required param: {param}.", "parameter_missing")


@dataclass(frozen=True)
class CheckoutRequest:
    """A create request that passed Stripe's rules; amounts in minor units."""

    line_items: tuple[tuple[str, int, int], ...]  # (name, unit_amount, quantity)
    currency: str
    success_url: str
    cancel_url: str | None
    customer_email: str | None
    client_reference_id: str | None
    metadata: dict[str, str]
    intent_metadata: dict[str, str]
    expires_at: int | None
    locale: str | None

    @property
    def amount_total(self) -> int:
        return sum(unit_amount * quantity for _name, unit_amount, quantity in self.line_items)


def nest(form: Mapping[str, Any]) -> dict[str, Any]:
    """Form fields as Stripe reads them: ``a[b][0]=v`` becomes ``{"a": {"b": ["v"]}}``."""
    tree: dict[str, Any] = {}
    for name, value in form.items():
        _insert(tree, _path(name), str(value), name)
    return _arrays(tree)


def checkout_request(form: Mapping[str, Any], now: float) -> CheckoutRequest:
    """Check a ``POST /v1/checkout/sessions`` body; raises :class:`StripeRefusal`."""
    params = nest(form)
    _known(params, _CREATE, "")
    _check_mode(params.get("mode"))
    lines, currency = _line_items(params.get("line_items"))
    intent = _hash(params.get("payment_intent_data"), "payment_intent_data")
    _known(intent, _INTENT_DATA, "payment_intent_data")
    return CheckoutRequest(
        line_items=lines,
        currency=currency,
        success_url=_url(params.get("success_url"), "success_url", required=True) or "",
        cancel_url=_url(params.get("cancel_url"), "cancel_url", required=False),
        customer_email=_email(params.get("customer_email")),
        client_reference_id=_text(params.get("client_reference_id"), "client_reference_id", 200),
        metadata=_metadata(params.get("metadata"), "metadata"),
        intent_metadata=_metadata(intent.get("metadata"), "payment_intent_data[metadata]"),
        expires_at=_expires_at(params.get("expires_at"), now),
        locale=_locale(params.get("locale")),
    )


# -- form encoding -----------------------------------------------------------------------


def _path(name: str) -> list[str]:
    match = _KEY.fullmatch(name)
    if match is None:
        raise invalid(name, f"Received unknown parameter: {name}", "parameter_unknown")
    return [match.group(1), *_SEGMENT.findall(match.group(2))]


def _insert(tree: dict[str, Any], path: list[str], value: str, name: str) -> None:
    node = tree
    for depth, key in enumerate(path[:-1]):
        key = key or str(len(node))
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise invalid(_name(path[: depth + 1]), "Invalid hash")
        node = child
    last = path[-1] or str(len(node))
    if isinstance(node.get(last), dict):
        raise invalid(name, "Invalid hash")
    node[last] = value


def _arrays(tree: dict[str, Any]) -> dict[str, Any]:
    return {key: _array_or_hash(value) for key, value in tree.items()}


def _array_or_hash(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    inner = _arrays(value)
    if inner and all(key.isascii() and key.isdigit() for key in inner):
        return [inner[key] for key in sorted(inner, key=int)]
    return inner


def _name(path: list[str]) -> str:
    return path[0] + "".join(f"[{key}]" for key in path[1:])


# -- parameters --------------------------------------------------------------------------


def _known(params: Mapping[str, Any], allowed: frozenset[str], prefix: str) -> None:
    for key in params:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise invalid(name, f"Received unknown parameter: {name}", "parameter_unknown")


def _hash(value: Any, param: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid(param, "Invalid hash")
    return value


def _check_mode(mode: Any) -> None:
    if mode is None or mode == "":
        raise missing("mode")
    if mode not in {"payment", "setup", "subscription"}:
        raise invalid("mode", "Invalid mode: must be one of payment, setup, or subscription")
    if mode != "payment":
        raise invalid("mode", "The loopback Stripe API supports mode=payment only")


def _line_items(value: Any) -> tuple[tuple[tuple[str, int, int], ...], str]:
    if value is None or value == "" or value == {}:
        raise missing("line_items")
    if not isinstance(value, list):
        raise invalid("line_items", "Invalid array")
    if len(value) > MAX_LINE_ITEMS:
        raise invalid("line_items", f"You may only specify up to {MAX_LINE_ITEMS} line items.")
    lines = [_line(item, f"line_items[{index}]") for index, item in enumerate(value)]
    currencies = {currency for currency, _line_item in lines}
    if len(currencies) > 1:
        raise invalid("line_items", "All line items must use the same currency.")
    items = tuple(line for _currency, line in lines)
    if sum(unit * quantity for _name, unit, quantity in items) > MAX_AMOUNT:
        raise invalid("line_items", "The total amount is too large.", "amount_too_large")
    return items, currencies.pop()


def _line(item: Any, param: str) -> tuple[str, tuple[str, int, int]]:
    if not isinstance(item, dict):
        raise invalid(param, "Invalid hash")
    _known(item, _LINE, param)
    if item.get("price"):
        price = item["price"]
        raise invalid(f"{param}[price]", f"No such price: '{price}'", "resource_missing")
    quantity = _integer(item.get("quantity"), f"{param}[quantity]", 1, None)
    data = _hash(item.get("price_data"), f"{param}[price_data]")
    if not data:
        raise missing(f"{param}[price_data]")
    _known(data, _PRICE_DATA, f"{param}[price_data]")
    currency = _currency(data.get("currency"), f"{param}[price_data][currency]")
    product = _hash(data.get("product_data"), f"{param}[price_data][product_data]")
    _known(product, _PRODUCT_DATA, f"{param}[price_data][product_data]")
    name = _text(product.get("name"), f"{param}[price_data][product_data][name]", 5000)
    if name is None:
        raise missing(f"{param}[price_data][product_data][name]")
    amount = _integer(data.get("unit_amount"), f"{param}[price_data][unit_amount]", 0, MAX_AMOUNT)
    return currency, (name, amount, quantity)


def _integer(value: Any, param: str, low: int, high: int | None) -> int:
    if value is None or value == "":
        raise missing(param)
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        raise invalid(param, f"Invalid integer: {value}", "parameter_invalid_integer")
    number = int(value)
    if number < low:
        message = f"This value must be greater than or equal to {low}."
        raise invalid(param, message, "parameter_invalid_integer")
    if high is not None and number > high:
        message = f"This value must be less than or equal to {high}."
        raise invalid(param, message, "parameter_invalid_integer")
    return number


def _currency(value: Any, param: str) -> str:
    if value is None or value == "":
        raise missing(param)
    if not isinstance(value, str) or not _CURRENCY.fullmatch(value):
        raise invalid(param, f"Invalid currency: {value}.")
    return value


def _text(value: Any, param: str, limit: int) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid(param, "Invalid string")
    if len(value) > limit:
        raise invalid(param, f"This value must be at most {limit} characters long.")
    return value


def _url(value: Any, param: str, *, required: bool) -> str | None:
    text = _text(value, param, 5000)
    if text is None:
        if required:
            raise missing(param)
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise invalid(param, "Not a valid URL", "url_invalid")
    return text


def _email(value: Any) -> str | None:
    text = _text(value, "customer_email", 800)
    if text is not None and not _EMAIL.fullmatch(text):
        raise invalid("customer_email", f"Invalid email address: {text}", "email_invalid")
    return text


def _metadata(value: Any, param: str) -> dict[str, str]:
    tags = _hash(value, param)
    if len(tags) > 50:
        raise invalid(param, "Invalid metadata: at most 50 keys are allowed.")
    for key, text in tags.items():
        if len(key) > 40:
            raise invalid(param, f"Invalid metadata: key '{key[:40]}...' is longer than 40.")
        if not isinstance(text, str):
            raise invalid(f"{param}[{key}]", "Invalid string")
        if len(text) > 500:
            raise invalid(f"{param}[{key}]", "Invalid metadata: values are at most 500 long.")
    return {key: text for key, text in tags.items() if text != ""}


def _expires_at(value: Any, now: float) -> int | None:
    if value is None or value == "":
        return None
    moment = _integer(value, "expires_at", 0, None)
    if moment - now < 30 * 60:
        message = "The `expires_at` timestamp must be at least 30 minutes from now."
        raise invalid("expires_at", message)
    if moment - now > 24 * 60 * 60:
        message = "The `expires_at` timestamp must be less than 24 hours from now."
        raise invalid("expires_at", message)
    return moment


def _locale(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in _LOCALES:
        raise invalid("locale", f"Invalid locale: {value}")
    return str(value)
