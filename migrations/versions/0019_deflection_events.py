"""deflection events

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deflection_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "shown",
                "opened",
                "solved",
                "posted_anyway",
                name="deflectionkind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("session_key", sa.String(length=32), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_deflection_events_member_id_members"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_deflection_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_deflection_events_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deflection_events")),
        sa.UniqueConstraint(
            "tenant_id",
            "session_key",
            "thread_id",
            "kind",
            name=op.f("uq_deflection_events_tenant_id_session_key_thread_id_kind"),
        ),
    )
    op.create_index(
        "ix_deflection_events_day", "deflection_events", ["tenant_id", "created_at"], unique=False
    )
    op.create_index(
        op.f("ix_deflection_events_tenant_id"), "deflection_events", ["tenant_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_deflection_events_tenant_id"), table_name="deflection_events")
    op.drop_index("ix_deflection_events_day", table_name="deflection_events")
    op.drop_table("deflection_events")
