"""An announcement pinned in the categories staff choose besides its own: each shows it,
and the followers of all of them hear of it once each; another community's categories are
refused."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from community.forums import services as forums
from community.identity.models import Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def categories(world: World, tenant: str, *slugs: str) -> dict[str, int]:
    async with world.unit() as session:
        scope = await world.scope(session, tenant)
        for slug in slugs:
            await forums.create_category(scope, slug=slug, name=slug.title())
        return {c.slug: c.id for c in await forums.list_categories(scope)}


async def follower(client_for: Any, world: World, email: str, *follows: str) -> Client:
    await world.member("acme", email)
    client: Client = client_for("acme.test")
    await client.login(email)
    for slug in follows:
        await client.submit(f"/c/{slug}/notifications", {"level": "normal"})
    return client


def told(page: str) -> int:
    return unescape(page).count("Announcement: “Our new opening hours”")


async def test_an_announcement_is_pinned_in_the_chosen_categories_and_tells_each_follower_once(
    client_for: Any, world: World
) -> None:
    ids = await categories(world, "acme", "shops", "gadgets", "lounge")
    foreign = (await categories(world, "globex", "boutiques"))["boutiques"]
    staff = await world.member("acme", "mod@example.com", Role.MODERATOR)
    news = await world.thread("acme", staff, "Our new opening hours")
    both = await follower(client_for, world, "both@example.com", "general", "shops")
    shops = await follower(client_for, world, "shops@example.com", "shops")
    gadgets = await follower(client_for, world, "gadgets@example.com", "gadgets")
    lounge = await follower(client_for, world, "lounge@example.com", "lounge")
    mod: Client = client_for("acme.test")
    await mod.login("mod@example.com")
    form = (await mod.get(f"/t/{news.id}", follow_redirects=True)).text
    assert f'name="categories" value="{ids["shops"]}"' in form
    url = f"/t/{news.id}/announcement"
    refused = await mod.submit(url, {"categories": [str(ids["shops"]), str(foreign)]})
    assert refused.status_code == 422
    done = await mod.submit(url, {"categories": [str(ids["shops"])], "comments_allowed": "on"})
    assert done.status_code == 303
    for page, pinned in (("/c/general", True), ("/c/shops", True), ("/c/gadgets", False)):
        shown = (await mod.get(page)).text
        assert ("Our new opening hours" in shown) is pinned, page
    assert [told((await c.get("/notifications")).text) for c in (both, shops, gadgets)] == [
        1,
        1,
        0,
    ]
    again = {"categories": [str(ids["shops"]), str(ids["gadgets"])], "comments_allowed": "on"}
    assert (await mod.submit(url, again)).status_code == 303
    assert [told((await c.get("/notifications")).text) for c in (both, shops, gadgets)] == [
        1,
        1,
        1,
    ]
    assert told((await lounge.get("/notifications")).text) == 0
    form = (await mod.get(f"/t/{news.id}", follow_redirects=True)).text
    assert re.search(rf'value="{ids["gadgets"]}" checked', form)
