"""covering indexes for leaderboards

Leaderboards over 1,000,000 ledger events read reputation_days through bitmap heap
scans touching nearly every page (benchmarks/leaderboard.py); with the member and the
points included in the index, PostgreSQL answers from the index alone.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reputation_days", schema=None) as batch_op:
        batch_op.drop_index("ix_reputation_days_tenant_day")
        batch_op.drop_index("ix_reputation_days_category_day")
        batch_op.create_index(
            "ix_reputation_days_tenant_day",
            ["tenant_id", "day"],
            postgresql_include=["member_id", "points"],
        )
        batch_op.create_index(
            "ix_reputation_days_tenant_category_day",
            ["tenant_id", "category_id", "day"],
            postgresql_include=["member_id", "points"],
        )


def downgrade() -> None:
    with op.batch_alter_table("reputation_days", schema=None) as batch_op:
        batch_op.drop_index("ix_reputation_days_tenant_category_day")
        batch_op.drop_index("ix_reputation_days_tenant_day")
        batch_op.create_index("ix_reputation_days_category_day", ["category_id", "day"])
        batch_op.create_index("ix_reputation_days_tenant_day", ["tenant_id", "day"])
