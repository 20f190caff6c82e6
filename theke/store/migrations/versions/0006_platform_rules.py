"""Messenger and WhatsApp: the bot paused by a person in Meta's inbox, unreachable
customers, customers who sent STOP, marketing-messages opt-ins, template data on
outgoing messages, and the comments under the shop's posts.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 01:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("human_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unreachable_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.add_column(sa.Column("data", sa.JSON(), nullable=True))
    op.create_table(
        "optins",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_optins_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_optins")),
        sa.UniqueConstraint(
            "conversation_id", "topic", name=op.f("uq_optins_conversation_id_topic")
        ),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("comment_id", sa.String(length=255), nullable=False),
        sa.Column("post_id", sa.String(length=255), nullable=False),
        sa.Column("parent_id", sa.String(length=255), nullable=True),
        sa.Column("author_id", sa.String(length=255), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("commented_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comments")),
        sa.UniqueConstraint("channel", "comment_id", name=op.f("uq_comments_channel_comment_id")),
    )
    op.create_index("ix_comments_post", "comments", ["channel", "post_id"])


def downgrade() -> None:
    op.drop_index("ix_comments_post", table_name="comments")
    op.drop_table("comments")
    op.drop_table("optins")
    with op.batch_alter_table("outbox") as batch_op:
        batch_op.drop_column("data")
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_column("unreachable_at")
        batch_op.drop_column("human_until")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_column("opted_out_at")
