"""Search relevance: how often the answer is in the first three results.

Seeds the demo communities (`community.demo`) in a throwaway SQLite database, lets the
index queue build the index, and runs the cases of tests/search/relevance.py: customers'
queries (misspelt, without accents, in their own words) and the threads that answer them.

    .venv/bin/python benchmarks/search_relevance.py
"""

from __future__ import annotations

import asyncio
import tempfile
import time

from alembic import command

from community.cli import alembic_config
from community.db import create_engine, session_factory
from community.demo.seed import seed_demo
from community.jobs import InProcessQueue
from community.tasks import TASKS
from community.wiring import register_all
from tests.search.relevance import describe, measure


async def relevance(url: str) -> None:
    register_all()
    engine = create_engine(url)
    sessions = session_factory(engine)
    jobs = InProcessQueue(sessions, TASKS)
    try:
        started = time.monotonic()
        await seed_demo(sessions, jobs)
        await jobs.drain()
        print(f"demo seeded and indexed in {time.monotonic() - started:.1f} s")
        print(describe(await measure(sessions)))
    finally:
        await jobs.close()
        await engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{scratch}/search.db"
        command.upgrade(alembic_config(url), "head")
        asyncio.run(relevance(url))


if __name__ == "__main__":
    main()
