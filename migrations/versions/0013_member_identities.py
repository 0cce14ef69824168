"""member identities at identity providers; when a member's email was verified

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_sign_in_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_member_identities_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_member_identities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_identities")),
        sa.UniqueConstraint(
            "tenant_id",
            "issuer",
            "subject",
            name=op.f("uq_member_identities_tenant_id_issuer_subject"),
        ),
    )
    op.create_index(
        op.f("ix_member_identities_member_id"), "member_identities", ["member_id"], unique=False
    )
    op.create_index(
        op.f("ix_member_identities_tenant_id"), "member_identities", ["tenant_id"], unique=False
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_verified_at", community.db.UTCDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("email_verified_at")
    op.drop_index(op.f("ix_member_identities_tenant_id"), table_name="member_identities")
    op.drop_index(op.f("ix_member_identities_member_id"), table_name="member_identities")
    op.drop_table("member_identities")
