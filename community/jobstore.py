"""The durable half of the job queue: jobs kept in the database until they have run.

A job enqueued inside a unit of work (`community.jobs.enqueue_after_commit`) is a row of
`queued_jobs` written in that same transaction, so it exists exactly when the change that
asked for it was committed. A job enqueued outside any transaction is written here only when
Redis cannot take it. Redis only carries the job's id to a worker quickly; the row is the job.

Running a kept job: `claim` takes a lease (a conditional UPDATE, so two runners never run the
same row at once, and a runner that dies leaves a lease that expires), the task runs, and
the row is deleted in the task's own first commit (`finishing`), so a task that commits once
has its effect exactly once. A task that raises gets the row back with a backoff, and after
MAX_ATTEMPTS attempts the row stays, with its error, for an operator to look at.
"""

from __future__ import annotations

import contextvars
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Index, String, Text, delete, event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, Session, mapped_column

from community.db import Base, session_scope, utcnow
from community.metrics import Backlog, rows_waiting

MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 5.0
RETRY_CAP_SECONDS = 900.0
DUE_BATCH = 500


class QueuedJob(Base):
    """A job that has not run yet. Not tenant-owned: its kwargs name the tenant it works in."""

    __tablename__ = "queued_jobs"
    # AUTOINCREMENT: SQLite would otherwise give a new job the id of one just deleted.
    __table_args__ = (Index("ix_queued_jobs_due", "not_before"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    kwargs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    not_before: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


@dataclass(frozen=True)
class Ticket:
    """A kept job, as a transport carries it."""

    id: int
    name: str
    kwargs: dict[str, Any]
    attempts: int
    defer_by: float

    @classmethod
    def of(cls, row: QueuedJob, now: datetime | None = None) -> Ticket:
        defer_by = max(0.0, (row.not_before - (now or utcnow())).total_seconds())
        return cls(row.id, row.name, dict(row.kwargs), row.attempts, defer_by)


def new_job(name: str, kwargs: dict[str, Any], defer_by: float = 0) -> QueuedJob:
    now = utcnow()
    return QueuedJob(
        name=name,
        kwargs=kwargs,
        not_before=now + timedelta(seconds=defer_by),
        attempts=0,
        last_error="",
        created_at=now,
    )


async def keep(
    sessions: async_sessionmaker[AsyncSession], name: str, kwargs: dict[str, Any], defer_by: float
) -> Ticket:
    """Write a job in its own unit of work (one that no transport could take)."""
    async with session_scope(sessions) as session:
        row = new_job(name, kwargs, defer_by)
        session.add(row)
        await session.flush()
        return Ticket.of(row)


async def claim(
    sessions: async_sessionmaker[AsyncSession], job_id: int, lease_seconds: float
) -> bool:
    """Take the lease on a kept job; False when it is done already, or being run elsewhere."""
    now = utcnow()
    async with session_scope(sessions) as session:
        won = await session.scalar(
            update(QueuedJob)
            .where(QueuedJob.id == job_id, QueuedJob.attempts < MAX_ATTEMPTS)
            .where(or_(QueuedJob.lease_until.is_(None), QueuedJob.lease_until < now))
            .values(
                lease_until=now + timedelta(seconds=lease_seconds), attempts=QueuedJob.attempts + 1
            )
            .returning(QueuedJob.id)
        )
    return won is not None


async def finish(sessions: async_sessionmaker[AsyncSession], job_id: int) -> None:
    async with session_scope(sessions) as session:
        await session.execute(delete(QueuedJob).where(QueuedJob.id == job_id))


async def release(sessions: async_sessionmaker[AsyncSession], job_id: int, error: str) -> None:
    """The task raised: try again later (every row not yet run keeps its lease otherwise)."""
    async with session_scope(sessions) as session:
        row = await session.get(QueuedJob, job_id, with_for_update=True)
        if row is None:  # its first commit had already finished it
            return
        row.lease_until, row.last_error = None, error[:2000]
        row.not_before = utcnow() + timedelta(seconds=retry_delay(row.attempts))


def retry_delay(attempts: int) -> float:
    ceiling = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, attempts - 1))
    delay: float = ceiling * random.uniform(0.5, 1.0)
    return delay


async def due(
    sessions: async_sessionmaker[AsyncSession], grace_seconds: float, now: datetime | None = None
) -> list[Ticket]:
    """Kept jobs that should have run `grace_seconds` ago and that no one is running."""
    now = now or utcnow()
    async with session_scope(sessions) as session:
        rows = await session.scalars(
            select(QueuedJob)
            .where(QueuedJob.not_before <= now - timedelta(seconds=grace_seconds))
            .where(QueuedJob.attempts < MAX_ATTEMPTS)
            .where(or_(QueuedJob.lease_until.is_(None), QueuedJob.lease_until < now))
            .order_by(QueuedJob.not_before)
            .limit(DUE_BATCH)
        )
        return [Ticket.of(row, now) for row in rows.all()]


async def backlog(session: AsyncSession) -> Backlog:
    """How many jobs wait (or run) in the table, and the age in seconds of the oldest.

    For `/metrics` and `/health/ready`; rows that used up their attempts are not counted."""
    return await rows_waiting(session, QueuedJob.created_at, QueuedJob.attempts < MAX_ATTEMPTS)


# ---- finishing a job in the task's own transaction --------------------------------------------

_finishing: contextvars.ContextVar[int | None] = contextvars.ContextVar("finishing", default=None)


def finishing(job_id: int | None) -> contextvars.Token[int | None]:
    """From now on in this context, the first commit of any session also deletes `job_id`."""
    return _finishing.set(job_id)


def stop_finishing(token: contextvars.Token[int | None]) -> bool:
    """Back to the context before `finishing`; True when a commit finished the job."""
    finished = _finishing.get() is None
    _finishing.reset(token)
    return finished


@event.listens_for(Session, "before_commit")
def _delete_the_job_with_its_effect(session: Session) -> None:
    job_id = _finishing.get()
    if job_id is not None:
        _finishing.set(None)
        session.execute(delete(QueuedJob).where(QueuedJob.id == job_id))
