"""PostgreSQL full-text search: search_documents and search_words (PostgreSQL only)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 09:00:00

On PostgreSQL: the unaccent, pg_trgm and btree_gist extensions, an immutable unaccent
wrapper (usable in an index), two text search configurations that unaccent before stemming
(parvis_french, parvis_english), the documents table with its weighted tsvector as a
generated column, the words table "did you mean" and misspellings are found in, and the
engine's copy of each tenant's synonyms and stop words. On SQLite nothing: the SQLite
engine keeps its own tables. None of these objects are in the models' metadata:
migrations/env.py keeps them out of autogenerate.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    # unaccent(text) is only STABLE (it depends on search_path); naming the dictionary makes
    # the result depend on its argument alone, so an index may use it.
    """
    CREATE FUNCTION parvis_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, lower($1)) $$
    """,
    "CREATE TEXT SEARCH CONFIGURATION parvis_french (COPY = pg_catalog.french)",
    """
    ALTER TEXT SEARCH CONFIGURATION parvis_french
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, french_stem
    """,
    "CREATE TEXT SEARCH CONFIGURATION parvis_english (COPY = pg_catalog.english)",
    """
    ALTER TEXT SEARCH CONFIGURATION parvis_english
    ALTER MAPPING FOR hword, hword_part, word WITH public.unaccent, english_stem
    """,
    """
    CREATE TABLE search_documents (
        tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        thread_id integer NOT NULL,
        title text NOT NULL,
        slug text NOT NULL,
        kind text NOT NULL,
        category_id integer NOT NULL,
        tags text[] NOT NULL DEFAULT '{}',
        resolved boolean NOT NULL,
        certified boolean NOT NULL,
        score integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        body text NOT NULL,
        answers text NOT NULL,
        best_answers text NOT NULL,
        keywords text NOT NULL,
        config regconfig NOT NULL,
        document tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector(config, title), 'A')
            || setweight(to_tsvector(config, best_answers || ' ' || keywords), 'B')
            || setweight(to_tsvector(config, body), 'C')
            || setweight(to_tsvector(config, answers), 'D')
        ) STORED,
        -- The title, best answers and tags alone: every match is ranked on it (it is
        -- small, and kept in the row), the best hundred then on the whole document.
        head tsvector GENERATED ALWAYS AS (
            setweight(to_tsvector(config, title), 'A')
            || setweight(to_tsvector(config, best_answers || ' ' || keywords), 'B')
        ) STORED,
        CONSTRAINT pk_search_documents PRIMARY KEY (tenant_id, thread_id)
    ) WITH (toast_tuple_target = 256)
    """,
    # Rows stay narrow: the texts and the whole document out of line, what every match is
    # filtered and ranked on in the row. A search matching thousands of threads then reads
    # a few pages per hundred of them, and nothing out of line.
    """
    ALTER TABLE search_documents
    ALTER COLUMN head SET STORAGE MAIN, ALTER COLUMN tags SET STORAGE MAIN,
    ALTER COLUMN title SET STORAGE MAIN
    """,
    "CREATE INDEX ix_search_documents_document ON search_documents USING gin (document)",
    """
    CREATE INDEX ix_search_documents_title_trgm ON search_documents
    USING gin (parvis_unaccent(title) gin_trgm_ops)
    """,
    "CREATE INDEX ix_search_documents_newest ON search_documents (tenant_id, created_at)",
    "CREATE INDEX ix_search_documents_votes ON search_documents (tenant_id, score)",
    """
    CREATE TABLE search_words (
        tenant_id integer NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        word text NOT NULL,
        documents integer NOT NULL DEFAULT 1,
        CONSTRAINT pk_search_words PRIMARY KEY (tenant_id, word)
    )
    """,
    """
    CREATE INDEX ix_search_words_trgm ON search_words
    USING gist (tenant_id, word gist_trgm_ops)
    """,
    # The engine's copy of the tenant's synonyms and stop words (handed to `configure`),
    # read by every search: the query is expanded with them.
    """
    CREATE TABLE search_vocabulary (
        tenant_id integer PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        synonyms jsonb NOT NULL,
        stop_words jsonb NOT NULL
    )
    """,
]

DOWNGRADE = [
    "DROP TABLE IF EXISTS search_vocabulary",
    "DROP TABLE IF EXISTS search_words",
    "DROP TABLE IF EXISTS search_documents",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS parvis_english",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS parvis_french",
    "DROP FUNCTION IF EXISTS parvis_unaccent(text)",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in DOWNGRADE:
        op.execute(statement)
