"""Personal suggestions in the conversation: "Was empfiehlst du mir?", and on return
"you looked at X recently — still interested?".

The ranking is :mod:`theke.commerce.recommend`'s, from what the customer's
profile remembers (viewed, carted, bought, their size, brands, colours, budget),
with the most popular products for someone the shop does not know yet.
"""

from __future__ import annotations

from theke.commerce.products import Product
from theke.dialogue.context import TurnContext

__all__ = ["recently_viewed", "recommend", "typed"]

_WORDS = frozenset(
    {"empfehlung", "empfehlungen", "was empfiehlst du", "was empfiehlst du mir",
     "was würdest du mir empfehlen", "was passt zu mir", "recommend", "recommendations",
     "recommend something", "what do you recommend"}
)  # fmt: skip
_LIMIT = 5


def typed(words: str) -> bool:
    """Whether the whole (normalized) message asks for suggestions."""
    return words.rstrip("?! ") in _WORDS


def recommend(ctx: TurnContext) -> bool:
    """``theke:recommend``: the best products for this customer as a carousel."""
    from theke.commerce.cards import product_carousel
    from theke.commerce.recommend import Taste
    from theke.commerce.recommend import recommend as rank
    from theke.commerce.search import Hit

    ctx.answered = True
    if ctx.catalog is None:
        ctx.system("recommend_nothing")
        return True
    taste = Taste.from_profile(ctx.customer)
    found = rank(ctx.catalog, taste, limit=_LIMIT)  # type: ignore[arg-type]
    ctx.event("recommendation.shown", personal=not taste.empty, count=len(found))
    if not found:
        ctx.system("recommend_nothing")
        return True
    ctx.system("recommendations")
    hits = [Hit(product=item, sizes_in_stock=item.in_stock, score=0.0) for item in found]
    ctx.send([product_carousel(hits, ctx.language)], render=False)
    return True


def recently_viewed(ctx: TurnContext) -> None:
    """A returning customer who greets: offer the newest product they looked at and did not
    buy, if it is still there (in their size)."""
    product = _recent(ctx)
    if product is None:
        return
    ctx.event("recommendation.recent", sku=product.sku)
    replies = [("still_interested", f"theke:product:{product.sku}"), ("no_thanks", "theke:dismiss")]
    ctx.system("recently_viewed", replies, product=product.name_in(ctx.language))


def _recent(ctx: TurnContext) -> Product | None:
    from theke.commerce.recommend import Taste

    if ctx.catalog is None:
        return None
    bought = ctx.customer.get("bought")
    owned = set(bought) if isinstance(bought, list) else set()
    size = Taste.from_profile(ctx.customer).size
    for key in ("carted", "viewed"):
        items = ctx.customer.get(key)
        for sku in items[:3] if isinstance(items, list) else []:
            if not isinstance(sku, str) or sku in owned:
                continue
            product = ctx.catalog.product(sku)
            if not isinstance(product, Product) or not product.in_stock:
                continue
            if isinstance(size, str) and product.stock(size) <= 0:
                continue
            return product
    return None
