"""Checks a command runs before it starts: can the database and Redis be reached?

Each failure is one `StartupError` line an operator can act on (which URL, what went
wrong), never a traceback. Passwords in URLs are never shown.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import make_url, text
from sqlalchemy.exc import SQLAlchemyError

from community.db import create_engine

DATABASE_TIMEOUT = 10.0  # seconds to connect and answer SELECT 1
REDIS_TIMEOUT = 5.0


class StartupError(Exception):
    """A command cannot start; the message is one line."""


def shown(url: str) -> str:
    """`url` without its password, for messages and logs."""
    return re.sub(r"://([^:@/]*):[^@/]*@", r"://\1:***@", url)


def reason(exc: BaseException) -> str:
    """What went wrong, in one line: the driver's own words, not SQLAlchemy's wrapping."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    cause = getattr(exc, "orig", None) or exc
    message = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    if isinstance(cause, OSError) and cause.strerror:
        message = cause.strerror
    return message or type(cause).__name__


async def check_database(url: str) -> None:
    if url.startswith("sqlite"):
        return _check_sqlite(url)
    engine = create_engine(url)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        raise StartupError(f"cannot reach the database at {shown(url)}: {reason(exc)}") from None
    finally:
        await engine.dispose()


def _check_sqlite(url: str) -> None:
    """SQLite without aiosqlite: its worker thread outlives a failed connect and then
    reports to a closed event loop."""
    path = make_url(url).database or ""
    try:
        if path and path != ":memory:":
            sqlite3.connect(path).close()
    except sqlite3.Error as exc:
        raise StartupError(f"cannot reach the database at {url}: {reason(exc)}") from None


async def check_redis(url: str) -> None:
    redis = Redis.from_url(url, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT)
    try:
        async with asyncio.timeout(REDIS_TIMEOUT + 1):
            await redis.ping()
    except (RedisError, OSError, TimeoutError) as exc:
        raise StartupError(f"cannot reach Redis at {shown(url)}: {reason(exc)}") from None
    finally:
        await redis.aclose()
