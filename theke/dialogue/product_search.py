"""The built-in ``search_products`` action and the product buttons of its cards.

The search reads the standard slots — ``category``, ``brand``, ``color``,
``budget`` (a price range), ``size``, and ``product`` (a model's name, searched as text)
— and a step's ``with:`` may fix any of
them (``with: {category: kids, limit: 5}``). It shows up to ten products in
stock as a carousel, sets ``results`` to how many it found, and remembers
what the customer looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from theke.dialogue.actions import ActionContext
from theke.dialogue.context import TurnContext

__all__ = ["search_products", "show_product", "subscribe_back_in_stock"]

_LIMIT = 10


def search_products(context: ActionContext) -> None:
    from theke.commerce import product_carousel

    if context.catalog is None:
        context.set_slot("results", 0)
        return
    values = {**context.slots, **context.args}
    query = _query(values)
    hits = context.catalog.search(query)
    context.set_slot("results", len(hits))
    _sold_out(context, values, query.size)
    if hits:
        context.say(product_carousel(hits, context.language))
        context.viewed.extend(hit.product.sku for hit in hits[:3])


def _sold_out(context: ActionContext, values: Mapping[str, Any], size: str | None) -> None:
    """A model asked for by name that is sold out (in the size): ``sold_out`` and ``sku`` say
    so, and the flow can offer to tell the customer when it is back."""
    name = str(values.get("product") or "").strip()
    product = _by_name(context, name) if name else None
    if product is None:
        context.set_slot("sold_out", False)
        return
    stock = product.stock(size) if size is not None else sum(s.stock for s in product.sizes)
    context.set_slot("sold_out", stock <= 0)
    context.set_slot("sku", product.sku)


def show_product(ctx: TurnContext, sku: str) -> bool:
    """The "Details" button of a product card."""
    from theke.commerce import product_details

    product = ctx.catalog.product(sku) if ctx.catalog is not None else None
    if product is None:
        return False
    ctx.event("product.viewed", sku=sku)
    ctx.send(product_details(product, ctx.language), render=False)
    if product.in_stock:
        from theke.commerce.texts import shop_label
        from theke.content import QuickReply

        title = shop_label("add_to_cart", ctx.language, ctx.address)
        ctx.offer([QuickReply(title=title, payload=f"theke:cart:{sku}")])
    viewed = [item for item in ctx.customer.get("viewed", []) if item != sku]
    ctx.remember("viewed", [sku, *viewed][:20])
    ctx.answered = True
    return True


def subscribe_back_in_stock(context: ActionContext) -> None:
    """``subscribe``: tell the customer once when the product comes back in their size.

    Reads the slots ``product`` and ``size`` (or ``with: {product: ..., size: ...}``).
    When the catalog has it in stock right now there is nothing to wait for: the slot
    ``in_stock`` says so (and ``sku`` names it), and no subscription is stored.
    """
    values = {**context.slots, **context.args}
    name = str(values.get("product") or "").strip()
    size = _size(values.get("size"))
    product = _by_name(context, name) if name else None
    sku = product.sku if product is not None else None
    in_stock = product is not None and size is not None and product.stock(size) > 0
    context.set_slot("in_stock", in_stock)
    context.set_slot("sku", sku)
    if in_stock or not name:
        return
    topic = str(context.args.get("topic", "back_in_stock"))
    context.subscribe(topic, f"{sku or name}:{size or '*'}", product=name, sku=sku, size=size)


def _by_name(context: ActionContext, name: str) -> Any:
    """The catalog's product of that name (sold-out ones too: those are the point here)."""
    if context.catalog is None:
        return None
    wanted = name.casefold()
    return next(
        (p for p in context.catalog if p.name.casefold() == wanted),
        None,
    )


def _query(values: Mapping[str, Any]) -> Any:
    from theke.commerce import Query

    budget = values.get("budget") or values.get("price")
    low = budget.get("min") if isinstance(budget, Mapping) else None
    high = budget.get("max") if isinstance(budget, Mapping) else None
    size = values.get("size")
    return Query(
        category=_text(values.get("category")),
        brands=_many(values.get("brand")),
        colors=_many(values.get("color")),
        price_min=float(low) if isinstance(low, int | float) else None,
        price_max=float(high) if isinstance(high, int | float) else None,
        size=_size(size),
        text=_text(values.get("query")) or _text(values.get("product")),
        limit=int(values.get("limit") or _LIMIT),
    )


def _text(value: object) -> str | None:
    return str(value) if isinstance(value, str) and value else None


def _many(value: object) -> tuple[str, ...]:
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value if item)
    return ()


def _size(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return f"{float(value):g}"
    return str(value) or None
