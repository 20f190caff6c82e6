"""An order as the shop system reads it: in the REST API and in outgoing webhooks."""

from __future__ import annotations

from typing import Any

from theke.store.orders import Order

__all__ = ["order_json"]


def order_json(order: Order) -> dict[str, Any]:
    """The order's public form; amounts in cents of ``currency``, times in ISO 8601 UTC."""
    data = order.data
    return {
        "id": order.id,
        "number": order.number,
        "status": order.status,
        "payment": {
            "method": order.payment_method,
            "status": order.payment_status,
            "reference": order.payment_ref,
        },
        "currency": order.currency,
        "subtotal_cents": order.subtotal_cents,
        "shipping_cents": order.shipping_cents,
        "vat_cents": order.vat_cents,
        "total_cents": order.total_cents,
        "items": [
            {
                "sku": line.sku,
                "size": line.size,
                "name": line.name,
                "quantity": line.quantity,
                "unit_cents": line.unit_cents,
            }
            for line in order.lines
        ],
        "fulfilment": order.fulfilment,
        "pickup_store": data.get("store"),
        "address": dict(order.address) if order.address else None,
        "email": order.email,
        "channel": order.channel,
        "customer_id": order.customer_id,
        "source": dict(order.source) if order.source else None,
        "shipment": {
            "carrier": data.get("carrier"),
            "tracking_number": data.get("tracking_number"),
            "tracking_url": data.get("tracking_url"),
        },
        "created_at": order.created_at.isoformat(),
        "updated_at": order.updated_at.isoformat(),
    }
