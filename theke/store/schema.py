"""The tables: one place that says what Theke keeps, for both SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

__all__ = [
    "api_tokens",
    "audit_log",
    "bot_versions",
    "canned_responses",
    "catalog_state",
    "conversations",
    "customers",
    "events",
    "identities",
    "inbound_events",
    "inbox_reads",
    "leases",
    "login_attempts",
    "message_search",
    "metadata",
    "order_items",
    "orders",
    "outbox",
    "product_sizes",
    "products",
    "scheduled_jobs",
    "short_payloads",
    "subscriptions",
    "taught_items",
    "user_sessions",
    "users",
    "webchat_messages",
    "webhook_deliveries",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both databases.

    SQLite keeps no zone and no date type: there the value is the text
    ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC (SQLAlchemy's own SQLite format, so
    comparisons in SQL still order correctly), written and read with the C
    ``isoformat`` / ``fromisoformat`` instead of a Python formatter per value.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(32))
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if not isinstance(value, datetime):
            raise TypeError(f"expected a timestamp, got {type(value).__name__}")
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_Id = BigInteger().with_variant(Integer, "sqlite")
# Plain JSON, not JSONB: JSONB refuses the NUL character, and customers may send it.
_Json: Any = JSON()

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=True),
    Column("language", String(16), nullable=True),
    Column("profile", _Json, nullable=False, default=dict),
    # STOP: nothing the shop starts on its own reaches this customer until START.
    Column("opted_out_at", UTCDateTime(), nullable=True),
    # The e-mail address and phone number the profile holds, for the inbox's search.
    Column("email", String(254), nullable=True),
    Column("phone", String(32), nullable=True),
    Index("ix_customers_email", "email"),
    Index("ix_customers_phone", "phone"),
)

identities = Table(
    "identities",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("channel", "external_id"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("key", String(300), nullable=False, unique=True),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("mode", String(8), nullable=False, default="bot"),
    Column("state", _Json, nullable=False, default=dict),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("last_inbound_at", UTCDateTime(), nullable=True),
    # A reply typed in Meta's own inbox pauses the bot until then (mode "human").
    Column("human_until", UTCDateTime(), nullable=True),
    # The platform said the customer cannot be reached here (blocked us, gone).
    Column("unreachable_at", UTCDateTime(), nullable=True),
    # Where the conversation came from: an m.me ref, an ad, a widget page's UTM parameters.
    Column("source", _Json, nullable=True),
    # The inbox agent who has taken the conversation over (mode "human"), if any.
    Column("assigned_to", String(32), ForeignKey("users.id"), nullable=True),
    # What the inbox list shows, kept up to date with each message in and out
    # (``theke.store.threads``): when the newest message was, the customer's newest words,
    # how many messages the customer sent, since when the customer has been waiting for
    # an answer, and when an agent closed it.
    Column("last_message_at", UTCDateTime(), nullable=True),
    Column("preview", String(300), nullable=True),
    Column("inbound_count", Integer, nullable=False, default=0, server_default="0"),
    Column("waiting_since", UTCDateTime(), nullable=True),
    Column("closed_at", UTCDateTime(), nullable=True),
    Index("ix_conversations_mode_last_message_at", "mode", "last_message_at"),
    Index("ix_conversations_assigned_to_last_message_at", "assigned_to", "last_message_at"),
    # The list "newest first": the migration makes it (last_message_at DESC NULLS LAST,
    # id DESC), which the schema comparison reads as these two columns.
    Index("ix_conversations_recent", "last_message_at", "id"),
    Index("ix_conversations_customer_id", "customer_id"),
)

leases = Table(
    "leases",
    metadata,
    Column("key", String(300), primary_key=True),
    Column("owner", String(64), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)

inbound_events = Table(
    "inbound_events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("conversation_key", String(300), nullable=False),
    Column("payload", _Json, nullable=False),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Column("processed_at", UTCDateTime(), nullable=True),
    UniqueConstraint("channel", "external_id"),
    Index("ix_inbound_events_status_key", "status", "conversation_key", "id"),
)

events = Table(
    "events",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("actor", String(16), nullable=False),
    Column("content", _Json, nullable=True),
    Column("data", _Json, nullable=True),
    Column("inbound_id", _Id, nullable=True),
    Column("outbox_id", _Id, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_events_conversation", "conversation_id", "id"),
    Index("ix_events_kind_created", "kind", "created_at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("recipient", String(255), nullable=False),
    Column("content", _Json, nullable=False),
    Column("actor", String(16), nullable=False),
    Column("is_reply", Boolean, nullable=False, default=True),
    Column("purpose", String(16), nullable=True),  # why a non-reply goes out: "reminder"
    Column("data", _Json, nullable=True),  # what fills a WhatsApp template's parameters
    Column("inbound_id", _Id, nullable=True),
    Column("status", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("error_code", String(64), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_outbox_status_next", "status", "next_attempt_at"),
    Index("ix_outbox_conversation", "conversation_id", "id"),
)

webchat_messages = Table(
    "webchat_messages",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("customer_id", String(32), nullable=False),
    Column("sender", String(16), nullable=False),
    Column("content", _Json, nullable=False),
    Column("client_id", String(64), nullable=True),
    Column("outbox_id", _Id, nullable=True, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_webchat_messages_customer", "customer_id", "id"),
)

scheduled_jobs = Table(
    "scheduled_jobs",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("payload", _Json, nullable=False, default=dict),
    Column("run_at", UTCDateTime(), nullable=False),
    Column("status", String(10), nullable=False, default="pending"),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("done_at", UTCDateTime(), nullable=True),
    Index("ix_scheduled_jobs_status_run", "status", "run_at"),
)

# The product catalog. Every write transaction bumps ``catalog_state.seq`` by one and stamps
# the rows it changed with the new value, so a cache can ask for what changed since its seq.
products = Table(
    "products",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("brand", String(100), nullable=True),
    Column("category", String(64), nullable=False),
    Column("price_cents", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("popularity", Float, nullable=False, default=0.0),
    Column("data", _Json, nullable=False, default=dict),
    Column("seq", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Index("ix_products_seq", "seq"),
)

product_sizes = Table(
    "product_sizes",
    metadata,
    Column("sku", String(64), ForeignKey("products.sku"), primary_key=True),
    Column("size", String(16), primary_key=True),
    Column("stock", Integer, nullable=False),
    # Held by orders not paid yet: what customers can buy is stock - reserved.
    Column("reserved", Integer, nullable=False, default=0, server_default="0"),
    Column("seq", BigInteger, nullable=False),
    Index("ix_product_sizes_seq", "seq"),
)

catalog_state = Table(
    "catalog_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
)


subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("conversation_id", String(32), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("topic", String(64), nullable=False),  # "back_in_stock"
    Column("subject", String(200), nullable=False),  # what it is about: "SC-RUN-001:43"
    Column("data", _Json, nullable=False, default=dict),
    Column("status", String(10), nullable=False, default="active"),  # active, sent, withdrawn
    Column("created_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
    Index("ix_subscriptions_topic_subject", "topic", "subject", "status"),
    Index("ix_subscriptions_customer_id", "customer_id", "status"),
)


short_payloads = Table(
    "short_payloads",
    metadata,
    Column("key", String(32), primary_key=True),  # "p:" + 22 url-safe characters of a hash
    Column("payload", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)

optins = Table(
    "optins",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("topic", String(200), nullable=False),  # what the customer agreed to hear about
    Column("token", Text, nullable=False),  # Messenger's notification_messages_token
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("status", String(10), nullable=False, default="active"),  # active, stopped
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("conversation_id", "topic"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("channel", String(32), nullable=False),
    Column("comment_id", String(255), nullable=False),
    Column("post_id", String(255), nullable=False),
    Column("parent_id", String(255), nullable=True),
    Column("author_id", String(255), nullable=False),
    Column("author_name", String(255), nullable=True),
    Column("text", Text, nullable=True),
    Column("status", String(10), nullable=False, default="new"),  # new, edited, removed
    Column("commented_at", UTCDateTime(), nullable=True),
    Column("received_at", UTCDateTime(), nullable=False),
    # The shop's side: open (waits for the bot or an agent), answered, dismissed.
    Column("state", String(10), nullable=False, default="open", server_default="open"),
    Column("answered_at", UTCDateTime(), nullable=True),
    Column("answered_by", String(32), nullable=True),  # a user id, or "bot"
    Column("reply_id", String(255), nullable=True),  # the public reply's id at Meta
    Column("private_replied_at", UTCDateTime(), nullable=True),  # at most one, within 7 days
    Column("rule", String(100), nullable=True),  # what the bot answered with: faq:<id>, keyword
    UniqueConstraint("channel", "comment_id"),
    Index("ix_comments_post", "channel", "post_id"),
    Index("ix_comments_state_received_at", "state", "received_at"),
)

# Orders taken in the chat. ``checkout_key`` makes placing one idempotent: a double tap on
# "zahlungspflichtig bestellen" finds the order the first tap created.
orders = Table(
    "orders",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("number", String(32), nullable=False, unique=True),
    Column("checkout_key", String(100), nullable=False, unique=True),
    Column("customer_id", String(32), ForeignKey("customers.id"), nullable=False),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("channel", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Column("status", String(16), nullable=False),  # placed, paid, shipped, delivered, cancelled
    Column("payment_method", String(16), nullable=False),  # stripe, invoice, prepayment
    Column("payment_status", String(16), nullable=False),  # pending, paid, failed, expired
    Column("payment_ref", String(255), nullable=True),  # the Stripe Checkout Session id
    Column("payment_url", Text, nullable=True),
    Column("currency", String(3), nullable=False),
    Column("subtotal_cents", BigInteger, nullable=False),
    Column("shipping_cents", BigInteger, nullable=False),
    Column("vat_cents", BigInteger, nullable=False),
    Column("total_cents", BigInteger, nullable=False),
    Column("fulfilment", String(10), nullable=False),  # delivery, pickup
    Column("address", _Json, nullable=True),
    Column("email", String(255), nullable=True),
    Column("source", _Json, nullable=True),  # the conversation's attribution
    Column("reserved", Boolean, nullable=False),  # its stock is still held for it
    Column("pay_until", UTCDateTime(), nullable=True),  # an unpaid online payment lapses then
    Column("data", _Json, nullable=False, default=dict),  # carrier, tracking, pickup store
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index("ix_orders_updated", "updated_at", "id"),
    Index("ix_orders_customer", "customer_id", "created_at"),
    Index("ix_orders_payment_ref", "payment_ref"),
)

order_items = Table(
    "order_items",
    metadata,
    Column("order_id", String(32), ForeignKey("orders.id"), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("sku", String(64), nullable=False),
    Column("size", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_cents", BigInteger, nullable=False),
)

# The shop system's API tokens: only a SHA-256 of each is kept.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)

# Events for the shop system (order.created, order.paid, order.cancelled): written in the
# transaction that caused them, POSTed by the worker with retries.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("event_id", String(40), nullable=False, unique=True),
    Column("topic", String(40), nullable=False),
    # Who receives it: "shop" (THEKE_SHOP_WEBHOOK_URL) or "inbox" (THEKE_INBOX_WEBHOOK_URL).
    Column("target", String(10), nullable=False, default="shop", server_default="shop"),
    Column("payload", _Json, nullable=False),
    Column("status", String(10), nullable=False, default="pending"),  # pending, sent, dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_until", UTCDateTime(), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_target_status_next", "target", "status", "next_attempt_at"),
)

# The inbox's people: agents answer conversations, admins also manage the accounts.
users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),  # lower-case, trimmed
    Column("role", String(10), nullable=False),  # admin, agent
    Column("password_hash", Text, nullable=False),  # argon2id
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("password_changed_at", UTCDateTime(), nullable=False),
)

# Signed-in browsers. The id is the SHA-256 of the cookie's token; the token is never kept.
user_sessions = Table(
    "user_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Index("ix_user_sessions_user_id", "user_id"),
)

# Sign-in tries, for rate limiting: key is "email:<lower-case email>" or "ip:<address>".
login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("key", String(300), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_login_attempts_key_at", "key", "at"),
)

# What the inbox's people did (user.login, user.added, ...), newest last.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("user_id", String(32), nullable=True),
    Column("action", String(40), nullable=False),
    Column("target", String(200), nullable=True),
    Column("data", _Json, nullable=True),
    Column("ip", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_audit_log_created_at", "created_at"),
)

# How far each agent has read each conversation: ``conversations.inbound_count`` minus
# ``inbound_seen`` is what is unread for them.
inbox_reads = Table(
    "inbox_reads",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), primary_key=True),
    Column("inbound_seen", Integer, nullable=False),
    Column("read_at", UTCDateTime(), nullable=False),
)

# The text of every message in and out, folded (``theke.nlu.normalize.fold``), for the
# inbox search. The word index over it is dialect-specific and lives outside this
# metadata (``theke.store.search``): an FTS5 table on SQLite, a GIN index on PostgreSQL.
message_search = Table(
    "message_search",
    metadata,
    Column("event_id", _Id, primary_key=True, autoincrement=False),
    Column("conversation_id", String(32), nullable=False),
    Column("body", Text, nullable=False),
)

# Ready-made answers agents insert into the reply box ("/versand" → the shipping text).
canned_responses = Table(
    "canned_responses",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("shortcut", String(40), nullable=False, unique=True),  # lower-case, no spaces
    Column("title", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_by", String(32), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# What agents taught the bot in the inbox: FAQ entries and intent examples, an overlay on
# the bot folder (``theke.inbox.teach``). Rows are never changed, only marked removed.
taught_items = Table(
    "taught_items",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("kind", String(10), nullable=False),  # faq, example
    Column("language", String(16), nullable=False),
    Column("intent", String(100), nullable=True),  # an example's intent
    Column("question", Text, nullable=False),
    Column("answer", Text, nullable=True),  # an FAQ entry's answer
    Column("conversation_id", String(32), nullable=True),  # where it was learnt
    Column("created_by", String(32), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    Column("removed_by", String(32), nullable=True),
)

# Each change of the overlay is a version; "trained" marks the version whose language
# model is ready, which every web and worker process then loads.
bot_versions = Table(
    "bot_versions",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("change", String(20), nullable=False),  # taught, removed, trained
    Column("overlay", Integer, nullable=False),  # the overlay version a "trained" row built
    Column("created_at", UTCDateTime(), nullable=False),
)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
