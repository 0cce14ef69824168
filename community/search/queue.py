"""The index queue: which threads' documents must be built again, kept in the database.

Every change that can alter a document writes a `search_queue` row in its own
transaction. One place sees them all: after each flush, the threads of the posts, threads,
ideas and tags that were written (or of the attributes search reads, for rows changed) are
queued, whichever service changed them; bulk UPDATEs, which the session never sees, queue
their thread with `touch` (votes). Once the transaction commits, a `search_index` job
drains the tenant's queue; a lost job is made up for by the sweep (`sweep`), since the rows
stay until an engine has their documents.

The drain takes rows with a lease, as the escalation outbox does: two jobs never index the
same rows at once, and rows a dead job held are taken again once the lease has expired.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, event, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from community.db import session_scope, utcnow
from community.forums.models import Post, Thread
from community.ideas.models import Idea
from community.jobs import JobQueue, enqueue_after_commit
from community.metrics import Backlog, rows_waiting
from community.scope import Scope
from community.search.documents import build_documents
from community.search.models import SearchQueueItem
from community.search.port import SearchEngine
from community.tags.models import ThreadTag

log = logging.getLogger(__name__)

TASK = "search_index"
LEASE_SECONDS = 120.0
BATCH = 200
SWEEP_GRACE_SECONDS = 30.0  # rows this old and not leased had their job lost
PENDING_KEY = "search_tenants"  # session.info: tenants whose queue got rows in this transaction

# The attributes a document is built from, by model; other changes (view counts…) are not
# worth a reindex.
WATCHED: dict[type[Any], tuple[str, ...]] = {
    Post: ("body_html", "public_html", "visibility", "deleted_at", "thread_id", "number"),
    Thread: (
        "title",
        "slug",
        "kind",
        "category_id",
        "visibility",
        "deleted_at",
        "accepted_post_id",
        "certified_post_id",
    ),
    Idea: ("status", "vote_count", "thread_id"),
    ThreadTag: ("thread_id", "tag_id"),
}


def _thread_of(row: Any) -> int | None:
    return row.id if isinstance(row, Thread) else row.thread_id


def _changed(row: Any) -> bool:
    return any(get_history(row, name).has_changes() for name in WATCHED[type(row)])


def _queued(session: Session) -> Iterable[tuple[int | None, int | None, str]]:
    for row in session.new:
        if type(row) in WATCHED:
            yield row.tenant_id, _thread_of(row), f"{row.__tablename__}:new"
    for row in session.dirty:
        if type(row) in WATCHED and _changed(row):
            yield row.tenant_id, _thread_of(row), f"{row.__tablename__}:changed"
    for row in session.deleted:
        if type(row) in WATCHED:
            yield row.tenant_id, _thread_of(row), f"{row.__tablename__}:deleted"


@event.listens_for(Session, "after_flush")
def _queue_changed_threads(session: Session, _flush: UOWTransaction) -> None:
    rows = {
        (tenant_id, thread_id): reason
        for tenant_id, thread_id, reason in _queued(session)
        if tenant_id is not None and thread_id is not None
    }
    if not rows:
        return
    # A Core INSERT on the flush's own connection: the rows are part of the transaction of
    # the change (and of its savepoint), and adding objects during a flush is not allowed.
    session.connection().execute(
        insert(SearchQueueItem),
        [{"tenant_id": t, "thread_id": th, "reason": r} for (t, th), r in sorted(rows.items())],
    )
    session.info.setdefault(PENDING_KEY, set()).update(tenant for tenant, _ in rows)


@event.listens_for(Session, "before_commit")
def _index_after_commit(session: Session) -> None:
    session.flush()  # what the commit would flush now queues its threads before we look
    tenants: set[int] = session.info.pop(PENDING_KEY, set())
    if "jobs" not in session.info:  # a session without a queue: the sweep will do it
        return
    for tenant_id in sorted(tenants):
        enqueue_after_commit(session, TASK, tenant_id=tenant_id)  # type: ignore[arg-type]


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def touch(session: AsyncSession, tenant_id: int, thread_id: int, reason: str) -> None:
    """Queue a thread a bulk UPDATE changed (the session never sees those rows)."""
    session.add(SearchQueueItem(tenant_id=tenant_id, thread_id=thread_id, reason=reason))
    session.info.setdefault(PENDING_KEY, set()).add(tenant_id)


# ---- draining -------------------------------------------------------------------------------


def _free(now: datetime) -> Any:
    return or_(SearchQueueItem.lease_until.is_(None), SearchQueueItem.lease_until < now)


async def _claim(
    sessions: async_sessionmaker[AsyncSession], tenant_id: int, lease_seconds: float
) -> list[tuple[int, int]]:
    """Lease up to BATCH free rows of the tenant: (row id, thread id) of those we won."""
    now = utcnow()
    async with session_scope(sessions) as session:
        ids = list(
            await session.scalars(
                select(SearchQueueItem.id)
                .where(SearchQueueItem.tenant_id == tenant_id, _free(now))
                .order_by(SearchQueueItem.id)
                .limit(BATCH)
            )
        )
        if not ids:
            return []
        won = await session.execute(
            update(SearchQueueItem)
            .where(SearchQueueItem.id.in_(ids), _free(now))
            .values(lease_until=now + timedelta(seconds=lease_seconds))
            .returning(SearchQueueItem.id, SearchQueueItem.thread_id)
            .execution_options(synchronize_session=False)
        )
        return [(row_id, thread_id) for row_id, thread_id in won.all()]


async def drain(
    sessions: async_sessionmaker[AsyncSession],
    engine: SearchEngine,
    tenant_id: int,
    lease_seconds: float = LEASE_SECONDS,
) -> int:
    """Bring the engine up to date with the tenant's queued threads; how many were done.

    No transaction stays open while the engine works (SQLite has one writer, and an
    engine elsewhere may be slow): claim, read, hand to the engine, then delete the rows."""
    done = 0
    while claimed := await _claim(sessions, tenant_id, lease_seconds):
        threads = {thread_id for _, thread_id in claimed}
        async with session_scope(sessions) as session:
            built = await build_documents(await Scope.load(session, tenant_id), threads)
        if built.documents:
            await engine.index(built.documents)
        if built.removed:
            await engine.remove(tenant_id, built.removed)
        async with session_scope(sessions) as session:
            await session.execute(
                delete(SearchQueueItem).where(SearchQueueItem.id.in_([i for i, _ in claimed]))
            )
        done += len(threads)
        if len(claimed) < BATCH:
            break
    return done


async def sweep(
    sessions: async_sessionmaker[AsyncSession], jobs: JobQueue, now: datetime | None = None
) -> int:
    """Enqueue a drain for every tenant whose queue holds rows no job took: lost jobs,
    expired leases. Reads every tenant's queue (an unbound session, on purpose)."""
    now = now or utcnow()
    async with session_scope(sessions) as session:
        tenants = list(
            await session.scalars(
                select(SearchQueueItem.tenant_id)
                .where(
                    _free(now),
                    SearchQueueItem.created_at < now - timedelta(seconds=SWEEP_GRACE_SECONDS),
                )
                .distinct()
            )
        )
    for tenant_id in tenants:
        await jobs.enqueue(TASK, tenant_id=tenant_id)
    return len(tenants)


async def backlog(session: AsyncSession) -> Backlog:
    """The queue on /metrics: threads waiting for their document, and the oldest's age."""
    return await rows_waiting(session, SearchQueueItem.created_at)
