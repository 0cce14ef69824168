"""A throwaway PostgreSQL database for a benchmark: created, migrated, dropped."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from alembic import command
from sqlalchemy import make_url, text

from community.cli import alembic_config
from community.db import create_engine

SERVER_URL = os.environ.get(
    "PARVIS_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


async def _admin(sql: str) -> None:
    engine = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(sql))
    finally:
        await engine.dispose()


@contextmanager
def bench_database() -> Iterator[str]:
    """A fresh database migrated to head, dropped on the way out whatever happens."""
    name = f"parvis_bench_{uuid.uuid4().hex[:10]}"
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        command.upgrade(alembic_config(url), "head")
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))
