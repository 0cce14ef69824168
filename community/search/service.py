"""Search for the rest of the app: which engine, a viewer's search, a tenant's settings,
and rebuilding a tenant's index.

`engine_for(settings)` picks the engine from the database URL: FTS5 on SQLite, the
PostgreSQL engine (`community.search.postgres`) on PostgreSQL. Code that runs in a session
reaches the engine of that session's database with `engine_of(session)`; the app and the
worker `use` theirs at start, so the services, tasks and CLI all share one.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from community.config import Settings
from community.db import after_commit, session_scope
from community.errors import NotFound
from community.forums.models import Category, Thread, Visibility
from community.scope import Scope
from community.search.documents import build_documents
from community.search.models import SearchSettingsRow
from community.search.port import (
    SearchDocument,
    SearchEngine,
    SearchQuery,
    SearchResults,
    SearchSettings,
)
from community.search.text import words
from community.tenancy.models import Tenant

log = logging.getLogger(__name__)

REINDEX_BATCH = 200
MAX_LIMIT = 100
_ENGINES: dict[str, SearchEngine] = {}  # by database URL


class Unavailable:
    """What PostgreSQL searches with until its engine exists: nothing found, nothing kept
    (once it exists, `parvis search reindex` builds the index)."""

    name = "unavailable"

    async def search(self, tenant_id: int, query: SearchQuery, *, locale: str) -> SearchResults:
        return SearchResults((), 0)

    async def index(self, docs: Any) -> None:
        return None

    async def remove(self, tenant_id: int, thread_ids: Any) -> None:
        return None

    async def configure(self, tenant_id: int, settings: SearchSettings) -> None:
        return None

    async def reset(self, tenant_id: int) -> None:
        return None


def _url(settings_or_url: Settings | str) -> str:
    return settings_or_url if isinstance(settings_or_url, str) else settings_or_url.database_url


def engine_for(settings: Settings | str) -> SearchEngine:
    """The engine for this database (settings or its URL), made once per URL."""
    url = _url(settings)
    if url in _ENGINES:
        return _ENGINES[url]
    engine: SearchEngine
    if url.startswith("sqlite"):
        from community.search.sqlite import SqliteEngine

        engine = SqliteEngine(url)
    else:
        engine = _postgres(url)
    return _ENGINES.setdefault(url, engine)


def _postgres(url: str) -> SearchEngine:
    try:
        module = importlib.import_module("community.search.postgres")
    except ImportError:
        log.warning(
            "search: no PostgreSQL engine (community.search.postgres) in this build; "
            "searches find nothing until one is installed and `parvis search reindex` runs"
        )
        return Unavailable()
    engine: SearchEngine = module.PostgresEngine(url)
    return engine


def use(settings: Settings | str, engine: SearchEngine) -> None:
    """Make `engine` the one this database's sessions search with (another engine than
    the default, e.g. Meilisearch, or a test's)."""
    _ENGINES[_url(settings)] = engine


def engine_of(session: AsyncSession) -> SearchEngine:
    bind = session.get_bind()
    return engine_for(bind.engine.url.render_as_string(hide_password=False))


def engine_of_sessions(sessions: async_sessionmaker[AsyncSession]) -> SearchEngine:
    bind = sessions.kw["bind"]
    return engine_for(bind.url.render_as_string(hide_password=False))


# ---- searching ------------------------------------------------------------------------------


async def visible_category_ids(scope: Scope) -> tuple[int, ...]:
    """The categories whose threads the scope's member may read: every one of the tenant
    today (only published threads are indexed at all)."""
    found = await scope.db.scalars(select(Category.id).order_by(Category.id))
    return tuple(found)


async def search(scope: Scope, query: SearchQuery) -> SearchResults:
    """The tenant's threads that match, among those the viewer may read."""
    visible = await visible_category_ids(scope)
    wanted = tuple(c for c in query.category_ids if c in visible) if query.category_ids else visible
    if not wanted:
        return SearchResults((), 0)
    bounded = replace(
        query,
        category_ids=wanted,
        offset=max(0, query.offset),
        limit=max(1, min(query.limit, MAX_LIMIT)),
    )
    return await engine_of(scope.db).search(scope.tenant_id, bounded, locale=scope.tenant.locale)


