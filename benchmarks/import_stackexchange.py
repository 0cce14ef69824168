"""Importing the shared Stack Exchange dump on SQLite and on PostgreSQL: rows per second
for each file, then the whole import's time (goal: under 30 s on each).

Each run gets a fresh database (a SQLite file in a temporary directory; a throwaway
PostgreSQL database, see throwaway_database.py) migrated to head, one tenant, and the
dump imported as `parvis import stackexchange` does it, counters and search index included.

    .venv/bin/python benchmarks/import_stackexchange.py [DIR] [--only sqlite|postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from alembic import command
from throwaway_database import bench_database

from community.cli import alembic_config
from community.db import create_engine, session_factory, session_scope
from community.importing.report import summary
from community.importing.stackexchange import Report, import_dump
from community.tenancy.services import create_tenant
from community.wiring import register_all

SHARED_DUMP = Path("/work/shared/datasets/french.meta.stackexchange.com")
GOAL_SECONDS = 30.0


async def _import(url: str, directory: Path) -> Report:
    register_all()
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with session_scope(sessions) as session:
            await create_tenant(session, slug="bench", name="Bench", domains=["bench.test"])
        return await import_dump(sessions, "bench", directory)
    finally:
        await engine.dispose()


def _sqlite(directory: Path) -> Report:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite+aiosqlite:///{scratch}/bench.db"
        command.upgrade(alembic_config(url), "head")
        return asyncio.run(_import(url, directory))


def _postgresql(directory: Path) -> Report:
    with bench_database() as url:
        return asyncio.run(_import(url, directory))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=SHARED_DUMP)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    for name, run in (("sqlite", _sqlite), ("postgresql", _postgresql)):
        if args.only in (None, name):
            cpu = time.process_time()
            report = run(args.directory)
            cpu = time.process_time() - cpu
            verdict = "within" if report.seconds < GOAL_SECONDS else "OVER"
            print(f"== {name}: {report.seconds:.1f} s ({verdict} the {GOAL_SECONDS:.0f} s goal)")
            # On a loaded machine the wall time is mostly waiting for a core: this says how
            # much of it the importer itself computed.
            print(
                f"   CPU time of this process: {cpu:.1f} s; load average {os.getloadavg()[0]:.1f}"
            )
            print(summary(report))


if __name__ == "__main__":
    main()
