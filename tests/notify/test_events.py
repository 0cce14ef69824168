"""Who hears of a post: the asker, mentioned members, watchers of the thread and the
category; muted threads stay quiet; hidden posts' notifications go away."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from community.forums import services as forums
from community.forums.models import Post, ThreadKind, Visibility
from community.identity.models import Member, Role
from community.notify import follows
from community.notify import services as notify
from community.notify.models import CategoryFollow, Level, Notification
from community.qa import services as qa
from tests.conftest import World

pytestmark = pytest.mark.anyio


async def _notes(world: World, member: Member) -> list[tuple[str, str]]:
    """(kind, url) of each of the member's notifications about posts, oldest first."""
    async with world.unit() as session:
        rows = await session.scalars(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.kind.not_in(["badge_earned", "rank_earned"]),
            )
            .order_by(Notification.id)
        )
        return [(n.kind, n.url) for n in rows.all()]


async def _reply(world: World, author: Member, thread_id: int, body: str) -> int:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, author.id))
        return (await forums.reply(scope, thread_id, body)).id


async def _shown(world: World, member: Member) -> tuple[int, list[str]]:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, member.id))
        notes = await notify.notifications_page(scope)
        count = await notify.unread_count(scope)
        return count, [
            g.latest.kind for g in notes.listing.items if g.latest.kind != "badge_earned"
        ]


async def _read_all(world: World, member: Member) -> None:
    """Their first question's badge is read: what follows is all that is new."""
    async with world.unit() as session:
        await notify.mark_all_read(await world.scope(session, "acme", member))


