"""brand assets: the logo, favicon and custom stylesheet of a tenant, by content hash

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 12:57:12.906432
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "brand_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("media_type", sa.String(length=40), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_brand_assets_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_assets")),
        sa.UniqueConstraint("tenant_id", "digest", name=op.f("uq_brand_assets_tenant_id_digest")),
    )
    with op.batch_alter_table("brand_assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_brand_assets_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("brand_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_brand_assets_tenant_id"))

    op.drop_table("brand_assets")
