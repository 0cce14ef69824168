"""Moderators working the queue at the same moment, and moderators of another community.

The concurrent tests run on PostgreSQL only (SQLite serialises writers); each moderator
works in their own session, as separate web requests would."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select

from community.db import session_scope
from community.errors import ValidationFailed
from community.forums.models import Post, Visibility
from community.identity.models import Member, Role
from community.moderation import services as moderation
from community.moderation.models import AuditEntry, ItemState, QueueItem
from tests.conftest import World, requires_postgres
from tests.moderation import (
    FAKE_HASH,
    fetch,
    flags_on,
    logged_in,
    queued,
    reply,
    trusting,
)

pytestmark = pytest.mark.anyio


async def add_members(world: World, prefix: str, count: int, role: Role) -> list[Member]:
    """Members inserted directly: they never log in, so no password hashing."""
    tenant_id = world.tenants["acme"]
    async with world.unit() as session:
        members = [
            Member(
                tenant_id=tenant_id,
                email=f"{prefix}{n}@example.com",
                display_name=f"{prefix.title()} {n}",
                password_hash=FAKE_HASH,
                role=role,
            )
            for n in range(count)
        ]
        session.add_all(members)
        await session.flush()
        return members


async def held_post(world: World) -> tuple[Post, QueueItem]:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, ann, thread, "Only an idiot would ask that")
    return post, await queued(world, post)


async def at_once(calls: list[Any]) -> list[BaseException | None]:
    """Run the calls together; what each raised (None when it succeeded)."""
    start = asyncio.Event()

    async def run(call: Any) -> BaseException | None:
        await start.wait()
        try:
            await call()
        except Exception as exc:
            return exc
        return None

    tasks = [asyncio.create_task(run(call)) for call in calls]
    await asyncio.sleep(0)
    start.set()
    return await asyncio.gather(*tasks)


@requires_postgres
async def test_twenty_moderators_claim_one_item_and_exactly_one_wins(world: World) -> None:
    _, item = await held_post(world)
    moderators = await add_members(world, "mod", 20, Role.MODERATOR)

    def claim(mod: Member) -> Any:
        async def go() -> None:
            async with session_scope(world.sessions, world.jobs) as session:
                await moderation.claim(await world.scope(session, "acme", mod), item.id)

        return go

    outcomes = await at_once([claim(m) for m in moderators])
    winners = [m for m, error in zip(moderators, outcomes, strict=True) if error is None]
    assert len(winners) == 1, outcomes
    losers = [error for error in outcomes if error is not None]
    assert len(losers) == 19
    assert all(isinstance(error, ValidationFailed) for error in losers), losers
    assert all("Already claimed by" in str(error) for error in losers)
    claimed = await fetch(world, QueueItem, item.id)
    assert claimed.claimed_by_id == winners[0].id and claimed.state == ItemState.OPEN


@requires_postgres
async def test_concurrent_decisions_on_one_item_leave_one_decision(world: World) -> None:
    post, item = await held_post(world)
    moderators = await add_members(world, "mod", 10, Role.MODERATOR)

    def decide(mod: Member, action: str) -> Any:
        async def go() -> None:
            async with session_scope(world.sessions, world.jobs) as session:
                scope = await world.scope(session, "acme", mod)
                await moderation.decide(scope, item.id, action, "Decided")

        return go

    actions = ["approve" if n % 2 else "reject" for n in range(len(moderators))]
    outcomes = await at_once([decide(m, a) for m, a in zip(moderators, actions, strict=True)])
    assert sum(error is None for error in outcomes) == 1, outcomes
    [winning_action] = [a for a, e in zip(actions, outcomes, strict=True) if e is None]
    decided = await fetch(world, QueueItem, item.id)
    expected = {"approve": Visibility.PUBLISHED, "reject": Visibility.REJECTED}[winning_action]
    assert (await fetch(world, Post, post.id)).visibility == expected
    assert (
        decided.state
        == {"approve": ItemState.APPROVED, "reject": ItemState.REJECTED}[winning_action]
    )
    async with session_scope(world.sessions) as session:
        entries = await session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.subject_id == post.id)
        )
    assert entries == 1, "one decision, one audit entry"


@requires_postgres
async def test_flags_sent_at_once_hide_the_post_once(world: World) -> None:
    post, _ = await held_post(world)
    async with world.unit() as session:  # publish it: it is the flags that take it down
        found = await session.get(Post, post.id)
        assert found is not None
        found.visibility = Visibility.PUBLISHED
        for item in await session.scalars(select(QueueItem).where(QueueItem.post_id == post.id)):
            item.state = ItemState.APPROVED
    flaggers = await add_members(world, "flagger", 8, Role.MEMBER)

    def flag(member: Member) -> Any:
        async def go() -> None:
            async with session_scope(world.sessions, world.jobs) as session:
                scope = await world.scope(session, "acme", member)
                await moderation.flag_post(scope, post.id, "abusive")

        return go

    outcomes = await at_once([flag(m) for m in flaggers] + [flag(flaggers[0])])
    assert sum(error is None for error in outcomes) == 8, outcomes
    assert len(await flags_on(world, post)) == 8
    assert (await fetch(world, Post, post.id)).visibility == Visibility.HIDDEN
    async with session_scope(world.sessions) as session:
        open_items = await session.scalar(
            select(func.count())
            .select_from(QueueItem)
            .where(QueueItem.post_id == post.id, QueueItem.state == ItemState.OPEN)
        )
    assert open_items == 1


# ---- another community's moderators -----------------------------------------------------------


async def test_a_moderator_of_another_community_cannot_touch_this_ones_queue(
    client_for: Any, world: World
) -> None:
    post, item = await held_post(world)
    ann_id = post.author_id
    await world.member("globex", "modo@example.com", Role.MODERATOR)
    await world.member("globex", "chef@example.com", Role.ADMIN)
    modo = await logged_in(client_for, "modo@example.com", host="globex.test")
    chef = await logged_in(client_for, "chef@example.com", host="globex.test")

    for url, data in [
        (f"/mod/queue/{item.id}/claim", {}),
        (f"/mod/queue/{item.id}/release", {}),
        (f"/mod/queue/{item.id}/decide", {"action": "delete"}),
        (f"/mod/members/{ann_id}/ban", {"days": "7", "reason": "Spam"}),
        (f"/mod/members/{ann_id}/unban", {}),
        (f"/p/{post.id}/flag", {"reason": "spam"}),
    ]:
        assert (await modo.submit(url, data)).status_code == 404, url
    for url, payload in [
        (f"/api/v1/mod/queue/{item.id}/claim", {}),
        (f"/api/v1/mod/queue/{item.id}/decide", {"action": "delete"}),
        (f"/api/v1/members/{ann_id}/ban", {"days": 7, "reason": "Spam"}),
        (f"/api/v1/posts/{post.id}/flags", {"reason": "spam"}),
    ]:
        assert (await modo.api_post(url, payload)).status_code == 404, url
    assert (
        await chef.submit(f"/admin/members/{ann_id}/role", {"role": "admin"})
    ).status_code == 404

    assert item.id not in [i["id"] for i in (await modo.get("/api/v1/mod/queue")).json()]
    assert f'id="item-{item.id}"' not in (await modo.get("/mod/queue")).text
    unchanged = await fetch(world, QueueItem, item.id)
    assert unchanged.state == ItemState.OPEN and unchanged.claimed_by_id is None
    ann = await fetch(world, Member, ann_id)
    assert ann.banned_until is None and ann.role == Role.MEMBER
    assert await flags_on(world, post) == []
