"""Checkout in the chat: delivery or pickup, the address, an e-mail, the payment, the summary.

The steps follow German law for orders online: the summary shows every line,
shipping and the total with the VAT it includes, links the shop's terms and
withdrawal notice, and only its button ("Zahlungspflichtig bestellen") places
the order. That button carries the checkout's key; the order is placed only
for exactly what the summary showed (:class:`~theke.commerce.pricing.Quote`'s
fingerprint), and a second tap finds the first order.

State lives in ``DialogueState.checkout``: ``step`` is what the bot waits for
(``fulfilment``, ``address``, ``email``, ``payment``, ``confirm``, then
``placed``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from theke.commerce.address import Address, AddressProblem, parse_address
from theke.commerce.pricing import Quote, price_cart
from theke.commerce.shipping import NoShipping, ShopConfig
from theke.commerce.texts import shop_label
from theke.content import Buttons, PostbackButton, UrlButton, capabilities_for
from theke.dialogue.context import TurnContext
from theke.dialogue.texts import plain_text
from theke.dialogue.turn import OrderRequest

__all__ = ["TYPED_STEPS", "answer", "cancel", "choose", "order", "reask", "start", "waiting"]

TYPED_STEPS = frozenset({"address", "email"})
_ATTEMPTS = 3
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Z]{2,}")


def waiting(ctx: TurnContext) -> str | None:
    """The step that waits for typed text ("address", "email"), if any."""
    step = (ctx.state.checkout or {}).get("step")
    return step if step in TYPED_STEPS else None


def start(ctx: TurnContext) -> bool:
    """``theke:checkout``: begin with the first question the shop's rules need."""
    ctx.answered = True
    shop = ctx.bot.config.shop
    if shop is None or not _methods(ctx):
        ctx.system("checkout_closed")
        return True
    quote = _quote(ctx, shop, None)
    if quote is None or not quote.lines:
        ctx.system("cart_empty")
        ctx.set_state(checkout=None)
        return True
    key = hashlib.sha256(f"{ctx.conversation_key}\x1f{ctx.state.turns}".encode()).hexdigest()[:24]
    ctx.set_state(checkout={"step": "fulfilment", "key": key})
    ctx.event("checkout.started", lines=len(quote.lines))
    if ctx.bot.config.shipping.pickup:
        _ask_fulfilment(ctx)
    else:
        _update(ctx, fulfilment="delivery")
        _ask_address(ctx)
    return True


def choose(ctx: TurnContext, argument: str) -> bool:
    """``theke:co:<what>:<value>``: a tapped answer to a checkout question.

    Only the open question's buttons count: a button of an earlier checkout (or one a
    web page made up) gets the open question again, so no step can be skipped.
    """
    what, _, value = argument.partition(":")
    checkout = ctx.state.checkout
    if checkout is None or checkout.get("step") == "placed":
        return False
    ctx.answered = True
    handler = _CHOICES.get(what)
    if handler is None:
        return False
    if checkout.get("step") not in _STEPS_OF.get(what, ()):
        ctx.event("checkout.stale_button", step=str(checkout.get("step")))
        _ask_again(ctx)
        return True
    return handler(ctx, value)


def answer(ctx: TurnContext, text: str) -> bool:
    """Typed text while an address or e-mail is awaited; False when it is no attempt at one
    (a question in between: the engine answers it, then asks again)."""
    step = waiting(ctx)
    if step == "email":
        found = _EMAIL.search(text)
        if found is None:
            if "@" not in text:
                return False
            return _again(ctx, "checkout_email_invalid", [("no_email", "theke:co:email:none")])
        ctx.answered = True
        ctx.remember("email", found.group(0))
        _update(ctx, email=found.group(0))
        _ask_payment(ctx)
        return True
    if step != "address":
        return False
    if not any(char.isdigit() for char in text) or text.rstrip().endswith("?"):
        return False  # a question ("in 44?", "30 Tage Rückgabe?"), not an address
    return _typed_address(ctx, text)


def reask(ctx: TurnContext) -> None:
    """The open checkout question again, after something answered in between."""
    step = waiting(ctx)
    if step == "address":
        _ask_address(ctx, offer_saved=False)
    elif step == "email":
        _ask_email(ctx)


def cancel(ctx: TurnContext, *, quiet: bool = False) -> bool:
    """Typed "abbrechen" during checkout: stop it, keep the cart (``quiet``: without a word,
    when something else answers, like STOP)."""
    if ctx.state.checkout is None or ctx.state.checkout.get("step") == "placed":
        return False
    ctx.set_state(checkout=None)
    ctx.event("checkout.cancelled")
    if not quiet:
        ctx.system("checkout_cancelled")
        ctx.answered = True
    return True


