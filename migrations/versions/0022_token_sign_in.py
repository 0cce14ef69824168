"""signed-token sign-in: settings, used token ids, pending links

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 09:02:22.806200
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "sso_token_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("algorithm", sa.String(length=10), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("jwks_url", sa.String(length=500), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("max_lifetime_seconds", sa.Integer(), nullable=False),
        sa.Column("claims", sa.JSON(), nullable=False),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sso_token_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_token_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_sso_token_settings_tenant_id")),
    )
    with op.batch_alter_table("sso_token_settings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_token_settings_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "sso_token_used_ids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("jti_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sso_token_used_ids_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_token_used_ids")),
        sa.UniqueConstraint(
            "tenant_id", "jti_hash", name=op.f("uq_sso_token_used_ids_tenant_id_jti_hash")
        ),
    )
    with op.batch_alter_table("sso_token_used_ids", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_token_used_ids_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sso_token_used_ids_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "sso_token_pending_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("return_to", sa.String(length=500), nullable=False),
        sa.Column("embedded", sa.Boolean(), nullable=False),
        sa.Column("expires_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_sso_token_pending_links_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sso_token_pending_links_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_token_pending_links")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_sso_token_pending_links_key_hash")),
    )
    with op.batch_alter_table("sso_token_pending_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_token_pending_links_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sso_token_pending_links_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("sso_token_pending_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_token_pending_links_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_sso_token_pending_links_expires_at"))

    op.drop_table("sso_token_pending_links")
    with op.batch_alter_table("sso_token_used_ids", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_token_used_ids_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_sso_token_used_ids_expires_at"))

    op.drop_table("sso_token_used_ids")
    with op.batch_alter_table("sso_token_settings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_token_settings_tenant_id"))

    op.drop_table("sso_token_settings")
