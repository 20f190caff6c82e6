"""Orders taken in the chat, with their items.

An order is placed once per checkout: its ``checkout_key`` is unique, so a
double tap on the order button or a turn retried after a crash finds the
order the first attempt created (:func:`place` says whether it is new).
Order numbers are the shop's prefix and six random digits ("SC-123456"):
short enough to type, not guessable in sequence.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, or_, select, update

from theke.store.schema import order_items, orders, utcnow

__all__ = [
    "NewOrder",
    "Order",
    "OrderLine",
    "by_checkout_key",
    "by_number",
    "by_payment_ref",
    "changed",
    "for_customer",
    "get",
    "lapsed",
    "lock",
    "place",
    "update_order",
]

_NUMBER_TRIES = 20


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One line of an order: pairs of one size of one product, at the price of the day."""

    sku: str
    size: str
    name: str
    quantity: int
    unit_cents: int

    @property
    def total_cents(self) -> int:
        return self.quantity * self.unit_cents

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "size": self.size,
            "name": self.name,
            "quantity": self.quantity,
            "unit_cents": self.unit_cents,
        }


@dataclass(frozen=True, slots=True)
class NewOrder:
    """What checkout decided; the store adds the id, the number and the times."""

    checkout_key: str
    customer_id: str
    conversation_id: str
    channel: str
    language: str
    payment_method: str
    currency: str
    lines: tuple[OrderLine, ...]
    subtotal_cents: int
    shipping_cents: int
    vat_cents: int
    total_cents: int
    fulfilment: str  # "delivery" or "pickup"
    prefix: str
    address: Mapping[str, Any] | None = None
    email: str | None = None
    source: Mapping[str, Any] | None = None
    pay_until: datetime | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    number: str
    checkout_key: str
    customer_id: str
    conversation_id: str
    channel: str
    language: str
    status: str
    payment_method: str
    payment_status: str
    payment_ref: str | None
    payment_url: str | None
    currency: str
    subtotal_cents: int
    shipping_cents: int
    vat_cents: int
    total_cents: int
    fulfilment: str
    address: Mapping[str, Any] | None
    email: str | None
    source: Mapping[str, Any] | None
    reserved: bool
    pay_until: datetime | None
    data: Mapping[str, Any]
    created_at: datetime
    updated_at: datetime
    lines: tuple[OrderLine, ...] = ()


def place(conn: Connection, new: NewOrder) -> tuple[Order, bool]:
    """Store ``new``, or find the order of its checkout; returns the order and whether it is new."""
    existing = _one(conn, orders.c.checkout_key == new.checkout_key)
    if existing is not None:
        return existing, False
    now = utcnow()
    order_id = uuid.uuid4().hex
    conn.execute(
        orders.insert().values(
            id=order_id,
            number=_free_number(conn, new.prefix),
            checkout_key=new.checkout_key,
            customer_id=new.customer_id,
            conversation_id=new.conversation_id,
            channel=new.channel,
            language=new.language,
            status="placed",
            payment_method=new.payment_method,
            payment_status="pending",
            currency=new.currency,
            subtotal_cents=new.subtotal_cents,
            shipping_cents=new.shipping_cents,
            vat_cents=new.vat_cents,
            total_cents=new.total_cents,
            fulfilment=new.fulfilment,
            address=dict(new.address) if new.address is not None else None,
            email=new.email,
            source=dict(new.source) if new.source is not None else None,
            reserved=True,
            pay_until=new.pay_until,
            data=dict(new.data),
            created_at=now,
            updated_at=now,
        )
    )
    conn.execute(
        order_items.insert(),
        [
            {"order_id": order_id, "position": position, **line.to_json()}
            for position, line in enumerate(new.lines)
        ],
    )
    order = get(conn, order_id)
    assert order is not None  # noqa: S101 - written just now, in this transaction
    return order, True


def get(conn: Connection, order_id: str) -> Order | None:
    return _one(conn, orders.c.id == order_id)


def lock(conn: Connection, order_id: str) -> Order | None:
    """The order as it is now, its row locked until the transaction ends (PostgreSQL; SQLite
    writers are one at a time anyway): a payment and a lapse at once cannot both act."""
    query = select(orders).where(orders.c.id == order_id)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = _with_lines(conn, list(conn.execute(query).mappings()))
    return found[0] if found else None


