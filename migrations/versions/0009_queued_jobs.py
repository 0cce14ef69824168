"""queued_jobs: jobs kept in the database until they have run (Redis only carries them)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "queued_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("kwargs", sa.JSON(), nullable=False),
        sa.Column("not_before", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_jobs")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("queued_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_queued_jobs_due", ["not_before"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queued_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_queued_jobs_due")
    op.drop_table("queued_jobs")
