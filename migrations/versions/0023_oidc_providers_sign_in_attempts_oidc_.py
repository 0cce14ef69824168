"""oidc providers, sign-in attempts, oidc sessions

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 08:55:19.421127
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "oidc_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("client_secret_sealed", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(length=300), nullable=False),
        sa.Column("name_claim", sa.String(length=100), nullable=False),
        sa.Column("customer_id_claim", sa.String(length=100), nullable=False),
        sa.Column("tier_claim", sa.String(length=100), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("sso_only", sa.Boolean(), nullable=False),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_oidc_providers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_providers")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_oidc_providers_tenant_id")),
    )
    with op.batch_alter_table("oidc_providers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oidc_providers_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "sso_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("return_to", sa.String(length=500), nullable=False),
        sa.Column("expires_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=True),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_sso_attempts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sso_attempts")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_sso_attempts_state_hash")),
    )
    with op.batch_alter_table("sso_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sso_attempts_expires_at"), ["expires_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sso_attempts_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "oidc_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("id_token", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["member_sessions.id"],
            name=op.f("fk_oidc_sessions_session_id_member_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_oidc_sessions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oidc_sessions")),
        sa.UniqueConstraint("session_id", name=op.f("uq_oidc_sessions_session_id")),
    )
    with op.batch_alter_table("oidc_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oidc_sessions_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("oidc_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_sessions_tenant_id"))

    op.drop_table("oidc_sessions")
    with op.batch_alter_table("sso_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sso_attempts_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_sso_attempts_expires_at"))

    op.drop_table("sso_attempts")
    with op.batch_alter_table("oidc_providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_providers_tenant_id"))

    op.drop_table("oidc_providers")
