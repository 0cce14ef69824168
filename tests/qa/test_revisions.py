"""An accepted or certified answer that changes keeps its history and goes back to staff;
one that is deleted no longer resolves its question."""

import re
from dataclasses import dataclass
from html import unescape

import pytest
from sqlalchemy import func, select

from community.forums import services as forums
from community.forums.models import Post, PostRevision, Thread
from community.identity.models import Member, Role
from community.moderation.models import ItemState, QueueItem
from community.qa.services import accept, certify
from community.scoring.models import Reason, ReputationEvent
from community.scoring.recompute import recompute_counters
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

FIRST = "Change the Wi-Fi **channel** to 1, 6 or 11."
SECOND = "Change the Wi-Fi channel to 36 (5 GHz) instead."


@dataclass
class Answered:
    thread: Thread
    url: str
    asker: Member
    answerer: Member
    expert: Member
    answer_id: int


@pytest.fixture
async def certified(world: World) -> Answered:
    """Ann's question, Bob's answer certified by Eve (an expert) and accepted by Ann."""
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    eve = await world.member("acme", "eve@example.com", Role.EXPERT)
    thread = await world.thread("acme", ann, title="Router drops Wi-Fi every evening")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, bob.id))
        answer_id = (await forums.reply(scope, thread.id, FIRST)).id
    async with world.unit() as session:
        await certify(
            await world.scope(session, "acme", await session.get(Member, eve.id)),
            answer_id,
            "Tested",
        )
    async with world.unit() as session:
        await accept(
            await world.scope(session, "acme", await session.get(Member, ann.id)), answer_id
        )
    return Answered(thread, f"/t/{thread.id}/{thread.slug}", ann, bob, eve, answer_id)


async def edit(world: World, member: Member, post_id: int, body: str) -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, member.id))
        await forums.edit_post(scope, post_id, body=body)


def article(html: str, post_id: int) -> str:
    found = re.search(rf'<article [^>]*id="p{post_id}".*?</article>', html, re.S)
    assert found, f"post {post_id} is not on the page"
    return unescape(found.group(0))


async def review_items(world: World, post_id: int) -> list[QueueItem]:
    async with world.unit() as session:
        found = await session.scalars(select(QueueItem).where(QueueItem.post_id == post_id))
        return [i for i in found if "resolution_edited" in i.reasons]


async def points(world: World) -> tuple[dict[int, int], dict[int, int]]:
    """Each member's points by the ledger and by members.reputation."""
    async with world.unit() as session:
        by_events = dict(
            (await session.execute(
                select(ReputationEvent.member_id, func.sum(ReputationEvent.points))
                .group_by(ReputationEvent.member_id)
            )).all()
        )  # fmt: skip
        counters = dict((await session.execute(select(Member.id, Member.reputation))).all())
    return {k: int(v) for k, v in by_events.items()}, counters


async def test_an_edited_certified_answer_keeps_its_history_for_staff_only(
    client_for: object, world: World, certified: Answered
) -> None:
    await edit(world, certified.answerer, certified.answer_id, SECOND)
    async with world.unit() as session:
        [revision] = await session.scalars(select(PostRevision))
    assert (revision.post_id, revision.editor_id) == (certified.answer_id, certified.answerer.id)
    assert revision.previous_body_md == FIRST

    await world.member("acme", "mod@example.com", Role.MODERATOR)
    mod: Client = client_for()  # type: ignore[operator]
    await mod.login("mod@example.com")
    shown = article((await mod.get(certified.url)).text, certified.answer_id)
    assert "Certified answer" in shown, "the certification stays visible"
    assert "edited after certification" in shown
    assert f'href="/p/{certified.answer_id}/history"' in shown and "edited — see history" in shown
    history = await mod.get(f"/p/{certified.answer_id}/history")
    assert history.status_code == 200
    page = unescape(history.text)
    assert "1 earlier version" in page and FIRST in page and SECOND in page
    assert "Replaced by Bob" in page

    member: Client = client_for()  # type: ignore[operator]
    await member.login("ann@example.com")
    seen = article((await member.get(certified.url)).text, certified.answer_id)
    assert "edited after certification" in seen, "readers are told the answer changed"
    assert "/history" not in seen and "see history" not in seen
    assert (await member.get(f"/p/{certified.answer_id}/history")).status_code == 403
    guest = await client_for().get(f"/p/{certified.answer_id}/history")  # type: ignore[operator]
    assert guest.status_code == 303 and guest.headers["location"].startswith("/login")