def order(ctx: TurnContext, key: str) -> bool:
    """``theke:order:<key>``: the final button. Places the order at the summary's terms."""
    ctx.answered = True
    checkout = ctx.state.checkout or {}
    if checkout.get("key") != key:
        ctx.system("order_stale", [("checkout", "theke:checkout")])
        return True
    if checkout.get("step") == "placed":
        ctx.event("order.repeated_tap")
        ctx.system("order_already")
        return True
    shop = ctx.bot.config.shop
    if checkout.get("step") != "confirm" or shop is None:
        ctx.system("order_stale", [("checkout", "theke:checkout")])
        return True
    quote = _quote(ctx, shop, _country(checkout))
    agreed = _agreed(quote, checkout) if quote is not None else None
    if quote is None or quote.unavailable or agreed != checkout.get("fingerprint"):
        ctx.system("checkout_changed")
        _summary(ctx, shop)
        return True
    ctx.order = OrderRequest(
        key=key,
        lines=tuple((line.product.sku, line.size, line.quantity) for line in quote.lines),
        fulfilment=str(checkout.get("fulfilment") or "delivery"),
        payment=str(checkout.get("payment")),
        language=ctx.language,
        fingerprint=quote.fingerprint,
        address=checkout.get("address"),
        store=checkout.get("store"),
        email=checkout.get("email") or None,
    )
    ctx.event("order.requested", key=key, payment=str(checkout.get("payment")))
    ctx.set_state(cart=(), checkout={"step": "placed", "key": key})
    return True


# -- the questions -----------------------------------------------------------------------


def _ask_fulfilment(ctx: TurnContext) -> None:
    ships = bool(ctx.bot.config.shipping.zones)
    replies = [("delivery", "theke:co:fulfilment:delivery")] if ships else []
    replies += [
        (store.name[:20], f"theke:co:pickup:{store.id}") for store in ctx.bot.config.shipping.pickup
    ]
    ctx.system("checkout_fulfilment", replies)


def _ask_address(ctx: TurnContext, *, offer_saved: bool = True) -> None:
    _update(ctx, step="address")
    saved = Address.from_json(ctx.customer.get("address") or {}) if offer_saved else None
    if saved is not None and ctx.bot.config.shipping.ships_to(saved.country):
        replies = [
            ("same_address", "theke:co:address:saved"),
            ("other_address", "theke:co:address:other"),
        ]
        ctx.system("checkout_saved_address", replies, postal=", ".join(saved.lines()))
        return
    ctx.system("checkout_address")


def _ask_email(ctx: TurnContext) -> None:
    _update(ctx, step="email")
    saved = ctx.customer.get("email")
    if isinstance(saved, str) and _EMAIL.fullmatch(saved):
        replies = [("yes_email", "theke:co:email:saved"), ("other_email", "theke:co:email:other"),
                   ("no_email", "theke:co:email:none")]  # fmt: skip
        ctx.system("checkout_saved_email", replies, email=saved)
        return
    ctx.system("checkout_email", [("no_email", "theke:co:email:none")])
    ctx.offer([], share="email")


def _ask_payment(ctx: TurnContext) -> None:
    shop = ctx.bot.config.shop
    if shop is None:  # pragma: no cover - checkout starts only with a shop
        return
    methods = _methods(ctx)
    if len(methods) == 1:
        _update(ctx, payment=methods[0])
        _summary(ctx, shop)
        return
    _update(ctx, step="payment")
    ctx.system("checkout_payment", [(method, f"theke:co:pay:{method}") for method in methods])


def _summary(ctx: TurnContext, shop: ShopConfig) -> None:
    checkout = dict(ctx.state.checkout or {})
    quote = _quote(ctx, shop, _country(checkout))
    if quote is None or not quote.lines:
        ctx.set_state(checkout=None)
        ctx.system("cart_empty")
        return
    if not _complete(ctx, checkout):  # a step missing (a state from an older version)
        ctx.set_state(checkout=None)
        ctx.system("order_stale", [("checkout", "theke:checkout")])
        return
    _update(ctx, step="confirm", fingerprint=_agreed(quote, checkout))
    button = _order_title(ctx)
    text = _summary_text(ctx, quote, checkout, button)
    ctx.event("checkout.summary", total=quote.total_cents)
    ctx.send(
        [
            Buttons(
                text=text,
                buttons=(
                    PostbackButton(title=button, payload=f"theke:order:{checkout['key']}"),
                    UrlButton(title=_label(ctx, "terms"), url=shop.terms_url),
                    UrlButton(title=_label(ctx, "withdrawal"), url=shop.withdrawal_url),
                ),
            )
        ],
        render=False,
    )


