"""The author of a held post is told why it waits and roughly when, and hears of the
decision with the moderator's reason."""

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest

from community.forums.models import Thread
from community.identity.models import Role
from community.moderation import services as moderation
from tests.conftest import World
from tests.moderation import (
    ask,
    backdate_item,
    fetch,
    logged_in,
    moderation_rules,
    notifications,
    opening_post,
    post_html,
    queued,
    quick_member,
    reply,
)

pytestmark = pytest.mark.anyio


async def test_the_author_sees_why_a_post_is_held_and_roughly_when(
    client_for: Any, world: World
) -> None:
    await moderation_rules(world, review_hours=6)
    nina = await world.member("acme", "nina@example.com")
    author = await logged_in(client_for, "nina@example.com")
    asked = await author.submit(
        "/ask",
        {"category": "general", "kind": "question", "title": "My very first question",
         "body": "Hello all, where do I start?"},
    )  # fmt: skip
    assert asked.status_code == 303
    page = unescape((await author.get(asked.headers["location"])).text)
    thread_id = int(asked.headers["location"].split("/")[2])
    first = await opening_post(world, await fetch(world, Thread, thread_id))
    notice = post_html(page, first.id)
    assert f'data-testid="held-{first.id}"' in notice
    assert "Only you and the moderators can see this post for now." in notice
    assert "A new member's first posts are read by a moderator before they appear." in notice
    assert "The moderators aim to look at posts within 6 hours." in notice
    assert "You will get a notification when it is approved or rejected." in notice

    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    assert mod.id != nina.id
    moderator = await logged_in(client_for, "mod@example.com")
    seen = unescape((await moderator.get(asked.headers["location"])).text)
    assert "Only you and the moderators" not in seen, "the notice is for the author alone"


async def test_once_the_queue_has_figures_the_author_is_quoted_them(
    client_for: Any, world: World
) -> None:
    await moderation_rules(world, review_hours=48)
    ann = await world.member("acme", "ann@example.com")
    thread = await ask(
        world, await quick_member(world, "acme", "Old", Role.EXPERT), "A question to answer", "Body"
    )
    for n, hours in enumerate([1, 2, 2, 3, 5]):  # 4 in 5 decided within 3 hours
        member = await quick_member(world, "acme", f"Early{n}")
        item = await queued(world, await reply(world, member, thread, f"First post {n}"))
        await backdate_item(
            world, item, created=timedelta(hours=hours + 1), decided=timedelta(hours=1)
        )
    mine = await reply(world, ann, thread, "My first reply, please approve")
    author = await logged_in(client_for, "ann@example.com")
    page = unescape((await author.get(f"/t/{thread.id}/{thread.slug}")).text)
    notice = post_html(page, mine.id)
    assert "Most posts are looked at within 3 hours." in notice


async def test_the_author_is_notified_of_the_approval_with_a_link(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    bob = await world.member("acme", "bob@example.com")
    held = await reply(world, bob, thread, "My first reply here")
    moderator = await world.member("acme", "mod@example.com", Role.MODERATOR)
    mod = await logged_in(client_for, "mod@example.com")
    item = await queued(world, held)
    assert moderator.id
    await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    assert await notifications(world, bob) == [("post_approved", "My first reply here")]
    author = await logged_in(client_for, "bob@example.com")
    notices = unescape((await author.get("/notifications")).text)
    assert "Your post was approved and is now public: “My first reply here”" in notices
    opened = re.findall(r'href="(/notifications/\d+)"', notices)
    assert f"/p/{held.id}" in [(await author.get(url)).headers["location"] for url in opened]
    page = unescape((await author.get(f"/t/{thread.id}/{thread.slug}")).text)
    assert f'data-testid="held-{held.id}"' not in page


async def test_the_author_is_notified_of_the_rejection_with_the_reason(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    bob = await world.member("acme", "bob@example.com")
    held = await reply(world, bob, thread, "Buy my stuff")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    mod = await logged_in(client_for, "mod@example.com")
    item = await queued(world, held)
    await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "reject", "note": "No ads."})
    assert await notifications(world, bob) == [("post_rejected", "No ads.")]
    author = await logged_in(client_for, "bob@example.com")
    notices = unescape((await author.get("/notifications")).text)
    assert "Your post was rejected: No ads." in notices
    opened = re.findall(r'href="(/notifications/\d+)"', notices)
    assert f"/p/{held.id}" in [(await author.get(url)).headers["location"] for url in opened]


async def test_approving_a_flagged_post_that_was_never_held_tells_its_author_nothing(
    world: World,
) -> None:
    await moderation_rules(world, premoderate_first_posts=0, new_member_posts=0)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    bob = await world.member("acme", "bob@example.com")
    fine = await reply(world, bob, thread, "A perfectly fine answer")
    flagger = await quick_member(world, "acme", "Fussy")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    async with world.unit() as session:
        await moderation.flag_post(
            await world.scope(session, "acme", await session.merge(flagger)), fine.id, "off_topic"
        )
    item = await queued(world, fine)
    async with world.unit() as session:
        await moderation.decide(
            await world.scope(session, "acme", await session.merge(mod)), item.id, "approve"
        )
    assert await notifications(world, bob) == []


async def test_a_held_reply_sent_with_htmx_reloads_the_page_to_show_why(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    await world.member("acme", "bob@example.com")
    author = await logged_in(client_for, "bob@example.com")
    sent = await author.htmx(f"/t/{thread.id}/reply", {"body": "My first reply", "page": "1"})
    assert sent.status_code == 200 and sent.headers["HX-Redirect"].startswith(f"/t/{thread.id}/")
