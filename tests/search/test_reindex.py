"""`parvis search reindex`: the index rebuilt from the database, with its progress shown."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from community.cli import main
from community.forums.models import Thread, Visibility
from community.search.port import SearchEngine, SearchQuery
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def test_reindex_rebuilds_what_members_may_find(
    world: World,
    engine: SearchEngine,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ann = await world.member("acme", "ann@example.com")
    kept = await world.thread("acme", ann, title="Parental control PIN forgotten", replies=2)
    hidden = await world.thread("acme", ann, title="Parental control on the tablet")
    await world.thread("globex", await world.member("globex", "bo@example.com"),
                       title="Contrôle parental oublié")  # fmt: skip
    acme = world.tenants["acme"]
    await engine.reset(acme)
    async with world.unit() as session:  # a bulk change the index never heard of
        await session.execute(
            update(Thread).where(Thread.id == hidden.id).values(visibility=Visibility.HIDDEN)
        )
    monkeypatch.setenv("PARVIS_DATABASE_URL", database_url)
    monkeypatch.setenv("PARVIS_DATA_DIR", str(tmp_path))
    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["search", "reindex", "--tenant", "acme"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "acme: 1 threads indexed" in result.output and "docs/s" in result.output
    found = await engine.search(acme, SearchQuery("parental"), locale="en")
    assert [hit.thread_id for hit in found.hits] == [kept.id]
    everyone = await asyncio.to_thread(
        CliRunner().invoke, main, ["search", "reindex"], catch_exceptions=False
    )
    assert "acme: 1 threads" in everyone.output and "globex: 1 threads" in everyone.output
    unknown = await asyncio.to_thread(
        CliRunner().invoke, main, ["search", "reindex", "--tenant", "nope"]
    )
    assert unknown.exit_code != 0 and "nope" in unknown.output