def _summary_text(ctx: TurnContext, quote: Quote, checkout: dict[str, Any], button: str) -> str:
    german = ctx.language.startswith("de")
    size = "Gr." if german else "size"
    lines = "\n".join(
        f"{line.quantity}× {line.product.name_in(ctx.language)}, {size} {line.size} – "
        f"{quote.money(line.total_cents, ctx.language)}"
        for line in quote.lines
    )
    free = "kostenlos" if german else "free"
    if checkout.get("fulfilment") == "pickup":
        store = ctx.bot.config.shipping.store(str(checkout.get("store")))
        shipping = ("Abholung: " if german else "Pickup: ") + free
        delivery = ("Abholung in: " if german else "Pickup at: ") + (
            f"{store.name}, {store.address}" if store else ""
        )
    else:
        cost = (
            free if quote.shipping_cents == 0 else quote.money(quote.shipping_cents, ctx.language)
        )
        shipping = ("Versand" if german else "Shipping") + f" ({quote.zone}): {cost}"
        address = Address.from_json(checkout.get("address") or {})
        shown = ", ".join(address.lines()) if address else ""
        delivery = ("Lieferung an: " if german else "Deliver to: ") + shown
    email = checkout.get("email")
    email_line = f"\n{'E-Mail' if german else 'E-mail'}: {email}" if email else ""
    return plain_text(
        "checkout_summary",
        ctx.language,
        ctx.address,
        lines=lines,
        shipping=shipping,
        total=quote.money(quote.total_cents, ctx.language),
        vat=quote.money(quote.vat_cents, ctx.language),
        delivery=delivery,
        payment=_label(ctx, f"payment_{checkout.get('payment')}"),
        email=email_line,
        button=button,
    )


# -- tapped answers ------------------------------------------------------------------------


def _fulfilment(ctx: TurnContext, value: str) -> bool:
    if value != "delivery":
        return False
    _update(ctx, fulfilment="delivery", store=None)
    _ask_address(ctx)
    return True


def _pickup(ctx: TurnContext, value: str) -> bool:
    store = ctx.bot.config.shipping.store(value)
    if store is None:
        return False
    _update(ctx, fulfilment="pickup", store=store.id, address=None)
    ctx.event("checkout.pickup", store=store.id)
    _ask_email(ctx)
    return True


def _address(ctx: TurnContext, value: str) -> bool:
    if value == "other":
        _ask_address(ctx, offer_saved=False)
        return True
    saved = Address.from_json(ctx.customer.get("address") or {})
    if value != "saved" or saved is None:
        return False
    return _use_address(ctx, saved)


def _email(ctx: TurnContext, value: str) -> bool:
    if value == "none":
        _update(ctx, email=None)
    elif value == "saved" and isinstance(ctx.customer.get("email"), str):
        _update(ctx, email=ctx.customer["email"])
    elif value == "other":
        _update(ctx, step="email")
        ctx.system("checkout_email", [("no_email", "theke:co:email:none")])
        return True
    else:
        return False
    _ask_payment(ctx)
    return True


def _pay(ctx: TurnContext, value: str) -> bool:
    shop = ctx.bot.config.shop
    if shop is None or value not in _methods(ctx):
        return False
    _update(ctx, payment=value)
    _summary(ctx, shop)
    return True


_STEPS_OF = {
    "fulfilment": ("fulfilment",),
    "pickup": ("fulfilment",),
    "address": ("address",),
    "email": ("email",),
    "pay": ("payment",),
}
"""The step whose question each kind of checkout button answers."""

_CHOICES = {
    "fulfilment": _fulfilment,
    "pickup": _pickup,
    "address": _address,
    "email": _email,
    "pay": _pay,
}


# -- helpers -------------------------------------------------------------------------------


def _typed_address(ctx: TurnContext, text: str) -> bool:
    shipping = ctx.bot.config.shipping
    try:
        address = parse_address(text, countries=shipping.countries or None)
    except AddressProblem as problem:
        key = {
            "street": "checkout_address_street",
            "postcode": "checkout_address_postcode",
            "city": "checkout_address_city",
            "country": "checkout_address_country",
        }.get(problem.reason, "checkout_address")
        return _again(ctx, key)
    if address.name is None:
        return _again(ctx, "checkout_address_name")
    return _use_address(ctx, address)


