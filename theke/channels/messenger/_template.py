"""The parts of Messenger's structured messages: buttons, quick replies, template elements,
receipts, opt-in requests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, assert_never

from theke.content import (
    Button,
    CallButton,
    Card,
    Consent,
    PostbackButton,
    QuickReply,
    Receipt,
    ReceiptAddress,
    ReceiptItem,
    UrlButton,
    absolute_url,
    shorten,
)
from theke.errors import ConfigurationError

__all__ = [
    "BLANK_STANDIN",
    "CONSENT_CTA",
    "ELEMENT_TEXT_MAX",
    "PAYLOAD_MAX",
    "TITLE_MAX",
    "Target",
    "is_bare",
    "label",
]

TITLE_MAX = 20
"""The longest quick reply or button title Messenger shows, in characters."""
PAYLOAD_MAX = 1000
"""The longest quick reply or postback payload Messenger takes, in characters."""
ELEMENT_TEXT_MAX = 80
"""The longest title and subtitle of a generic template element, in characters."""
BLANK_STANDIN = "…"
"""What stands in for a text Messenger requires but the content left blank."""
CONSENT_CTA = "GET_UPDATES"
"""The opt-in request's button: "Get updates" in the customer's language."""

_PRICE_SEPARATOR = " · "


def label(text: str, limit: int) -> str:
    """``text`` shortened to ``limit`` with "…"; a blank one becomes "…" (Meta needs a title)."""
    short = shorten(text, limit)
    return short if short.strip() else BLANK_STANDIN


def is_bare(card: Card) -> bool:
    """True for a card Meta refuses as an element: besides the title it needs a
    subtitle, a picture or a button ("Incomplete element data", error 100)."""
    return not (_subtitle(card) or card.image_url or card.buttons)


@dataclass(frozen=True, slots=True)
class Target:
    """What rendering needs besides the content: the public address and the payload store."""

    payload_id: Callable[[str], str]
    public_url: str

    def url(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//") and not self.public_url:
            raise ConfigurationError(
                f"Messenger needs full addresses, but {url!r} is a path on this server: "
                "set THEKE_PUBLIC_URL to the address customers reach Theke at"
            )
        return absolute_url(url, self.public_url)

    def payload(self, payload: str) -> str:
        """The payload itself when it fits Meta's 1,000 characters, else its stored short id."""
        return payload if len(payload) <= PAYLOAD_MAX else self.payload_id(payload)

    def quick_reply(self, reply: QuickReply) -> dict[str, str]:
        return {
            "content_type": "text",
            "title": label(reply.title, TITLE_MAX),
            "payload": self.payload(reply.payload),
        }

    def button(self, button: Button) -> dict[str, str]:
        title = label(button.title, TITLE_MAX)
        match button:
            case PostbackButton():
                return {"type": "postback", "title": title, "payload": self.payload(button.payload)}
            case UrlButton():
                return {"type": "web_url", "title": title, "url": self.url(button.url)}
            case CallButton():
                return {"type": "phone_number", "title": title, "payload": button.phone}
            case _:
                assert_never(button)

    def receipt(self, receipt: Receipt) -> dict[str, Any]:
        """The payload of a receipt template; the order's ``timestamp`` is left out."""
        payload: dict[str, Any] = {
            "template_type": "receipt",
            "recipient_name": receipt.recipient_name,
            "order_number": receipt.order_number,
            "currency": receipt.currency,
            "payment_method": receipt.payment_method,
        }
        if receipt.order_url:
            payload["order_url"] = self.url(receipt.order_url)
        if receipt.address is not None:
            payload["address"] = _address(receipt.address)
        payload["summary"] = {
            "subtotal": _amount(receipt.subtotal_cents),
            "shipping_cost": _amount(receipt.shipping_cents),
            "total_tax": _amount(receipt.tax_cents),
            "total_cost": _amount(receipt.total_cents),
        }
        payload["elements"] = [
            self._receipt_element(item, receipt.currency) for item in receipt.items
        ]
        return payload

    def _receipt_element(self, item: ReceiptItem, currency: str) -> dict[str, Any]:
        # Meta's price is the line's: its example bills 2 shirts at 25 as "price": 50.
        element: dict[str, Any] = {
            "title": item.title,
            "quantity": item.quantity,
            "price": _amount(item.price_cents * item.quantity),
            "currency": currency,
        }
        if item.subtitle and item.subtitle.strip():
            element["subtitle"] = item.subtitle
        if item.image_url:
            element["image_url"] = self.url(item.image_url)
        return element

    def consent(self, consent: Consent) -> dict[str, str]:
        """The payload of a Marketing Messages opt-in request (``notification_messages``).

        The topic is its ``payload``, which the opt-in webhook brings back. No frequency
        (Meta deprecated it in 2023) and no timezone (UTC). A blank title is left out, so
        Messenger shows its own ("Updates and promotions").
        """
        payload = {
            "template_type": "notification_messages",
            "title": consent.title,
            "payload": consent.topic,
            "notification_messages_cta_text": CONSENT_CTA,
        }
        if not consent.title.strip():
            del payload["title"]
        if consent.image_url:
            payload["image_url"] = self.url(consent.image_url)
        return payload

    def buttons(self, buttons: Sequence[Button]) -> list[dict[str, str]]:
        return [self.button(button) for button in buttons]

    def element(self, card: Card) -> dict[str, Any]:
        """One generic template element; a bare card's subtitle is its link (else its title)."""
        element: dict[str, Any] = {"title": label(card.title, ELEMENT_TEXT_MAX)}
        subtitle = _subtitle(card)
        if is_bare(card):
            subtitle = self.url(card.url) if card.url else card.title
        if subtitle:
            element["subtitle"] = label(subtitle, ELEMENT_TEXT_MAX)
        if card.image_url:
            element["image_url"] = self.url(card.image_url)
        if card.url:
            element["default_action"] = {"type": "web_url", "url": self.url(card.url)}
        if card.buttons:
            element["buttons"] = self.buttons(card.buttons)
        return element


def _amount(cents: int) -> float:
    """Cents as the number of currency units Meta expects, like 89.99 for 8999.

    Exact to the cent: the division rounds to the nearest double, whose shortest
    form (what JSON writes) is the two-decimal amount up to ``CENTS_MAX``.
    """
    return cents / 100


def _address(address: ReceiptAddress) -> dict[str, str]:
    # Meta requires a state, which German addresses do not have: the city stands in for it.
    state = address.state if address.state and address.state.strip() else address.city
    shown = {"street_1": address.street_1}
    if address.street_2 and address.street_2.strip():
        shown["street_2"] = address.street_2
    return shown | {
        "city": address.city,
        "postal_code": address.postal_code,
        "state": state,
        "country": address.country,
    }


def _subtitle(card: Card) -> str:
    """The price first, then the subtitle: "89,95 € · Leicht und schnell"."""
    parts = [part for part in (card.price, card.subtitle) if part and part.strip()]
    return _PRICE_SEPARATOR.join(parts)
