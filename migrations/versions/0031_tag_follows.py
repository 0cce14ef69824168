"""tag follows: a member's level (watching, normal, muted) on a tag;
announcement categories: where an announcement is pinned besides its own category

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 14:20:16.463708
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tag_follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.Column(
            "level",
            sa.Enum("watching", "normal", "muted", name="level", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_tag_follows_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["tags.id"], name=op.f("fk_tag_follows_tag_id_tags"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tag_follows_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tag_follows")),
        sa.UniqueConstraint("member_id", "tag_id", name=op.f("uq_tag_follows_member_id_tag_id")),
    )
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.create_index("ix_tag_follows_tag", ["tag_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_tag_follows_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "announcement_categories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("announcement_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announcement_id"],
            ["announcements.id"],
            name=op.f("fk_announcement_categories_announcement_id_announcements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_announcement_categories_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_announcement_categories_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement_categories")),
        sa.UniqueConstraint(
            "announcement_id",
            "category_id",
            name=op.f("uq_announcement_categories_announcement_id_category_id"),
        ),
    )
    with op.batch_alter_table("announcement_categories", schema=None) as batch_op:
        batch_op.create_index("ix_announcement_categories_category", ["category_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_announcement_categories_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("announcement_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_announcement_categories_tenant_id"))
        batch_op.drop_index("ix_announcement_categories_category")

    op.drop_table("announcement_categories")
    with op.batch_alter_table("tag_follows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tag_follows_tenant_id"))
        batch_op.drop_index("ix_tag_follows_tag")

    op.drop_table("tag_follows")
