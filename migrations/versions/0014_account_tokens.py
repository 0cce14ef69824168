"""account tokens (verify an email, reset a password, change an email); members' language

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "verify_email",
                "reset_password",
                "change_email",
                name="purpose",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("new_email", sa.String(length=320), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_account_tokens_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_account_tokens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    op.create_index(
        "ix_account_tokens_member_purpose", "account_tokens", ["member_id", "purpose"], unique=False
    )
    op.create_index(
        op.f("ix_account_tokens_tenant_id"), "account_tokens", ["tenant_id"], unique=False
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=10), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("locale")
    op.drop_index(op.f("ix_account_tokens_tenant_id"), table_name="account_tokens")
    op.drop_index("ix_account_tokens_member_purpose", table_name="account_tokens")
    op.drop_table("account_tokens")