async def test_an_edited_certified_answer_goes_to_the_queue_for_review(
    client_for: object, world: World, certified: Answered
) -> None:
    await edit(world, certified.answerer, certified.answer_id, SECOND)
    [item] = await review_items(world, certified.answer_id)
    assert item.state == ItemState.OPEN
    async with world.unit() as session:
        post = await session.get(Post, certified.answer_id)
        assert post is not None and post.visibility.value == "published", "it stays public"

    await world.member("acme", "mod@example.com", Role.MODERATOR)
    mod: Client = client_for()  # type: ignore[operator]
    await mod.login("mod@example.com")
    queue = unescape((await mod.get("/mod/queue")).text)
    assert "Accepted or certified answer edited" in queue
    assert "This answer was edited after it was certified." in queue
    assert "Keep the certification" in queue and "Withdraw the certification" in queue
    kept = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "keep"})
    assert kept.status_code == 303
    [item] = await review_items(world, certified.answer_id)
    assert item.state == ItemState.CONFIRMED
    shown = article((await mod.get(certified.url)).text, certified.answer_id)
    assert "Certified answer" in shown and "edited after certification" not in shown


async def test_an_expert_withdraws_an_edited_certification_from_the_thread(
    client_for: object, world: World, certified: Answered
) -> None:
    before, _ = await points(world)
    await edit(world, certified.answerer, certified.answer_id, SECOND)
    expert: Client = client_for()  # type: ignore[operator]
    await expert.login("eve@example.com")
    shown = article((await expert.get(certified.url)).text, certified.answer_id)
    assert "is it still right?" in shown
    done = await expert.submit(f"/p/{certified.answer_id}/review", {"action": "withdraw"})
    assert done.status_code == 303
    async with world.unit() as session:
        thread = await session.get(Thread, certified.thread.id)
        assert thread is not None and not thread.is_resolved
    [item] = await review_items(world, certified.answer_id)
    assert item.state == ItemState.WITHDRAWN
    by_events, counters = await points(world)
    assert by_events[certified.answerer.id] == before[certified.answerer.id] - 25 - 15
    assert by_events == {k: v for k, v in counters.items() if k in by_events}
    member_page = (await client_for().get(certified.url)).text  # type: ignore[operator]
    assert "Certified" not in member_page


async def test_editing_an_answer_that_resolves_nothing_keeps_no_history(
    world: World, certified: Answered
) -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, certified.answerer.id))
        other = (await forums.reply(scope, certified.thread.id, "Also try a restart")).id
    await edit(world, certified.answerer, other, "Also try a restart, twice")
    await edit(world, certified.answerer, certified.answer_id, FIRST)  # the same text again
    async with world.unit() as session:
        assert await session.scalar(select(func.count()).select_from(PostRevision)) == 0
    assert await review_items(world, certified.answer_id) == []


async def test_deleting_a_certified_answer_clears_the_resolution_and_its_points(
    client_for: object, world: World, certified: Answered
) -> None:
    before, _ = await points(world)
    author: Client = client_for()  # type: ignore[operator]
    await author.login("bob@example.com")
    deleted = await author.submit(f"/p/{certified.answer_id}/delete", {})
    assert deleted.status_code == 303
    async with world.unit() as session:
        thread = await session.get(Thread, certified.thread.id)
        assert thread is not None
        assert (thread.certified_post_id, thread.accepted_post_id) == (None, None)
    page = (await client_for().get(certified.url)).text  # type: ignore[operator]
    assert "mark-certified" not in page and "mark-resolved" not in page
    listing = await client_for().get("/?status=resolved")  # type: ignore[operator]
    assert "Router drops Wi-Fi" not in listing.text
    assert "Router drops Wi-Fi" in (await client_for().get("/?status=unresolved")).text  # type: ignore[operator]

    live, counters = await points(world)
    assert live[certified.answerer.id] == before[certified.answerer.id] - 25 - 15
    assert live[certified.asker.id] == before[certified.asker.id] - 2
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    _, recomputed = await points(world)
    assert recomputed == counters, "recompute equals live"
    async with world.unit() as session:
        reasons = list(await session.scalars(
            select(ReputationEvent.reason).where(ReputationEvent.reverses_id.is_not(None))
        ))  # fmt: skip
    assert sorted(reasons) == sorted(
        [Reason.ANSWER_CERTIFIED, Reason.ANSWER_ACCEPTED, Reason.ACCEPTED_AN_ANSWER]
    )


async def test_a_moderator_deleting_a_certified_answer_from_the_queue_clears_it_too(
    world: World, certified: Answered
) -> None:
    await edit(world, certified.answerer, certified.answer_id, SECOND)
    [item] = await review_items(world, certified.answer_id)
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    from community.moderation import services as moderation

    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        await moderation.decide(scope, item.id, "delete", "Wrong advice")
    async with world.unit() as session:
        thread = await session.get(Thread, certified.thread.id)
        assert thread is not None and not thread.is_resolved
    by_events, counters = await points(world)
    assert by_events == {k: v for k, v in counters.items() if k in by_events}
