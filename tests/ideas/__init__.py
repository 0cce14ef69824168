"""Helpers shared by the idea tests: an idea board, ideas, votes and decisions built through
the services, and running the background jobs the web app enqueued."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from community.db import session_scope
from community.forums import services as forums
from community.forums.models import CategoryKind
from community.ideas import services as ideas
from community.ideas.models import Idea, IdeaVote
from community.identity.models import Member
from community.jobs import InProcessQueue
from tests.conftest import World

BOARD = "ideas"
FAKE_HASH = "not-a-real-password-hash"  # members who never log in: no hashing cost


async def make_board(
    world: World, tenant: str = "acme", slug: str = BOARD, name: str = "Ideas"
) -> None:
    async with world.unit() as session:
        await forums.create_category(
            await world.scope(session, tenant), slug=slug, name=name, kind=CategoryKind.IDEAS
        )


async def make_idea(
    world: World,
    author: Member,
    title: str,
    body: str = "",
    *,
    tenant: str = "acme",
    board: str = BOARD,
) -> Idea:
    async with world.unit() as session:
        return await ideas.create_idea(
            await world.scope(session, tenant, await session.merge(author)), board=board,
            title=title, body=body or f"Details of {title}.",
        )  # fmt: skip


async def vote(world: World, member: Member, idea: Idea, tenant: str = "acme") -> None:
    async with world.unit() as session:
        await ideas.vote(await world.scope(session, tenant, await session.merge(member)), idea.id)


async def set_status(
    world: World, actor: Member, idea: Idea, status: str, response: str = "We decided."
) -> None:
    async with world.unit() as session:
        deciding = await world.scope(session, "acme", await session.merge(actor))
        await ideas.change_status(deciding, idea.id, status, response)


async def merge(world: World, actor: Member, duplicate: Idea, original: Idea) -> None:
    async with world.unit() as session:
        merging = await world.scope(session, "acme", await session.merge(actor))
        await ideas.merge(merging, duplicate.id, original.id)


async def add_members(world: World, prefix: str, n: int, tenant: str = "acme") -> list[Member]:
    """Many members at once, without paying for password hashing."""
    async with world.unit() as session:
        made = [
            Member(
                tenant_id=world.tenants[tenant], email=f"{prefix}{i}@example.com",
                display_name=f"{prefix.title()} {i}", password_hash=FAKE_HASH,
            )
            for i in range(n)
        ]  # fmt: skip
        session.add_all(made)
    return made


async def reload(world: World, idea: Idea) -> Idea:
    async with session_scope(world.sessions) as session:
        fresh = await session.get(Idea, idea.id)
        assert fresh is not None
        return fresh


async def counted_votes(world: World, idea: Idea) -> int:
    async with session_scope(world.sessions) as session:
        return int(
            await session.scalar(select(func.count()).where(IdeaVote.idea_id == idea.id)) or 0
        )


async def run_jobs(app: Any) -> None:
    """Run what the web app enqueued: in process, or with an arq worker when on Redis."""
    jobs = app.state.jobs
    if isinstance(jobs, InProcessQueue):
        await jobs.drain()
        return
    from workers.main import create_worker

    worker = create_worker(app.state.settings, burst=True, handle_signals=False, poll_delay=0.05)
    try:
        await worker.async_run()
    finally:
        await worker.close()


def idea_ids(html: str) -> list[int]:
    """Ids of the ideas listed on a page, in order."""
    return [int(i) for i in re.findall(r'class="thread-title" href="/ideas/(\d+)"', html)]


def shown_votes(html: str, idea: Idea) -> int:
    found = re.search(rf'data-testid="idea-votes-{idea.id}">(\d+)<', html)
    assert found, f"no vote count for idea {idea.id}"
    return int(found.group(1))
