"""search: the index queue, each tenant's search settings, and SQLite's FTS5 tables

Revision ID: 0018
Revises: 0013
Create Date: 2026-12-03 09:15:00

The FTS5 tables exist on SQLite only (PostgreSQL and Meilisearch keep their own index);
they are left out of autogenerate (`migrations/env.py`, `search_fts` prefix).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import community.db

revision: str = "0018"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_TABLES = (
    """CREATE TABLE search_fts_docs (
        id INTEGER PRIMARY KEY,
        tenant_id INTEGER NOT NULL,
        thread_id INTEGER NOT NULL,
        title TEXT NOT NULL,
        slug TEXT NOT NULL,
        kind TEXT NOT NULL,
        category_id INTEGER NOT NULL,
        tags TEXT NOT NULL,
        resolved INTEGER NOT NULL,
        certified INTEGER NOT NULL,
        score INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (tenant_id, thread_id)
    )""",
    "CREATE INDEX ix_search_fts_docs_tenant_created ON search_fts_docs (tenant_id, created_at)",
    "CREATE VIRTUAL TABLE search_fts_text USING fts5("
    "title, body, answers, best_answers, tags, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE search_fts_trigram USING fts5(text, tokenize = 'trigram')",
    "CREATE VIRTUAL TABLE search_fts_vocab USING fts5vocab(search_fts_text, 'row')",
)
SQLITE_DROPS = ("search_fts_vocab", "search_fts_trigram", "search_fts_text", "search_fts_docs")


def upgrade() -> None:
    op.create_table(
        "search_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", community.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_search_queue_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_queue")),
    )
    op.create_index(
        "ix_search_queue_tenant_lease", "search_queue", ["tenant_id", "lease_until"], unique=False
    )
    op.create_index(op.f("ix_search_queue_tenant_id"), "search_queue", ["tenant_id"], unique=False)
    op.create_table(
        "search_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.Column("stop_words", sa.JSON(), nullable=False),
        sa.Column("updated_at", community.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_search_settings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_settings")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_search_settings_tenant_id")),
    )
    op.create_index(
        op.f("ix_search_settings_tenant_id"), "search_settings", ["tenant_id"], unique=False
    )
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_TABLES:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in SQLITE_DROPS:
            op.execute(f"DROP TABLE IF EXISTS {table}")
    op.drop_index(op.f("ix_search_settings_tenant_id"), table_name="search_settings")
    op.drop_table("search_settings")
    op.drop_index(op.f("ix_search_queue_tenant_id"), table_name="search_queue")
    op.drop_index("ix_search_queue_tenant_lease", table_name="search_queue")
    op.drop_table("search_queue")
