"""Back in stock: the one message each waiting customer asked for, when their size returns.

Called in the transaction that wrote new stock (an import, the shop system's
API, a lapsed order giving its pairs back). A subscription is used up in the
same statement that claims it, so each one gets exactly one message, even
with two writers at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import Connection, select, update

from theke.commerce._records import from_record
from theke.commerce.notices import tell
from theke.commerce.texts import in_size, shop_label, shop_text, shown_size
from theke.content import Button, Buttons, Content, PostbackButton, Text, UrlButton
from theke.store import catalog, conversations
from theke.store.schema import subscriptions

if TYPE_CHECKING:
    from theke.bot.config import BotConfig

__all__ = ["TOPIC", "notify_restocked"]

TOPIC = "back_in_stock"

_log = structlog.get_logger("theke.commerce.restock")


def notify_restocked(conn: Connection, seq: int, config: BotConfig, now: datetime) -> int:
    """Tell the customers waiting for what the write ``seq`` made available; returns how many."""
    available = catalog.restocked(conn, seq)
    if not available:
        return 0
    subjects = {f"{sku}:{size}" for sku, size in available} | {f"{sku}:*" for sku, _ in available}
    waiting = conn.execute(
        select(
            subscriptions.c.id,
            subscriptions.c.conversation_id,
            subscriptions.c.subject,
            subscriptions.c.data,
        ).where(
            subscriptions.c.topic == TOPIC,
            subscriptions.c.status == "active",
            subscriptions.c.subject.in_(sorted(subjects)),
        )
    ).all()
    products = catalog.records(conn, [row.subject.rpartition(":")[0] for row in waiting])
    told = 0
    for row in waiting:
        if not _use_up(conn, row.id, now):
            continue  # another writer told this customer a moment ago
        sku, _, size = row.subject.rpartition(":")
        record = products.get(sku)
        if record is None:
            continue
        told += _tell(conn, row.conversation_id, record, size, config, now)
    if told:
        _log.info("theke.commerce.restock.notified", seq=seq, told=told)
    return told


def _use_up(conn: Connection, subscription_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(subscriptions)
        .where(subscriptions.c.id == subscription_id, subscriptions.c.status == "active")
        .values(status="sent", ended_at=now)
    )
    return bool(result.rowcount)


def _tell(
    conn: Connection,
    conversation_id: str,
    record: Any,
    size: str,
    config: BotConfig,
    now: datetime,
) -> int:
    conversation = conversations.get(conn, conversation_id)
    if conversation is None:
        return 0
    language = _language(conversation.state, config)
    product = from_record(record)
    name = product.name_in(language)
    text = shop_text(TOPIC, language, config.address, product=name, size=in_size(size, language))
    # One message, not a text and a card: past WhatsApp's window each message becomes the
    # approved template, and the customer must get it once.
    buttons: list[Button] = []
    if product.in_stock:
        label = shop_label("add_to_cart", language, config.address)
        target = f"theke:size:{product.sku}:{size}" if size != "*" else f"theke:cart:{product.sku}"
        buttons.append(PostbackButton(title=label, payload=target))
    if product.url:
        buttons.append(UrlButton(title="Details", url=product.url))
    content: Content = Buttons(text=text, buttons=tuple(buttons)) if buttons else Text(text=text)
    data = {"product": name, "size": shown_size(size, language), "sku": product.sku}
    tell(conn, conversation, [content], purpose=TOPIC, now=now, data={**data, "topic": TOPIC})
    return 1


def _language(state: Mapping[str, Any], config: BotConfig) -> str:
    language = state.get("language")
    return language if isinstance(language, str) and language else config.default_language
