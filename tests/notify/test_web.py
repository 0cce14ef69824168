"""Notifications and following over HTTP: the bell, opening one, levels, mention suggestions,
announcements; and nobody reaches another member's or another tenant's notifications."""

from __future__ import annotations

import re
from html import unescape

import pytest

from community.forums import services as forums
from community.identity.models import Member, Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def _answered(world: World) -> tuple[Member, Member, int]:
    asker = await world.member("acme", "ann@example.com")
    answerer = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", asker)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, answerer.id))
        await forums.reply(scope, thread.id, "Try turning it off and on.")
    return asker, answerer, thread.id


async def test_the_bell_counts_and_opening_a_notification_reads_it(
    client: Client, world: World
) -> None:
    await _answered(world)
    await client.login("ann@example.com")
    bell = await client.get("/notifications/bell")
    assert 'data-testid="unread-count">2' in bell.text  # the answer and the first-question badge
    page = unescape((await client.get("/notifications")).text)
    assert "New answer to your question “How do I reset my router?”" in page and "Bob" in page
    opened = re.findall(r'href="(/notifications/\d+)"', page)
    answer = await client.get(opened[0])
    assert answer.status_code == 303 and answer.headers["location"].startswith("/p/")
    assert 'data-testid="unread-count">1' in (await client.get("/notifications/bell")).text
    await client.submit("/notifications/read", {})
    assert "unread-count" not in (await client.get("/notifications/bell")).text


async def test_another_members_notification_is_not_found(client_for: object, world: World) -> None:
    await _answered(world)
    await world.member("globex", "ann@example.com")
    ann = client_for("acme.test")  # type: ignore[operator]
    await ann.login("ann@example.com")
    [first, *_] = re.findall(r'href="/notifications/(\d+)"', (await ann.get("/notifications")).text)
    bob = client_for("acme.test")  # type: ignore[operator]
    await bob.login("bob@example.com")
    assert (await bob.get(f"/notifications/{first}")).status_code == 404
    elsewhere = client_for("globex.test")  # type: ignore[operator]
    await elsewhere.login("ann@example.com")
    assert (await elsewhere.get(f"/notifications/{first}")).status_code == 404


async def test_thread_and_category_levels_are_chosen_on_their_pages(
    client: Client, world: World
) -> None:
    _, _, thread_id = await _answered(world)
    await client.login("bob@example.com")  # answered: watching
    thread_page = await client.get(f"/t/{thread_id}", follow_redirects=True)
    assert re.search(r'<option value="watching" selected>', thread_page.text)
    muted = await client.submit(f"/t/{thread_id}/level", {"level": "muted"})
    assert muted.status_code == 303
    thread_page = await client.get(f"/t/{thread_id}", follow_redirects=True)
    assert re.search(r'<option value="muted" selected>', thread_page.text)
    assert (await client.submit(f"/t/{thread_id}/level", {"level": "loud"})).status_code == 422
    wrong = await client.submit("/c/general/notifications", {"level": "loud"})
    assert wrong.status_code == 422 and "Choose watching, normal or muted." in wrong.text
    await client.submit("/c/general/notifications", {"level": "watching"})
    page = await client.get("/c/general/notifications")
    assert re.search(r'value="watching" checked', page.text)


async def test_mention_suggestions_name_members_of_this_community_only(
    client: Client, world: World
) -> None:
    await world.member("acme", "carol.martin@example.com")
    await world.member("globex", "caroline@example.com")
    assert (await client.get("/api/v1/members/suggest?q=car")).status_code == 401
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    found = (await client.get("/api/v1/members/suggest?q=car")).json()
    assert found == [{"id": found[0]["id"], "name": "Carol.Martin", "handle": "@Carol.Martin"}]


async def test_an_announcement_is_pinned_tells_followers_and_may_close_comments(
    client_for: object, world: World
) -> None:
    staff = await world.member("acme", "mod@example.com", Role.MODERATOR)
    follower = await world.member("acme", "fan@example.com")
    await world.member("acme", "other@example.com")
    news = await world.thread("acme", staff, "Our new opening hours")
    fan = client_for("acme.test")  # type: ignore[operator]
    await fan.login("fan@example.com")
    await fan.submit("/c/general/notifications", {"level": "normal"})
    mod = client_for("acme.test")  # type: ignore[operator]
    await mod.login("mod@example.com")
    refused = await fan.submit(f"/t/{news.id}/announcement", {"action": "publish"})
    assert refused.status_code == 403
    bad = await mod.submit(f"/t/{news.id}/announcement", {"pinned_until": "soon"})
    assert bad.status_code == 422
    done = await mod.submit(
        f"/t/{news.id}/announcement", {"pinned_until": "2999-01-31", "comments_allowed": "on"}
    )
    assert done.status_code == 303
    home = (await fan.get("/")).text
    assert 'data-testid="announcements"' in home and "Our new opening hours" in home
    assert "Announcement: “Our new opening hours”" in unescape(
        (await fan.get("/notifications")).text
    )
    other = client_for("acme.test")  # type: ignore[operator]
    await other.login("other@example.com")
    assert "Announcement:" not in unescape((await other.get("/notifications")).text)
    assert follower.id  # followers at normal hear of it; others do not
    reply = await fan.submit(f"/t/{news.id}/reply", {"body": "Great news!"})
    assert reply.status_code in {200, 303}  # comments open
    await mod.submit(f"/t/{news.id}/announcement", {"pinned_until": ""})  # comments off
    closed = await fan.submit(f"/t/{news.id}/reply", {"body": "Another comment"})
    assert closed.status_code == 403
