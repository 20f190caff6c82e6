"""The inbox: answering comments under the shop's posts; what agents teach the bot; the
customers' e-mail address and phone number as columns, for the search.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-10 03:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    ident = sa.Integer() if sqlite else sa.BigInteger()
    with op.batch_alter_table("comments") as batch_op:
        batch_op.add_column(
            sa.Column("state", sa.String(length=10), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("answered_at", _UTC, nullable=True))
        batch_op.add_column(sa.Column("answered_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("reply_id", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("private_replied_at", _UTC, nullable=True))
        batch_op.add_column(sa.Column("rule", sa.String(length=100), nullable=True))
        batch_op.create_index(
            "ix_comments_state_received_at", ["state", "received_at"], unique=False
        )
    with op.batch_alter_table("customers") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=32), nullable=True))
        batch_op.create_index("ix_customers_email", ["email"], unique=False)
        batch_op.create_index("ix_customers_phone", ["phone"], unique=False)
    _backfill_contacts()
    op.create_table(
        "taught_items",
        sa.Column("id", ident, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("intent", sa.String(length=100), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("removed_at", _UTC, nullable=True),
        sa.Column("removed_by", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_taught_items")),
    )
    op.create_table(
        "bot_versions",
        sa.Column("id", ident, autoincrement=True, nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("overlay", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_versions")),
    )


def _backfill_contacts() -> None:
    from theke.store.customers import contact_of

    bind = op.get_bind()
    customers = sa.table(
        "customers",
        sa.column("id"),
        sa.column("profile", sa.JSON()),
        sa.column("email"),
        sa.column("phone"),
    )
    after = ""
    while True:
        rows = bind.execute(
            sa.select(customers.c.id, customers.c.profile)
            .where(customers.c.id > after)
            .order_by(customers.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        found = []
        for row in rows:
            email, phone = contact_of(row.profile if isinstance(row.profile, dict) else {})
            if email or phone:
                found.append({"cid": row.id, "e": email, "p": phone})
        if found:
            bind.execute(
                customers.update()
                .where(customers.c.id == sa.bindparam("cid"))
                .values(email=sa.bindparam("e"), phone=sa.bindparam("p")),
                found,
            )
        after = rows[-1].id


def downgrade() -> None:
    op.drop_table("bot_versions")
    op.drop_table("taught_items")
    with op.batch_alter_table("customers") as batch_op:
        batch_op.drop_index("ix_customers_phone")
        batch_op.drop_index("ix_customers_email")
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
    with op.batch_alter_table("comments") as batch_op:
        batch_op.drop_index("ix_comments_state_received_at")
        batch_op.drop_column("rule")
        batch_op.drop_column("private_replied_at")
        batch_op.drop_column("reply_id")
        batch_op.drop_column("answered_by")
        batch_op.drop_column("answered_at")
        batch_op.drop_column("state")
