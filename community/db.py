"""Engine and sessions, the declarative Base, and the tenant-scoped query helpers."""

from __future__ import annotations

import enum
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Dialect, Enum, ForeignKey, MetaData, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    UOWTransaction,
    mapped_column,
    with_loader_criteria,
)
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def string_enum(cls: type[enum.Enum]) -> Enum:
    """An enum stored as its values in a short VARCHAR (no database enum type to migrate)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class TenantOwned:
    """Mixin for every row that belongs to one tenant."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


# ---- tenant isolation ---------------------------------------------------------------------
#
# A session bound to a tenant (`bind_tenant`, done by every `Scope`) sees only that tenant's
# rows: one `do_orm_execute` hook adds `tenant_id = :tenant` to every ORM SELECT, UPDATE,
# DELETE and INSERT … SELECT that touches a tenant-owned model, joins and relationship loads
# included, and a flush refuses to write a row of another tenant. The few reads that must cross tenants
# (host resolution, sweeps over every tenant) run in an unbound session or say so with
# `ALL_TENANTS` in their execution options.

TENANT_KEY = "tenant_id"
ALL_TENANTS = {"all_tenants": True}


class CrossTenantWrite(RuntimeError):
    """A session bound to one tenant was asked to write another tenant's row."""


def bind_tenant(session: AsyncSession | Session, tenant_id: int) -> None:
    """From now on `session` reads and writes only `tenant_id`'s rows."""
    bound = session.info.get(TENANT_KEY)
    if bound is not None and bound != tenant_id:
        raise CrossTenantWrite(f"session bound to tenant {bound}, asked for {tenant_id}")
    session.info[TENANT_KEY] = tenant_id


def bound_tenant(session: AsyncSession | Session) -> int | None:
    tenant_id: int | None = session.info.get(TENANT_KEY)
    return tenant_id


@event.listens_for(Session, "do_orm_execute")
def _only_the_bound_tenant(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or state.execution_options.get("all_tenants", False):
        return
    # INSERTs too: an INSERT ... SELECT reads rows, and the criteria reach its SELECT.
    if state.is_select or state.is_update or state.is_delete or state.is_insert:
        state.statement = state.statement.options(
            with_loader_criteria(
                TenantOwned,
                lambda cls: cls.tenant_id == tenant_id,
                include_aliases=True,
                track_closure_variables=False,
            )
        )


@event.listens_for(Session, "before_flush")
def _new_rows_join_the_bound_tenant(session: Session, _tx: UOWTransaction, _i: Any) -> None:
    tenant_id = session.info.get(TENANT_KEY)
    if tenant_id is None:
        return
    for row in (*session.new, *session.dirty):
        if not isinstance(row, TenantOwned):
            continue
        if row.tenant_id is None:
            row.tenant_id = tenant_id
        elif row.tenant_id != tenant_id:
            raise CrossTenantWrite(
                f"{type(row).__name__} of tenant {row.tenant_id} in a session of tenant {tenant_id}"
            )


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling breaks SAVEPOINTs (a nested rollback can leave
    # the outer work committed): let SQLAlchemy emit BEGIN itself, as its docs advise.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # A writer waits up to 30 s for the one write lock: on a loaded machine a long write (the
    # demo's seed) can hold it past 5 s, and a job that gave up then was lost to its retry.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE: take the write lock up front. A deferred transaction that read first and
    # writes later fails at once ("database is locked") if another connection wrote in
    # between; this way it waits its turn (busy_timeout) instead. SQLite has one writer anyway.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    if database_url.startswith("sqlite"):
        engine = create_async_engine(database_url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(database_url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, callback: AfterCommit) -> None:
    """Run `callback` once the session's transaction has committed (e.g. to enqueue a job)."""
    session.info.setdefault("after_commit", []).append(callback)


async def insert_missing(
    session: AsyncSession, model: type[Any], rows: list[dict[str, Any]]
) -> None:
    """Insert the rows a unique constraint does not already hold (INSERT … ON CONFLICT DO
    NOTHING). Not a savepoint: rolling one back on a duplicate would also drop what the
    session's own flush queued inside it. Rows name their tenant_id (this is Core)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(insert(model).on_conflict_do_nothing(), rows)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the callbacks registered with `after_commit`.

    A callback that fails is logged, never raised: the work is committed, and the request or
    job that did it succeeded (a job it enqueues is kept in the database, see community.jobs).
    """
    await session.commit()
    callbacks: list[AfterCommit] = session.info.pop("after_commit", [])
    for callback in callbacks:
        try:
            await callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)


@asynccontextmanager
async def session_scope(
    factory: async_sessionmaker[AsyncSession], jobs: Any = None
) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the body succeeds, roll back when it raises.

    `jobs` is the queue that `community.jobs.enqueue_after_commit` sends to.
    """
    async with factory() as session:
        if jobs is not None:
            session.info["jobs"] = jobs
        try:
            yield session
        except BaseException:
            session.info.pop("after_commit", None)
            await session.rollback()
            raise
        await commit(session)


def count_statements(engine: Engine) -> Callable[[], int]:
    """Count the SQL statements an engine runs from now on (for tests and benchmarks)."""
    counter = {"n": 0}

    def on_execute(*_args: Any) -> None:
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", on_execute)
    return lambda: counter["n"]