def by_number(conn: Connection, number: str) -> Order | None:
    """The order of a number as a customer or the shop writes it ("sc 123456" too)."""
    wanted = "".join(number.split()).upper()
    found = _one(conn, orders.c.number == wanted)
    if found is None and "-" not in wanted:  # "SC123456" for "SC-123456"
        split = next((i for i, char in enumerate(wanted) if char.isdigit()), 0)
        found = _one(conn, orders.c.number == f"{wanted[:split]}-{wanted[split:]}")
    return found


def by_checkout_key(conn: Connection, key: str) -> Order | None:
    return _one(conn, orders.c.checkout_key == key)


def by_payment_ref(conn: Connection, ref: str) -> Order | None:
    return _one(conn, orders.c.payment_ref == ref)


def for_customer(conn: Connection, customer_id: str, limit: int = 20) -> list[Order]:
    """The customer's orders, newest first."""
    query = (
        select(orders)
        .where(orders.c.customer_id == customer_id)
        .order_by(orders.c.created_at.desc(), orders.c.id)
        .limit(limit)
    )
    return _with_lines(conn, list(conn.execute(query).mappings()))


def changed(
    conn: Connection, since: datetime | None, after: tuple[datetime, str] | None, limit: int
) -> list[Order]:
    """Orders changed at or after ``since``, oldest change first; ``after`` continues a page
    from the last order's (updated_at, id)."""
    query = select(orders).order_by(orders.c.updated_at, orders.c.id).limit(limit)
    if since is not None:
        query = query.where(orders.c.updated_at >= since)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(orders.c.updated_at > at, and_(orders.c.updated_at == at, orders.c.id > last_id))
        )
    return _with_lines(conn, list(conn.execute(query).mappings()))


def lapsed(conn: Connection, now: datetime, limit: int = 100) -> list[Order]:
    """Unpaid online orders whose time to pay is over, still holding stock."""
    query = (
        select(orders)
        .where(
            orders.c.reserved.is_(True),
            orders.c.payment_status == "pending",
            orders.c.pay_until.is_not(None),
            orders.c.pay_until < now,
        )
        .order_by(orders.c.pay_until)
        .limit(limit)
    )
    return _with_lines(conn, list(conn.execute(query).mappings()))


def update_order(conn: Connection, order_id: str, **values: Any) -> Order:
    """Change columns of an order (``data`` is merged); returns it as it is now."""
    data = values.pop("data", None)
    if data is not None:
        current = get(conn, order_id)
        values["data"] = {**(current.data if current else {}), **data}
    conn.execute(
        update(orders).where(orders.c.id == order_id).values(updated_at=utcnow(), **values)
    )
    order = get(conn, order_id)
    if order is None:
        raise LookupError(f"no order {order_id}")
    return order


def _free_number(conn: Connection, prefix: str) -> str:
    for _ in range(_NUMBER_TRIES):
        number = f"{prefix}{secrets.randbelow(900_000) + 100_000}"
        if conn.execute(select(orders.c.id).where(orders.c.number == number)).first() is None:
            return number
    number = f"{prefix}{secrets.randbelow(90_000_000) + 10_000_000}"  # a full range: longer
    return number


def _one(conn: Connection, where: Any) -> Order | None:
    found = _with_lines(conn, list(conn.execute(select(orders).where(where)).mappings()))
    return found[0] if found else None


def _with_lines(conn: Connection, rows: Sequence[RowMapping]) -> list[Order]:
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    lines: dict[str, list[OrderLine]] = {}
    found = conn.execute(
        select(order_items).where(order_items.c.order_id.in_(ids)).order_by(order_items.c.position)
    ).mappings()
    for item in found:
        lines.setdefault(item["order_id"], []).append(
            OrderLine(
                sku=item["sku"],
                size=item["size"],
                name=item["name"],
                quantity=int(item["quantity"]),
                unit_cents=int(item["unit_cents"]),
            )
        )
    return [_order(row, lines.get(row["id"], [])) for row in rows]


def _order(row: RowMapping, lines: Sequence[OrderLine]) -> Order:
    values = {name: row[name] for name in Order.__dataclass_fields__ if name != "lines"}
    values["data"] = dict(row["data"] or {})
    values["reserved"] = bool(row["reserved"])
    return Order(**values, lines=tuple(lines))
