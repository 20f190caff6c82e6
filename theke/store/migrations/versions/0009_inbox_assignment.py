"""The inbox: which agent has taken over a conversation.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.add_column(sa.Column("assigned_to", sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_conversations_assigned_to_users"), "users", ["assigned_to"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch_op:
        batch_op.drop_constraint(op.f("fk_conversations_assigned_to_users"), type_="foreignkey")
        batch_op.drop_column("assigned_to")
