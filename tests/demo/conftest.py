"""Both demo communities, seeded once for the tests of this folder.

Seeding goes through the same services members use and takes about half a minute, so the
tests here share one database: they only read, or roll back what they try.
"""

from __future__ import annotations

import shutil

import pytest

from community.db import create_engine, session_factory
from community.demo.seed import seed_contact_centre, seed_demo
from community.jobs import InProcessQueue
from community.tasks import TASKS
from community.wiring import register_all
from tests.conftest import PG_URL, TEST_DELIVERY, _truncate_all


async def seed_both_communities(url: str) -> None:
    register_all()
    engine = create_engine(url)
    sessions = session_factory(engine)
    jobs = InProcessQueue(sessions, TASKS, TEST_DELIVERY)
    await seed_demo(sessions, jobs)
    await jobs.drain()
    await seed_contact_centre(sessions)
    await jobs.close()
    await engine.dispose()


@pytest.fixture(scope="package")
async def database_url(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database of this folder's tests, with both demo communities seeded."""
    if PG_URL:
        await _truncate_all(migrated_database)
        url = migrated_database
    else:
        copy = tmp_path_factory.mktemp("isolation") / "parvis.db"
        shutil.copyfile(migrated_database, copy)
        url = f"sqlite+aiosqlite:///{copy}"
    await seed_both_communities(url)
    return url
