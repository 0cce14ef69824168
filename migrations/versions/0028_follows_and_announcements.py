"""follow levels, category follows, announcements

Revision ID: 0028
Revises: 0026
Create Date: 2026-12-03 12:55:47.213874
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0028"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "category_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("watching", "normal", "muted", name="level", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_category_follows_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_category_follows_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_category_follows_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category_follows")),
        sa.UniqueConstraint(
            "member_id", "category_id", name=op.f("uq_category_follows_member_id_category_id")
        ),
    )
    with op.batch_alter_table("category_follows", schema=None) as batch_op:
        batch_op.create_index("ix_category_follows_category", ["category_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_category_follows_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "follow_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("auto_follow", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_follow_preferences_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_follow_preferences_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_preferences")),
        sa.UniqueConstraint("member_id", name=op.f("uq_follow_preferences_member_id")),
    )
    with op.batch_alter_table("follow_preferences", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_preferences_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "announcements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("pinned_until", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("comments_allowed", sa.Boolean(), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_announcements_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["threads.id"],
            name=op.f("fk_announcements_thread_id_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcements")),
        sa.UniqueConstraint("thread_id", name=op.f("uq_announcements_thread_id")),
    )
    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_announcements_tenant_id"), ["tenant_id"], unique=False)

    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "level",
                sa.Enum("watching", "normal", "muted", name="level", native_enum=False, length=20),
                server_default="watching",
                nullable=False,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("level")

    with op.batch_alter_table("announcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcements_tenant_id"))

    op.drop_table("announcements")
    with op.batch_alter_table("follow_preferences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_preferences_tenant_id"))

    op.drop_table("follow_preferences")
    with op.batch_alter_table("category_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_category_follows_tenant_id"))
        batch_op.drop_index("ix_category_follows_category")

    op.drop_table("category_follows")
