"""import records: what a Stack Exchange import brought in, by source id

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-03 12:58:05.508988
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0030"
down_revision: str | None = "0029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "import_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "user",
                "question",
                "answer",
                "comment",
                "vote",
                "tag",
                "badge",
                "link",
                name="sourcekind",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=True),
        sa.Column("post_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=120), nullable=False),
        sa.Column("licence", sa.String(length=40), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("imported_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["post_id"],
            ["posts.id"],
            name=op.f("fk_import_records_post_id_posts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_import_records_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_records")),
        sa.UniqueConstraint(
            "tenant_id",
            "site",
            "kind",
            "source_id",
            name=op.f("uq_import_records_tenant_id_site_kind_source_id"),
        ),
    )
    with op.batch_alter_table("import_records", schema=None) as batch_op:
        batch_op.create_index("ix_import_records_post", ["post_id"], unique=False)
        batch_op.create_index(
            "ix_import_records_source", ["tenant_id", "kind", "source_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_import_records_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("import_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_import_records_tenant_id"))
        batch_op.drop_index("ix_import_records_source")
        batch_op.drop_index("ix_import_records_post")

    op.drop_table("import_records")
