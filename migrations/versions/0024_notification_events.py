"""notifications name their post, actor and event

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 12:40:41.798949
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("post_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("event_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_notifications_member_id_event_key"), ["member_id", "event_key"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_post_id_posts"),
            "posts",
            ["post_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_notifications_actor_id_members"),
            "members",
            ["actor_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_notifications_actor_id_members"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_notifications_post_id_posts"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_notifications_member_id_event_key"), type_="unique")
        batch_op.drop_column("event_key")
        batch_op.drop_column("actor_id")
        batch_op.drop_column("post_id")