def _use_address(ctx: TurnContext, address: Address) -> bool:
    ctx.answered = True
    shipping = ctx.bot.config.shipping
    if not shipping.ships_to(address.country):
        ctx.system("checkout_no_shipping", countries=", ".join(shipping.countries))
        return True
    ctx.remember("address", address.to_json())
    _update(ctx, address=address.to_json(), attempts=0)
    ctx.event("checkout.address", country=address.country)
    _ask_email(ctx)
    return True


def _again(ctx: TurnContext, key: str, replies: list[tuple[str, str]] | None = None) -> bool:
    """A refused answer: say what is missing; after the third, offer a person."""
    attempts = int((ctx.state.checkout or {}).get("attempts") or 0) + 1
    _update(ctx, attempts=attempts)
    ctx.event("checkout.refused", reason=key)
    if attempts >= _ATTEMPTS:
        ctx.system("gave_up", [("human", "theke:human"), ("no_thanks", "theke:dismiss")])
        ctx.set_state(offer="human")
        return True
    ctx.system(key, replies or [])
    return True


def _quote(ctx: TurnContext, shop: ShopConfig, country: str | None) -> Quote | None:
    if ctx.catalog is None:
        return None
    cart = [(line.sku, line.size, line.quantity) for line in ctx.state.cart]
    try:
        quote = price_cart(ctx.catalog, cart, shop, ctx.bot.config.shipping, country=country)  # type: ignore[arg-type]
    except NoShipping:
        return None
    for gone in quote.unavailable:
        name = gone.name or gone.sku
        ctx.system("cart_dropped", product=name, size=gone.size)
    if quote.unavailable:
        kept = {(line.product.sku, line.size) for line in quote.lines}
        ctx.set_state(cart=tuple(line for line in ctx.state.cart if (line.sku, line.size) in kept))
    return quote


def _agreed(quote: Quote, checkout: Mapping[str, Any]) -> str:
    """What the customer agrees to with the order button: the priced lines and total, and how
    the order is delivered and paid."""
    where = checkout.get("store") if checkout.get("fulfilment") == "pickup" else _country(checkout)
    return f"{quote.fingerprint}|{checkout.get('fulfilment')}|{where}|{checkout.get('payment')}"


def _complete(ctx: TurnContext, checkout: Mapping[str, Any]) -> bool:
    """A summary needs a shippable address (or a known store) and an offered payment."""
    if checkout.get("payment") not in _methods(ctx):
        return False
    if checkout.get("fulfilment") == "pickup":
        return ctx.bot.config.shipping.store(str(checkout.get("store"))) is not None
    country = _country(checkout)
    return country is not None and ctx.bot.config.shipping.ships_to(country)


def _ask_again(ctx: TurnContext) -> None:
    """The open checkout question again (after a button of another step)."""
    step = (ctx.state.checkout or {}).get("step")
    shop = ctx.bot.config.shop
    if step == "fulfilment":
        _ask_fulfilment(ctx)
    elif step in TYPED_STEPS:
        reask(ctx)
    elif step == "payment":
        _ask_payment(ctx)
    elif step == "confirm" and shop is not None:
        _summary(ctx, shop)


def _country(checkout: Mapping[str, Any]) -> str | None:
    if checkout.get("fulfilment") == "pickup":
        return None
    address = checkout.get("address")
    return str(address.get("country")) if isinstance(address, dict) else None


def _methods(ctx: TurnContext) -> tuple[str, ...]:
    """The payment methods offered that this installation can take (Stripe needs its key)."""
    shop = ctx.bot.config.shop
    offered = shop.payment if shop is not None else ()
    return tuple(method for method in offered if method not in ctx.unavailable_payments)


def _update(ctx: TurnContext, **changes: Any) -> None:
    ctx.set_state(checkout={**(ctx.state.checkout or {}), **changes})


def _order_title(ctx: TurnContext) -> str:
    """ "Zahlungspflichtig bestellen" where the channel shows it whole; Messenger and WhatsApp
    cut button titles at 20 characters, so there the button says "Jetzt kaufen" (a wording
    German courts accept as unambiguous) and the summary names it."""
    full = _label(ctx, "order")
    caps = capabilities_for(ctx.channel)
    if caps.buttons and caps.button_title_max >= len(full):
        return full
    return _label(ctx, "order_short")


def _label(ctx: TurnContext, key: str) -> str:
    return shop_label(key, ctx.language, ctx.address)
