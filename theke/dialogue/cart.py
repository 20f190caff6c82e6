"""The customer's cart: the "In den Warenkorb" button of a product card, sizes, the cart itself.

The cart lives in the conversation's state (a returning customer finds it
again); prices are never stored there, they are read from the catalog each
time the cart is shown or priced. Every payload names its product by SKU and
is checked against the catalog snapshot, so a button from an old carousel for
a product that is gone or a size sold out gets an honest answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from theke.commerce.pricing import QUANTITY_MAX
from theke.commerce.products import Product, format_cents, normalize_size
from theke.commerce.texts import in_size, shop_label, shown_size
from theke.content import Consent, shorten
from theke.dialogue.actions import Subscription
from theke.dialogue.context import TurnContext
from theke.dialogue.state import CartLine
from theke.dialogue.texts import plain_text

__all__ = [
    "CART_LINES_MAX",
    "add",
    "choose_size",
    "notify",
    "remove",
    "resize",
    "show",
    "typed",
]

CART_LINES_MAX = 20
RESTOCK_TOPIC = "back_in_stock"
_QUICK_MAX = 13
_SHOW_WORDS = frozenset(
    {"warenkorb", "mein warenkorb", "warenkorb anzeigen", "was ist im warenkorb", "cart",
     "my cart", "show cart", "basket", "korb"}
)  # fmt: skip
_CHECKOUT_WORDS = frozenset(
    {"zur kasse", "kasse", "checkout", "check out", "jetzt bestellen", "bezahlen"}
)


def typed(ctx: TurnContext, words: str) -> str | None:
    """ "warenkorb" or "zur kasse" typed as the whole (normalized) message: the payload it
    stands for."""
    if words in _SHOW_WORDS:
        return "basket"
    if words in _CHECKOUT_WORDS and ctx.state.cart:
        return "checkout"
    return None


def add(ctx: TurnContext, sku: str) -> bool:
    """``theke:cart:<sku>``: into the cart in the customer's size, or ask which size."""
    product = _product(ctx, sku)
    if product is None:
        return _gone(ctx, sku)
    ctx.event("cart.requested", sku=sku)
    _remember(ctx, "viewed", sku)
    size = _known_size(ctx)
    if size is not None and product.stock(size) > 0:
        return _put(ctx, product, size)
    if not product.in_stock:
        _sold_out(ctx, product, size or "*", "cart_sold_out")
        return True
    if size is not None and size in {entry.size for entry in product.sizes}:
        _say(ctx, "cart_size_sold_out", product, size)
    _ask_size(ctx, product)
    return True


def choose_size(ctx: TurnContext, argument: str) -> bool:
    """``theke:size:<sku>:<size>``: a size tapped for the cart."""
    sku, _, raw = argument.rpartition(":")
    size = normalize_size(raw)
    product = _product(ctx, sku)
    if product is None:
        return _gone(ctx, sku)
    if size is None or size not in {entry.size for entry in product.sizes}:
        _ask_size(ctx, product)  # a size this product does not come in: the choice again
        ctx.answered = True
        return True
    if product.stock(size) <= 0:
        _sold_out(ctx, product, size, "cart_size_sold_out")
        if product.in_stock:
            _ask_size(ctx, product)
        return True
    return _put(ctx, product, size)


