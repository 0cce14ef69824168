"""member sessions: one revocable row per signed-in browser

Replaces Litestar's cookie and Redis sessions: the database is where a session lives, so
logout, bans and role changes end it at once. Sessions signed by the old cookies are not
carried over: members sign in once more after this upgrade.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 14:44:23.436255
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_sessions_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_member_sessions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_member_sessions_token_hash")),
    )
    with op.batch_alter_table("member_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_sessions_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            "ix_member_sessions_tenant_expires", ["tenant_id", "expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_member_sessions_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("member_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_sessions_tenant_id"))
        batch_op.drop_index("ix_member_sessions_tenant_expires")
        batch_op.drop_index(batch_op.f("ix_member_sessions_member_id"))

    op.drop_table("member_sessions")
