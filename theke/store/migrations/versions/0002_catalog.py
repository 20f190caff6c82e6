"""The product catalog: products, their sizes with stock, and the catalog's sequence number.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "products",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(length=100), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("popularity", sa.Float(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("sku", name=op.f("pk_products")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_seq", ["seq"], unique=False)

    op.create_table(
        "product_sizes",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("size", sa.String(length=16), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sku"], ["products.sku"], name=op.f("fk_product_sizes_sku_products")
        ),
        sa.PrimaryKeyConstraint("sku", "size", name=op.f("pk_product_sizes")),
    )
    with op.batch_alter_table("product_sizes", schema=None) as batch_op:
        batch_op.create_index("ix_product_sizes_seq", ["seq"], unique=False)

    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )


def downgrade() -> None:
    op.drop_table("catalog_state")
    with op.batch_alter_table("product_sizes", schema=None) as batch_op:
        batch_op.drop_index("ix_product_sizes_seq")

    op.drop_table("product_sizes")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_seq")

    op.drop_table("products")
