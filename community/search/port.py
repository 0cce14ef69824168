"""The search port: what every engine (SQLite FTS5, PostgreSQL, Meilisearch) offers.

Documents are whole threads: the opening post, its answers, tags and status, so one hit is
one thread a member can open. Engines never decide visibility: only published,
non-deleted threads and posts are handed to `index`, and everything else is `remove`d.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol


class SearchSort(enum.StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    VOTES = "votes"


@dataclass(frozen=True, slots=True)
class SearchQuery:
    text: str
    category_ids: tuple[int, ...] = ()
    tags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # ThreadKind values
    resolved: bool | None = None  # has an accepted answer (or an idea is done)
    certified: bool | None = None  # holds an answer certified by staff
    since: date | None = None
    until: date | None = None
    sort: SearchSort = SearchSort.RELEVANCE
    offset: int = 0
    limit: int = 20


@dataclass(frozen=True, slots=True)
class SearchHit:
    thread_id: int
    title: str
    slug: str
    kind: str
    category_id: int
    snippet: str  # HTML-escaped text, matched words wrapped in <mark>
    tags: tuple[str, ...]
    resolved: bool
    certified: bool
    score: int  # votes
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SearchResults:
    hits: tuple[SearchHit, ...]
    total: int
    suggestion: str | None = None  # "did you mean", when the text found little or nothing


@dataclass(frozen=True, slots=True)
class SearchDocument:
    tenant_id: int
    thread_id: int
    title: str
    slug: str
    kind: str
    category_id: int
    body: str  # the opening post, as plain text
    answers: str  # the other published posts, as plain text
    best_answers: str  # accepted and certified answers, weighted above the rest
    tags: tuple[str, ...]
    resolved: bool
    certified: bool
    score: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SearchSettings:
    """A tenant's own words: groups of synonyms (wifi, wi-fi) and stop words."""

    synonyms: tuple[tuple[str, ...], ...] = ()
    stop_words: tuple[str, ...] = field(default=())


class SearchEngine(Protocol):
    name: str

    async def search(self, tenant_id: int, query: SearchQuery, *, locale: str) -> SearchResults:
        """Hits of one tenant only, whatever the query says."""
        ...

    async def index(self, docs: Sequence[SearchDocument]) -> None:
        """Add or replace these threads' documents."""
        ...

    async def remove(self, tenant_id: int, thread_ids: Sequence[int]) -> None: ...

    async def configure(self, tenant_id: int, settings: SearchSettings) -> None: ...

    async def reset(self, tenant_id: int) -> None:
        """Forget every document of the tenant (a reindex starts here)."""
        ...