# ---- the tenant's words ---------------------------------------------------------------------


async def settings(scope: Scope) -> SearchSettings:
    row = await scope.db.scalar(scope.select(SearchSettingsRow))
    if row is None:
        return SearchSettings()
    return SearchSettings(tuple(tuple(group) for group in row.synonyms), tuple(row.stop_words))


def cleaned(wanted: SearchSettings) -> SearchSettings:
    """Synonym groups of two words or more, stop words that are words, each once, as typed."""
    groups = []
    for group in wanted.synonyms:
        members = list(dict.fromkeys(" ".join(w.split()) for w in group if words(w)))
        if len(members) > 1:
            groups.append(tuple(members))
    stops = tuple(dict.fromkeys(w.strip().lower() for w in wanted.stop_words if words(w)))
    return SearchSettings(tuple(groups), stops)


async def configure(scope: Scope, wanted: SearchSettings) -> SearchSettings:
    """Store the tenant's synonyms and stop words; the engine hears of them once stored."""
    chosen = cleaned(wanted)
    row = await scope.db.scalar(scope.select(SearchSettingsRow))
    if row is None:
        row = SearchSettingsRow(tenant_id=scope.tenant_id)
        scope.db.add(row)
    row.synonyms = [list(group) for group in chosen.synonyms]
    row.stop_words = list(chosen.stop_words)
    await scope.db.flush()
    engine, tenant_id = engine_of(scope.db), scope.tenant_id

    async def tell_engine() -> None:
        await engine.configure(tenant_id, chosen)

    after_commit(scope.db, tell_engine)
    return chosen


# ---- rebuilding -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TenantToIndex:
    id: int
    slug: str
    threads: int  # how many threads the rebuild will look at


async def tenants_to_reindex(
    sessions: async_sessionmaker[AsyncSession], slug: str = ""
) -> list[TenantToIndex]:
    """One tenant (by slug) or every tenant, with how many threads each has to index."""
    async with session_scope(sessions) as session:  # unbound: a look over every tenant
        query = (
            select(Tenant.id, Tenant.slug, func.count(Thread.id))
            .outerjoin(Thread, (Thread.tenant_id == Tenant.id) & _indexable())
            .group_by(Tenant.id, Tenant.slug)
            .order_by(Tenant.id)
        )
        if slug:
            query = query.where(Tenant.slug == slug)
        found = [TenantToIndex(*row) for row in (await session.execute(query)).all()]
    if slug and not found:
        raise NotFound(f"no tenant with slug {slug!r}")
    return found


Progress = Callable[[int], None]


async def reindex(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: int,
    progress: Progress | None = None,
    engine: SearchEngine | None = None,
) -> int:
    """Forget the tenant's index and build it again from the database; `progress` hears
    how many threads each batch held. Returns how many documents were indexed."""
    engine = engine or engine_of_sessions(sessions)
    async with session_scope(sessions) as session:
        scope = await Scope.load(session, tenant_id)
        engine_settings = await settings(scope)
        ids = list(await session.scalars(_indexable_threads()))
    await engine.reset(tenant_id)
    await engine.configure(tenant_id, engine_settings)
    indexed = 0
    for start in range(0, len(ids), REINDEX_BATCH):
        batch = ids[start : start + REINDEX_BATCH]
        documents = await _documents(sessions, tenant_id, batch)
        if documents:
            await engine.index(documents)
        indexed += len(documents)
        if progress is not None:
            progress(len(batch))
    return indexed


def _indexable() -> ColumnElement[bool]:
    return Thread.deleted_at.is_(None) & (Thread.visibility == Visibility.PUBLISHED)


def _indexable_threads() -> Select[int]:
    return select(Thread.id).where(_indexable()).order_by(Thread.id)


async def _documents(
    sessions: async_sessionmaker[AsyncSession], tenant_id: int, thread_ids: list[int]
) -> list[SearchDocument]:
    async with session_scope(sessions) as session:
        built = await build_documents(await Scope.load(session, tenant_id), thread_ids)
    return built.documents


def rate(count: int, started: float) -> float:
    """Documents per second since `started` (time.monotonic())."""
    return count / max(time.monotonic() - started, 1e-6)
