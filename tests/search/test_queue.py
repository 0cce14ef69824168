"""The index queue: what members do reaches search after the job, and nothing is lost."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from community.db import session_scope, utcnow
from community.forums import services as forums
from community.forums.models import CategoryKind, Post
from community.ideas import services as ideas
from community.identity.models import Member, Role
from community.jobs import InProcessQueue
from community.jobstore import QueuedJob, Ticket
from community.moderation import services as moderation
from community.qa import services as qa
from community.search import service
from community.search.models import SearchQueueItem
from community.search.port import SearchEngine, SearchQuery
from community.search.tasks import sweep_search
from community.tenancy.models import Tenant
from community.votes import services as votes
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def found(world: World, text: str, tenant: str = "acme") -> list[int]:
    async with world.unit() as session:
        results = await service.search(await world.scope(session, tenant), SearchQuery(text))
    return [hit.thread_id for hit in results.hits]


async def waiting(world: World) -> int:
    async with world.unit() as session:
        threads = select(func.count(SearchQueueItem.thread_id.distinct()))
        return int(await session.scalar(threads) or 0)


async def test_a_new_thread_and_its_replies_are_found_once_the_job_ran(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="My router drops the connection")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.reply(scope, thread.id, "Try a firmware upgrade of the modem")
    assert await found(world, "router") == [thread.id]
    assert await found(world, "firmware") == [thread.id]
    assert await found(world, "router", tenant="globex") == []
    assert await waiting(world) == 0


async def test_an_edited_post_is_found_by_its_new_words_only(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Question about my invoice")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        view = await forums.thread_view(scope, thread.id, extras=False)
        opening = view.posts.items[0]
        await forums.edit_post(scope, opening.id, body="Charged twice for the subscription")
    assert await found(world, "subscription") == [thread.id]
    assert await found(world, "body") == []


async def test_a_deleted_reply_and_a_deleted_thread_disappear(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Streaming box keeps buffering")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        answer = await forums.reply(scope, thread.id, "Switch to the ethernet cable")
    assert await found(world, "ethernet") == [thread.id]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.delete_post(scope, answer.id)
    assert await found(world, "ethernet") == []
    assert await found(world, "buffering") == [thread.id]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        view = await forums.thread_view(scope, thread.id, extras=False)
        await forums.delete_post(scope, view.posts.items[0].id)
    assert await found(world, "buffering") == []


async def decide_the_open_item(world: World, moderator: Member, action: str) -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, moderator.id))
        [item] = await moderation.open_items(scope)
        await moderation.decide(scope, item.id, action)


async def test_a_hidden_opening_post_takes_its_thread_out(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    thread = await world.thread("acme", ann, title="Satellite dish alignment help")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        opening = (await forums.thread_view(scope, thread.id, extras=False)).posts.items[0]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, bob.id))
        await moderation.flag_post(scope, opening.id, "spam")
    assert await found(world, "satellite") == [thread.id]  # one flag does not hide it
    await decide_the_open_item(world, mod, "hide")
    assert await found(world, "satellite") == []


async def test_a_post_held_for_review_is_not_found_until_approved(
    world: World, engine: SearchEngine
) -> None:
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.preferences = {"moderation": {"premoderate_first_posts": 5}}
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    thread = await world.thread("acme", ann, title="Voicemail greeting will not save")
    assert await found(world, "voicemail") == []
    await decide_the_open_item(world, mod, "approve")
    assert await found(world, "voicemail") == [thread.id]


class Losing:
    """A queue that loses every search_index job it is handed."""

    def __init__(self, jobs: InProcessQueue) -> None:
        self.jobs = jobs

    async def enqueue(self, name: str, *, _defer_by: float = 0, **kwargs: Any) -> None:
        if name != "search_index":
            await self.jobs.enqueue(name, _defer_by=_defer_by, **kwargs)

    async def dispatch(self, ticket: Ticket) -> None:
        if ticket.name != "search_index":
            await self.jobs.dispatch(ticket)

    async def close(self) -> None:
        return None


async def test_a_lost_job_is_made_up_for_by_the_sweep(world: World, engine: SearchEngine) -> None:
    ann = await world.member("acme", "ann@example.com")
    async with session_scope(world.sessions, Losing(world.jobs)) as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        thread = await forums.create_thread(
            scope, category_slug="general", title="Bluetooth headset pairing", body="It fails"
        )
    await world.jobs.drain()
    async with world.unit() as session:  # and its row in the job store is gone too
        await session.execute(delete(QueuedJob).where(QueuedJob.name == "search_index"))
    assert await found(world, "bluetooth") == []
    assert await waiting(world) == 1
    ctx = world.jobs.context
    assert await sweep_search(ctx) == 0  # too recent: its own job may still be coming
    async with world.unit() as session:
        await session.execute(
            SearchQueueItem.__table__.update().values(created_at=utcnow() - timedelta(minutes=5))
        )
    assert await sweep_search(ctx) == 1
    await world.jobs.drain()
    assert await found(world, "bluetooth") == [thread.id]
    assert await waiting(world) == 0


async def hits(world: World, text: str, **filters: Any) -> list[tuple[int, bool, bool, int]]:
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        results = await service.search(scope, SearchQuery(text, **filters))
    return [(h.thread_id, h.resolved, h.certified, h.score) for h in results.hits]


async def test_accepting_certifying_and_votes_reach_the_document(
    world: World, engine: SearchEngine
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    expert = await world.member("acme", "ex@example.com", Role.EXPERT)
    thread = await world.thread("acme", ann, title="Roaming charges in Morocco")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, expert.id))
        answer = await forums.reply(scope, thread.id, "Activate the travel pass first")
    assert await hits(world, "roaming") == [(thread.id, False, False, 0)]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await qa.accept(scope, answer.id)
        question = await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
        )
        assert question is not None
        await votes.vote(scope.acting_as(await session.get(Member, bob.id)), question, 1)
    assert await hits(world, "roaming", resolved=True) == [(thread.id, True, False, 1)]
    async with world.unit() as session:
        mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        await qa.certify(scope, answer.id)
    assert await hits(world, "travel pass", certified=True) == [(thread.id, True, True, 1)]


async def test_an_idea_is_resolved_once_done(world: World, engine: SearchEngine) -> None:
    ann = await world.member("acme", "ann@example.com")
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.create_category(scope, slug="ideas", name="Ideas", kind=CategoryKind.IDEAS)
        idea = await ideas.create_idea(
            scope, board="ideas", title="Dark mode for the app", body="Easier at night"
        )
    assert await hits(world, "dark mode", kinds=("idea",)) == [(idea.thread_id, False, False, 0)]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, admin.id))
        await ideas.change_status(scope, idea.id, "done", "Shipped in 2.1")
    assert await hits(world, "dark mode", resolved=True) == [(idea.thread_id, True, False, 0)]
