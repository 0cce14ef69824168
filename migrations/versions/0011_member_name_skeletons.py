"""members' name skeletons: display names confusable with another member's are refused

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from community.inputs import name_keys

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name_skeleton", sa.String(length=400), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "name_skeleton_as_written", sa.String(length=400), nullable=False, server_default=""
            )
        )
    members = sa.table(
        "members",
        sa.column("id", sa.Integer),
        sa.column("display_name", sa.String),
        sa.column("name_skeleton", sa.String),
        sa.column("name_skeleton_as_written", sa.String),
    )
    connection = op.get_bind()
    for member_id, display_name in connection.execute(
        sa.select(members.c.id, members.c.display_name)
    ).all():
        folded, as_written = name_keys(display_name)
        connection.execute(
            members.update()
            .where(members.c.id == member_id)
            .values(name_skeleton=folded, name_skeleton_as_written=as_written)
        )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.alter_column("name_skeleton", server_default=None)
        batch_op.alter_column("name_skeleton_as_written", server_default=None)
        batch_op.create_index("ix_members_tenant_name_skeleton", ["tenant_id", "name_skeleton"])
        batch_op.create_index(
            "ix_members_tenant_name_skeleton_as_written", ["tenant_id", "name_skeleton_as_written"]
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_tenant_name_skeleton_as_written")
        batch_op.drop_index("ix_members_tenant_name_skeleton")
        batch_op.drop_column("name_skeleton_as_written")
        batch_op.drop_column("name_skeleton")
