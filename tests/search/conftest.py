"""The engines the contract suite runs against, and helpers to make documents.

Every engine of the search port passes `test_contract.py`: add a parameter to `engine`
(PostgreSQL, Meilisearch) and the same tests hold it to the same promises.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from community.search import service
from community.search.port import SearchDocument, SearchEngine


def make_engine(kind: str, database_url: str) -> SearchEngine:
    if kind == "sqlite":
        if not database_url.startswith("sqlite"):
            pytest.skip("the SQLite engine needs a SQLite database")
        from community.search.sqlite import SqliteEngine

        return SqliteEngine(database_url)
    raise AssertionError(f"unknown engine {kind}")


@pytest.fixture(params=["sqlite"])
async def engine(request: pytest.FixtureRequest, database_url: str) -> AsyncIterator[SearchEngine]:
    made = make_engine(request.param, database_url)
    service.use(database_url, made)  # the services and the jobs use it too
    yield made
    close = getattr(made, "close", None)
    if close is not None:
        await close()


def doc(
    tenant_id: int, thread_id: int, title: str, body: str = "", **fields: Any
) -> SearchDocument:
    values: dict[str, Any] = {
        "tenant_id": tenant_id,
        "thread_id": thread_id,
        "title": title,
        "slug": f"thread-{thread_id}",
        "kind": "question",
        "category_id": 1,
        "body": body or title,
        "answers": "",
        "best_answers": "",
        "tags": (),
        "resolved": False,
        "certified": False,
        "score": 0,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return SearchDocument(**(values | fields))
