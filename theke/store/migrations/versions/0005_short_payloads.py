"""Button payloads too long for a platform (Telegram's callback_data: 64 bytes), by short key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 16:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "short_payloads",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_short_payloads"),
    )


def downgrade() -> None:
    op.drop_table("short_payloads")