async def test_an_answer_tells_the_asker_with_a_link_to_the_post(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    thread = await world.thread("acme", asker)
    post_id = await _reply(world, answerer, thread.id, "Unplug it for ten seconds.")
    assert await _notes(world, asker) == [("answer", f"/p/{post_id}")]
    assert await _notes(world, answerer) == []  # never of their own post


async def test_a_reply_in_a_discussion_is_a_reply_and_watchers_hear_of_every_post(
    world: World,
) -> None:
    opener = await world.member("acme", "opener@example.com")
    first = await world.member("acme", "first@example.com")
    second = await world.member("acme", "second@example.com")
    thread = await world.thread("acme", opener, "Show your setups", kind=ThreadKind.DISCUSSION)
    await _reply(world, first, thread.id, "Mine is a Raspberry Pi.")  # first now watches
    later = await _reply(world, second, thread.id, "A NAS here.")
    assert await _notes(world, opener) == [("reply", f"/p/{later - 1}"), ("reply", f"/p/{later}")]
    assert await _notes(world, first) == [("watched_reply", f"/p/{later}")]


async def test_one_notification_per_post_even_when_several_rules_match(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    thread = await world.thread("acme", asker)
    await _reply(world, answerer, thread.id, "@Asker try this.")  # mentioned and the asker
    assert [kind for kind, _ in await _notes(world, asker)] == ["mention"]


async def test_a_mention_links_the_profile_and_notifies_only_members_of_the_tenant(
    world: World,
) -> None:
    author = await world.member("acme", "author@example.com")
    named = await world.member("acme", "named@example.com")
    elsewhere = await world.member("globex", "named@example.com")
    thread = await world.thread("acme", author)
    post_id = await _reply(world, author, thread.id, "Thanks @named, and @nobody.")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", author)
        html = (await forums.get_post(scope, post_id)).body_html
    assert f'<a href="/u/{named.id}"' in html and ">@named</a>" in html
    assert "@nobody" in html and "/u/" not in html.split("@nobody")[0].split("@named")[1]
    assert await _notes(world, named) == [("mention", f"/p/{post_id}")]
    assert await _notes(world, elsewhere) == []


async def test_a_muted_thread_tells_nothing_and_a_watched_category_tells_everything(
    world: World,
) -> None:
    asker = await world.member("acme", "asker@example.com")
    watcher = await world.member("acme", "watcher@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", watcher)
        category = await forums.get_category(scope, "general")
        await follows.set_level(scope, CategoryFollow, category.id, Level.WATCHING)
    thread = await world.thread("acme", asker)
    async with world.unit() as session:
        await follows.set_thread_level(
            await world.scope(session, "acme", asker), thread.id, Level.MUTED
        )
    await _reply(world, answerer, thread.id, "An answer.")
    assert await _notes(world, asker) == []
    assert [kind for kind, _ in await _notes(world, watcher)] == ["new_thread", "watched_reply"]


async def test_switching_auto_follow_off_leaves_answered_threads_alone(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    other = await world.member("acme", "other@example.com")
    async with world.unit() as session:
        await follows.set_auto_follow(await world.scope(session, "acme", answerer), False)
    thread = await world.thread("acme", asker)
    await _reply(world, answerer, thread.id, "First answer.")
    await _reply(world, other, thread.id, "Second answer.")
    assert await _notes(world, answerer) == []
    async with world.unit() as session:
        scope = await world.scope(session, "acme", answerer)
        assert await follows.level_for(scope, answerer.id, thread) == Level.NORMAL


async def test_accepting_and_certifying_tell_the_answerer(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    expert = await world.member("acme", "expert@example.com", Role.EXPERT)
    thread = await world.thread("acme", asker)
    answer = await _reply(world, answerer, thread.id, "The answer.")
    async with world.unit() as session:
        await qa.accept(
            await world.scope(session, "acme", await session.get(Member, asker.id)), answer
        )
    async with world.unit() as session:
        certifying = await world.scope(session, "acme", await session.get(Member, expert.id))
        await qa.certify(certifying, answer)
    kinds = [kind for kind, _ in await _notes(world, answerer)]
    assert "answer_accepted" in kinds and "answer_certified" in kinds


async def test_a_hidden_post_takes_its_notification_away_until_restored(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    thread = await world.thread("acme", asker)
    await _read_all(world, asker)
    answer = await _reply(world, answerer, thread.id, "Buy my product at spam.example.")
    assert await _shown(world, asker) == (1, ["answer"])
    await _set_visibility(world, answer, Visibility.HIDDEN)  # as a moderator's decision does
    assert await _shown(world, asker) == (0, [])
    await _set_visibility(world, answer, Visibility.PUBLISHED)
    assert await _shown(world, asker) == (1, ["answer"])


async def _set_visibility(world: World, post_id: int, visibility: Visibility) -> None:
    async with world.unit() as session:
        await session.execute(update(Post).where(Post.id == post_id).values(visibility=visibility))


async def test_opening_a_notification_marks_its_group_read(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerers = [await world.member("acme", f"a{n}@example.com") for n in range(3)]
    thread = await world.thread("acme", asker)
    await _read_all(world, asker)
    for n, answerer in enumerate(answerers):
        await _reply(world, answerer, thread.id, f"Answer {n}.")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", asker)
        groups = (await notify.notifications_page(scope)).listing.items
        assert len(groups[0].items) == 3  # the three answers, newest first
        url = await notify.open_notification(scope, groups[0].latest.id)
    assert url.startswith("/p/")
    assert await _shown(world, asker) == (0, ["answer"])


async def test_reaching_a_new_rank_is_told(world: World) -> None:
    asker = await world.member("acme", "asker@example.com")
    answerer = await world.member("acme", "answerer@example.com")
    expert = await world.member("acme", "expert@example.com", Role.EXPERT)
    for title in ("First question", "Second question"):
        thread = await world.thread("acme", asker, title)
        answer = await _reply(world, answerer, thread.id, f"An answer worth 25 points: {title}.")
        async with world.unit() as session:
            certifying = await world.scope(session, "acme", await session.get(Member, expert.id))
            await qa.certify(certifying, answer)
    async with world.unit() as session:
        told = await session.scalars(
            select(Notification.text).where(
                Notification.member_id == answerer.id, Notification.kind == "rank_earned"
            )
        )
        assert told.all() == ["Contributor"]
