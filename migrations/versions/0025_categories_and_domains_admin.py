"""categories: who may post and archiving; tenant domains: the canonical one

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 13:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.db import UTCDateTime

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "posting",
                sa.Enum("members", "staff", name="posting", native_enum=False, length=20),
                nullable=False,
                server_default="members",
            )
        )
        batch_op.add_column(sa.Column("archived_at", UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("tenant_domains", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("canonical", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("tenant_domains", schema=None) as batch_op:
        batch_op.drop_column("canonical")
    with op.batch_alter_table("categories", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("posting")