def show(ctx: TurnContext) -> bool:
    """``theke:basket``: what is in the cart, with a button to check out and to remove lines."""
    ctx.answered = True
    lines = _priced(ctx)
    if not lines:
        ctx.system("cart_empty")
        return True
    shown = "\n".join(
        f"{n}. {line.quantity}× {product.name_in(ctx.language)}, "
        f"{_size_word(ctx)} {line.size} – {_cents(ctx, product, _line_cents(line, product))}"
        for n, (line, product) in enumerate(lines, start=1)
    )
    subtotal = sum(_line_cents(line, product) for line, product in lines)
    replies = [("checkout", "theke:checkout")]
    for n, (line, _) in enumerate(lines[: (_QUICK_MAX - 1) // 2], start=1):
        target = f"{line.sku}:{line.size}"
        replies.append(
            (shop_label("remove", ctx.language, ctx.address, n=n), f"theke:remove:{target}")
        )
        replies.append(
            (shop_label("resize", ctx.language, ctx.address, n=n), f"theke:resize:{target}")
        )
    ctx.system("cart_show", replies, lines=shown, subtotal=_cents(ctx, lines[0][1], subtotal))
    return True


def remove(ctx: TurnContext, argument: str) -> bool:
    """``theke:remove:<sku>:<size>``."""
    sku, _, size = argument.rpartition(":")
    kept = tuple(line for line in ctx.state.cart if (line.sku, line.size) != (sku, size))
    if len(kept) == len(ctx.state.cart):
        return show(ctx)  # removed already (a double tap): the cart as it is
    ctx.set_state(cart=kept, checkout=None)
    ctx.event("cart.removed", sku=sku, size=size)
    product = _product(ctx, sku)
    name = product.name_in(ctx.language) if product is not None else sku
    ctx.system("cart_removed", product=name, size=size)
    return show(ctx)


def resize(ctx: TurnContext, argument: str) -> bool:
    """``theke:resize:<sku>:<size>``: the line comes out, and the sizes in stock are offered."""
    sku, _, size = argument.rpartition(":")
    product = _product(ctx, sku)
    if product is None:
        return _gone(ctx, sku)
    kept = tuple(line for line in ctx.state.cart if (line.sku, line.size) != (sku, size))
    ctx.set_state(cart=kept, checkout=None)
    ctx.event("cart.resize", sku=sku, size=size)
    if not product.in_stock:
        _sold_out(ctx, product, "*", "cart_sold_out")
        return True
    _ask_size(ctx, product)
    return True


def notify(ctx: TurnContext, argument: str) -> bool:
    """``theke:notify:<sku>:<size>`` ("*": any size): tell the customer once when it is back."""
    sku, _, size = argument.rpartition(":")
    product = _product(ctx, sku)
    if product is None:
        return _gone(ctx, sku)
    size = "*" if size == "*" else normalize_size(size) or "*"
    data: dict[str, Any] = {
        "product": product.name,
        "sku": sku,
        "size": None if size == "*" else size,
    }
    ctx.subscriptions.append(Subscription(RESTOCK_TOPIC, f"{sku}:{size}", data))
    ctx.event("postback", payload="notify")
    ctx.answered = True
    name = product.name_in(ctx.language)
    values = {"product": name, "size": in_size(size, ctx.language)}
    text = plain_text("cart_notify_confirmed", ctx.language, ctx.address, **values)
    ctx.event("response", key="cart_notify_confirmed", builtin=True, language=ctx.language)
    # Messenger asks for its Marketing Messages opt-in too: after 24 hours only that
    # permission lets the message through. Other channels show the text alone.
    title = shorten(shop_label("notify_title", ctx.language, ctx.address, product=name), 65)
    ctx.send([Consent(text=text, title=title, topic=RESTOCK_TOPIC)], render=False)
    return True


def _put(ctx: TurnContext, product: Product, size: str) -> bool:
    cart = list(ctx.state.cart)
    at = next(
        (i for i, line in enumerate(cart) if (line.sku, line.size) == (product.sku, size)), None
    )
    if at is not None:
        quantity = min(cart[at].quantity + 1, QUANTITY_MAX, product.stock(size))
        cart[at] = replace(cart[at], quantity=quantity)
    elif len(cart) >= CART_LINES_MAX:
        ctx.system("cart_full", max=str(CART_LINES_MAX))
        ctx.answered = True
        return True
    else:
        cart.append(CartLine(product.sku, size, 1))
    ctx.set_state(cart=tuple(cart), checkout=None)  # a changed cart needs a new summary
    ctx.event("cart.added", sku=product.sku, size=size)
    _remember(ctx, "carted", product.sku)
    if not ctx.customer.get("size"):
        ctx.remember("size", size)
    ctx.answered = True
    replies = [("checkout", "theke:checkout"), ("show_cart", "theke:basket"),
               ("keep_shopping", "theke:dismiss")]  # fmt: skip
    name = product.name_in(ctx.language)
    ctx.system(
        "cart_added",
        replies,
        product=name,
        size=shown_size(size, ctx.language),
        summary=_summary(ctx),
    )
    return True


def _ask_size(ctx: TurnContext, product: Product) -> None:
    sizes = product.in_stock[:_QUICK_MAX]
    replies = [
        (shown_size(size, ctx.language), f"theke:size:{product.sku}:{size}") for size in sizes
    ]
    ctx.system("cart_which_size", replies, product=product.name_in(ctx.language))
    ctx.answered = True


def _sold_out(ctx: TurnContext, product: Product, size: str, key: str) -> None:
    """Sold out: offer to tell the customer when it is back, and show similar ones in stock."""
    from theke.commerce.cards import product_carousel
    from theke.commerce.recommend import similar
    from theke.commerce.search import Hit

    ctx.event("cart.sold_out", sku=product.sku, size=size)
    ctx.answered = True
    notify_payload = f"theke:notify:{product.sku}:{size}"
    values = {"product": product.name_in(ctx.language), "size": shown_size(size, ctx.language)}
    ctx.system(key, [("notify", notify_payload), ("no_thanks", "theke:dismiss")], **values)
    ctx.set_state(offer=None)
    if ctx.catalog is None:
        return
    found = similar(ctx.catalog, product, size=None if size == "*" else size, limit=5)  # type: ignore[arg-type]
    if found:
        ctx.system("cart_similar")
        hits = [Hit(product=item, sizes_in_stock=item.in_stock, score=0.0) for item in found]
        ctx.send([product_carousel(hits, ctx.language)], render=False)


def _say(ctx: TurnContext, key: str, product: Product, size: str) -> None:
    ctx.system(key, product=product.name_in(ctx.language), size=shown_size(size, ctx.language))


def _gone(ctx: TurnContext, sku: str) -> bool:
    ctx.event("cart.unknown_product", sku=sku[:64])
    ctx.system("cart_product_gone")
    ctx.answered = True
    return True


def _priced(ctx: TurnContext) -> list[tuple[CartLine, Product]]:
    """The cart's lines with their products; lines of products gone are dropped (and said)."""
    kept: list[tuple[CartLine, Product]] = []
    for line in ctx.state.cart:
        product = _product(ctx, line.sku)
        if product is None:
            ctx.system("cart_dropped", product=line.sku, size=line.size)
            continue
        kept.append((line, product))
    if len(kept) != len(ctx.state.cart):
        ctx.set_state(cart=tuple(line for line, _ in kept))
    return kept


def _summary(ctx: TurnContext) -> str:
    lines = (
        [(line, ctx.catalog.product(line.sku)) for line in ctx.state.cart] if ctx.catalog else []
    )
    count = sum(line.quantity for line, product in lines if product is not None)
    total = sum(p.price_cents * line.quantity for line, p in lines if p is not None)
    currency = next((p.currency for _, p in lines if p is not None), "EUR")
    money = format_cents(total, currency, ctx.language)
    if ctx.language.startswith("de"):
        return f"{count} Artikel, {money}"
    return f"{count} item{'s' * (count != 1)}, {money}"


def _product(ctx: TurnContext, sku: str) -> Product | None:
    if ctx.catalog is None or not sku:
        return None
    found = ctx.catalog.product(sku)
    return found if isinstance(found, Product) else None


def _known_size(ctx: TurnContext) -> str | None:
    """The size the customer gave in this conversation, else the one remembered."""
    from theke.commerce.recommend import Taste

    value = ctx.state.slots.get("size")
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        size = normalize_size(value if isinstance(value, str) else float(value))
        if size is not None:
            return size
    return Taste.from_profile(ctx.customer).size


def _remember(ctx: TurnContext, key: str, sku: str) -> None:
    before = ctx.customer.get(key)
    items = [item for item in before if item != sku] if isinstance(before, list) else []
    ctx.remember(key, [sku, *items][:20])


def _line_cents(line: CartLine, product: Product) -> int:
    return product.price_cents * line.quantity


def _cents(ctx: TurnContext, product: Product, cents: int) -> str:
    return format_cents(cents, product.currency, ctx.language)


def _size_word(ctx: TurnContext) -> str:
    return "Größe" if ctx.language.startswith("de") else "size"
