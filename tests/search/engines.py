"""The contract suite's PostgreSQL and Meilisearch engines (tests/search/conftest.py)."""

from __future__ import annotations

import os
import uuid

import pytest

from community.search.meili import MeilisearchEngine
from community.search.port import SearchEngine
from community.search.postgres import PostgresEngine

MEILI_URL = os.environ.get("PARVIS_MEILISEARCH_URL", "")
MEILI_KEY = os.environ.get("PARVIS_MEILISEARCH_KEY", "")
MEILI_SKIPPED = "Meilisearch cannot be installed on this machine: set PARVIS_MEILISEARCH_URL to run"


def make_other_engine(kind: str, database_url: str) -> SearchEngine:
    if kind == "postgresql":
        if not database_url.startswith("postgresql"):
            pytest.skip("the PostgreSQL engine needs PostgreSQL: set PARVIS_TEST_DATABASE_URL")
        return PostgresEngine(database_url)
    if kind == "meilisearch":
        if not MEILI_URL:
            pytest.skip(MEILI_SKIPPED)
        # Tenant ids start again in every test: each test gets indexes of its own.
        return MeilisearchEngine(
            MEILI_URL, MEILI_KEY, index_prefix=f"parvis-test-{uuid.uuid4().hex[:8]}-t"
        )
    raise AssertionError(f"unknown engine {kind}")
