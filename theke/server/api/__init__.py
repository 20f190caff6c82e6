"""The shop system's REST API under ``/api/v1``: products, stock and orders, with API tokens.

Every route needs ``Authorization: Bearer <token>`` (``theke token create NAME``);
errors have the one shape ``{"error": {"code": ..., "message": ...}}``. The
reference is docs/shop-api.md.
"""

from __future__ import annotations

from fastapi import APIRouter

from theke.server.api import orders, products

__all__ = ["PREFIX", "router"]

PREFIX = "/api/v1"

router = APIRouter(prefix=PREFIX)
router.include_router(products.router)
router.include_router(orders.router)
