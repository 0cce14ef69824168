"""Vote counts stay exact when many members vote, withdraw and merge at once (PostgreSQL)."""

import asyncio
import random

import pytest
from sqlalchemy import select

from community.db import session_scope
from community.errors import ValidationFailed
from community.ideas import services as ideas
from community.ideas.models import Idea, IdeaStatus, IdeaVote
from community.identity.models import Member, Role
from tests.conftest import World, requires_postgres
from tests.ideas import add_members, counted_votes, make_board, make_idea, reload

pytestmark = [pytest.mark.anyio, requires_postgres]

SESSIONS = 15  # at most this many sessions open at once: below the engine's pool


async def voters_of(world: World, idea: Idea) -> set[int]:
    async with session_scope(world.sessions) as session:
        result = await session.scalars(
            select(IdeaVote.member_id).where(IdeaVote.idea_id == idea.id)
        )
        return set(result.all())


async def test_two_hundred_concurrent_voters_keep_the_count_exact(world: World) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    voters = await add_members(world, "voter", 200)
    rng = random.Random(11)
    # each voter votes; about a third withdraw, some of those vote again, some click twice
    plans = [
        rng.choice([["vote"], ["vote", "vote"], ["vote", "unvote"], ["vote", "unvote", "vote"]])
        for _ in voters
    ]
    gate = asyncio.Semaphore(SESSIONS)

    async def act(voter: Member, plan: list[str]) -> None:
        for action in plan:
            async with gate, session_scope(world.sessions, world.jobs) as session:
                change = ideas.vote if action == "vote" else ideas.unvote
                await change(await world.scope(session, "acme", voter), idea.id)

    await asyncio.gather(*(act(v, p) for v, p in zip(voters, plans, strict=True)))
    await world.jobs.drain()
    expected = {v.id for v, p in zip(voters, plans, strict=True) if p[-1] == "vote"}
    assert 100 < len(expected) < 200
    assert await voters_of(world, idea) == expected
    assert (await reload(world, idea)).vote_count == await counted_votes(world, idea)
    assert (await reload(world, idea)).vote_count == len(expected)


async def test_same_member_clicking_many_times_at_once_counts_once(world: World) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    (bob,) = await add_members(world, "bob", 1)

    async def click() -> None:
        async with session_scope(world.sessions, world.jobs) as session:
            await ideas.vote(await world.scope(session, "acme", bob), idea.id)

    await asyncio.gather(*(click() for _ in range(10)))
    assert (await reload(world, idea)).vote_count == 1 == await counted_votes(world, idea)


async def test_votes_racing_a_merge_are_counted_once_on_the_original(world: World) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, ann, "Night theme please")
    tenant_id = world.tenants["acme"]
    voters = await add_members(world, "voter", 120)
    async with world.unit() as session:
        mod = Member(
            tenant_id=tenant_id, email="mod@example.com", display_name="Mod",
            password_hash="not-a-real-password-hash", role=Role.MODERATOR,
        )  # fmt: skip
        session.add(mod)
    rng = random.Random(5)
    targets = [rng.choice([[duplicate], [original], [duplicate, original]]) for _ in voters]
    gate = asyncio.Semaphore(SESSIONS)
    accepted: dict[int, set[int]] = {duplicate.id: set(), original.id: set()}
    refused: list[int] = []
    some_votes_in = asyncio.Event()

    async def act(voter: Member, ideas_to_vote: list[Idea]) -> None:
        for target in ideas_to_vote:
            try:
                async with gate, session_scope(world.sessions, world.jobs) as session:
                    await ideas.vote(await world.scope(session, "acme", voter), target.id)
            except ValidationFailed:
                refused.append(voter.id)  # the duplicate was merged first
            else:
                accepted[target.id].add(voter.id)
                if len(accepted[duplicate.id]) >= 20:
                    some_votes_in.set()

    async def merge_midway() -> None:
        await some_votes_in.wait()
        async with session_scope(world.sessions, world.jobs) as session:
            await ideas.merge(await world.scope(session, "acme", mod), duplicate.id, original.id)

    await asyncio.gather(merge_midway(), *(act(v, t) for v, t in zip(voters, targets, strict=True)))
    await world.jobs.drain()
    assert accepted[duplicate.id] and refused, "votes landed both before and after the merge"
    fresh_duplicate, fresh_original = await reload(world, duplicate), await reload(world, original)
    assert fresh_duplicate.status == IdeaStatus.MERGED
    assert await counted_votes(world, duplicate) == 0 == fresh_duplicate.vote_count
    assert await voters_of(world, original) == accepted[duplicate.id] | accepted[original.id]
    assert fresh_original.vote_count == await counted_votes(world, original)
    assert fresh_original.vote_count == len(accepted[duplicate.id] | accepted[original.id])
