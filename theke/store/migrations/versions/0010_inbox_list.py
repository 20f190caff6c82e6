"""The inbox list: each conversation's newest message, unread counts, waiting time,
closing; the message search; ready-made answers; webhooks to the inbox's own receiver.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-09 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)
_KINDS = ("message.in", "postback.in", "message.out")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    utc = _UTC
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("last_message_at", utc, nullable=True))
        batch_op.add_column(sa.Column("preview", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("inbound_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("waiting_since", utc, nullable=True))
        batch_op.add_column(sa.Column("closed_at", utc, nullable=True))
        batch_op.create_index(
            "ix_conversations_mode_last_message_at", ["mode", "last_message_at"], unique=False
        )
        batch_op.create_index(
            "ix_conversations_assigned_to_last_message_at",
            ["assigned_to", "last_message_at"],
            unique=False,
        )
        batch_op.create_index("ix_conversations_customer_id", ["customer_id"], unique=False)
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.add_column(
            sa.Column("target", sa.String(length=10), nullable=False, server_default="shop")
        )
        batch_op.create_index(
            "ix_webhook_deliveries_target_status_next",
            ["target", "status", "next_attempt_at"],
            unique=False,
        )
    # The list "newest first": last_message_at DESC NULLS LAST, id DESC. SQLite puts NULLs
    # last in DESC order anyway, and has no NULLS clause in an index.
    order = "last_message_at DESC" if sqlite else "last_message_at DESC NULLS LAST"
    op.execute(f"CREATE INDEX ix_conversations_recent ON conversations ({order}, id DESC)")
    op.create_table(
        "inbox_reads",
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("inbound_seen", sa.Integer(), nullable=False),
        sa.Column("read_at", utc, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_inbox_reads_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_inbox_reads_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("user_id", "conversation_id", name=op.f("pk_inbox_reads")),
    )
    op.create_table(
        "message_search",
        sa.Column(
            "event_id",
            sa.Integer() if sqlite else sa.BigInteger(),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_message_search")),
    )
    op.create_table(
        "canned_responses",
        sa.Column(
            "id", sa.Integer() if sqlite else sa.BigInteger(), autoincrement=True, nullable=False
        ),
        sa.Column("shortcut", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", utc, nullable=False),
        sa.Column("updated_at", utc, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canned_responses")),
        sa.UniqueConstraint("shortcut", name=op.f("uq_canned_responses_shortcut")),
    )
    if sqlite:
        # A word index kept in step with message_search by triggers (an external-content
        # FTS5 table: the text is stored once).
        op.execute(
            "CREATE VIRTUAL TABLE message_search_fts USING fts5(body, "
            "content='message_search', content_rowid='event_id', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER message_search_ai AFTER INSERT ON message_search BEGIN "
            "INSERT INTO message_search_fts(rowid, body) VALUES (new.event_id, new.body); END"
        )
        op.execute(
            "CREATE TRIGGER message_search_ad AFTER DELETE ON message_search BEGIN "
            "INSERT INTO message_search_fts(message_search_fts, rowid, body) "
            "VALUES ('delete', old.event_id, old.body); END"
        )
    else:
        op.execute(
            "CREATE INDEX ix_message_search_words ON message_search "
            "USING gin (to_tsvector('simple', body))"
        )
    _backfill()


def _backfill() -> None:
    """What the list shows and the search finds, for the messages already in the log."""
    bind = op.get_bind()
    op.execute(
        "UPDATE conversations SET "
        "last_message_at = (SELECT max(e.created_at) FROM events e "
        "WHERE e.conversation_id = conversations.id "
        "AND e.kind IN ('message.in', 'postback.in', 'message.out')), "
        "inbound_count = (SELECT count(*) FROM events e "
        "WHERE e.conversation_id = conversations.id AND e.kind IN ('message.in', 'postback.in'))"
    )
    # Whoever waits for a person now has waited since their last message, at least.
    op.execute(
        "UPDATE conversations SET waiting_since = COALESCE(last_message_at, updated_at) "
        "WHERE mode = 'human' AND human_until IS NULL"
    )
    from theke.content.summary import one_line
    from theke.store.search import indexed_text

    events = sa.table(
        "events",
        sa.column("id"),
        sa.column("conversation_id"),
        sa.column("kind"),
        sa.column("actor"),
        sa.column("content", sa.JSON()),
    )
    search = sa.table(
        "message_search", sa.column("event_id"), sa.column("conversation_id"), sa.column("body")
    )
    conversations = sa.table("conversations", sa.column("id"), sa.column("preview"))
    after = 0
    newest: dict[str, str] = {}  # each conversation's newest customer words
    while True:
        rows = bind.execute(
            sa.select(
                events.c.id,
                events.c.conversation_id,
                events.c.kind,
                events.c.content,
            )
            .where(events.c.id > after, events.c.kind.in_(_KINDS))
            .order_by(events.c.id)
            .limit(5000)
        ).all()
        if not rows:
            break
        found = []
        for row in rows:
            text = one_line(row.content)
            if text:
                found.append(
                    {
                        "event_id": row.id,
                        "conversation_id": row.conversation_id,
                        "body": indexed_text(text),
                    }
                )
                if row.kind != "message.out":
                    newest[row.conversation_id] = text[:300]
        if found:
            bind.execute(search.insert(), found)
        after = rows[-1].id
    if newest:
        bind.execute(
            conversations.update()
            .where(conversations.c.id == sa.bindparam("cid"))
            .values(preview=sa.bindparam("p")),
            [{"cid": cid, "p": text} for cid, text in newest.items()],
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS message_search_ad")
        op.execute("DROP TRIGGER IF EXISTS message_search_ai")
        op.execute("DROP TABLE IF EXISTS message_search_fts")
    with op.batch_alter_table("webhook_deliveries") as batch_op:
        batch_op.drop_index("ix_webhook_deliveries_target_status_next")
        batch_op.drop_column("target")
    op.drop_index("ix_conversations_recent", table_name="conversations")
    op.drop_table("canned_responses")
    op.drop_table("message_search")
    op.drop_table("inbox_reads")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_index("ix_conversations_customer_id")
        batch_op.drop_index("ix_conversations_assigned_to_last_message_at")
        batch_op.drop_index("ix_conversations_mode_last_message_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("waiting_since")
        batch_op.drop_column("inbound_count")
        batch_op.drop_column("preview")
        batch_op.drop_column("last_message_at")
