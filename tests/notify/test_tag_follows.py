"""Following a tag: watching hears of each new thread with it and of its posts, normal does
not, muted silences the thread whatever else is watched; one notification per post; the
level page works without JavaScript and the JSON API beside it; no tenant reaches another's."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from community.forums.models import Thread
from community.identity.models import Member, Role
from community.notify.models import Notification
from community.tags import services as tags
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

QUESTION = {"category": "general", "kind": "question"}


async def define(world: World, tenant: str, *names: str) -> None:
    admin = await world.member(tenant, f"boss.{tenant}@example.com", Role.ADMIN)
    async with world.unit() as session:
        scope = await world.scope(session, tenant, await session.get(Member, admin.id))
        for name in names:
            await tags.create_tag(scope, name)


async def signed_in(client_for: Any, world: World, email: str, host: str = "acme.test") -> Client:
    await world.member(host.split(".")[0], email)
    client: Client = client_for(host)
    await client.login(email)
    return client


async def choose(client: Client, url: str, level: str) -> None:
    chosen = await client.submit(f"{url}/notifications", {"level": level})
    assert chosen.status_code == 303, chosen.text


async def ask(client: Client, title: str, tag_text: str) -> int:
    fields = {**QUESTION, "title": title, "body": f"About {title}", "tags": tag_text}
    response = await client.submit("/ask", fields)
    assert response.status_code == 303, response.text
    return int(re.findall(r"/t/(\d+)", response.headers["location"])[0])


async def notes(world: World, email: str, tenant: str = "acme") -> list[tuple[str, str]]:
    """(kind, title) of each notification about a post the member has, oldest first."""
    async with world.unit() as session:
        rows = await session.execute(
            select(Notification.kind, Notification.text)
            .join(Member, Member.id == Notification.member_id)
            .where(
                Member.email == email,
                Member.tenant_id == world.tenants[tenant],
                Notification.post_id.is_not(None),
            )
            .order_by(Notification.id)
        )
        return [(kind, text) for kind, text in rows]


async def test_watching_a_tag_tells_of_each_new_thread_with_it_and_its_posts(
    client_for: Any, world: World
) -> None:
    await define(world, "acme", "Wi-Fi", "Billing")
    watcher = await signed_in(client_for, world, "watcher@example.com")
    await choose(watcher, "/tags/wi-fi", "watching")
    plain = await signed_in(client_for, world, "plain@example.com")
    await choose(plain, "/tags/wi-fi", "normal")
    author = await signed_in(client_for, world, "author@example.com")
    await choose(author, "/tags/wi-fi", "watching")
    thread_id = await ask(author, "The Wi-Fi drops", "Wi-Fi, Billing")
    await ask(author, "My bill is wrong", "Billing")
    shown = unescape((await watcher.get("/notifications")).text)
    assert "New thread with a tag you watch: “The Wi-Fi drops”" in shown
    assert await notes(world, "watcher@example.com") == [("tagged_thread", "The Wi-Fi drops")]
    assert await notes(world, "plain@example.com") == []
    assert await notes(world, "author@example.com") == []  # never of their own thread
    replied = await plain.submit(f"/t/{thread_id}/reply", {"body": "Same here since Monday."})
    assert replied.status_code == 303
    assert [kind for kind, _ in await notes(world, "watcher@example.com")] == [
        "tagged_thread",
        "watched_reply",
    ]


async def test_one_notification_per_post_when_the_category_and_the_tags_are_watched(
    client_for: Any, world: World
) -> None:
    await define(world, "acme", "Wi-Fi", "Billing")
    keen = await signed_in(client_for, world, "keen@example.com")
    for url in ("/c/general", "/tags/wi-fi", "/tags/billing"):
        await choose(keen, url, "watching")
    author = await signed_in(client_for, world, "author@example.com")
    await ask(author, "The Wi-Fi drops", "Wi-Fi, Billing")
    assert await notes(world, "keen@example.com") == [("new_thread", "The Wi-Fi drops")]


async def test_a_muted_tag_wins_over_a_watched_category_and_a_watched_tag(
    client_for: Any, world: World
) -> None:
    await define(world, "acme", "Wi-Fi", "Billing")
    muter = await signed_in(client_for, world, "muter@example.com")
    await choose(muter, "/c/general", "watching")
    await choose(muter, "/tags/billing", "watching")
    await choose(muter, "/tags/wi-fi", "muted")
    author = await signed_in(client_for, world, "author@example.com")
    muted_id = await ask(author, "The Wi-Fi drops", "Wi-Fi, Billing")
    await author.submit(f"/t/{muted_id}/reply", {"body": "Still dropping."})
    await ask(author, "My bill is wrong", "Billing")
    assert await notes(world, "muter@example.com") == [("new_thread", "My bill is wrong")]
    page = await muter.get(f"/t/{muted_id}", follow_redirects=True)
    assert re.search(r'<option value="muted" selected>', page.text)


async def test_a_tag_added_later_tells_its_watchers_once(client_for: Any, world: World) -> None:
    await define(world, "acme", "Wi-Fi")
    watcher = await signed_in(client_for, world, "watcher@example.com")
    await choose(watcher, "/tags/wi-fi", "watching")
    author = await signed_in(client_for, world, "author@example.com")
    thread_id = await ask(author, "The router blinks", "")
    assert await notes(world, "watcher@example.com") == []
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        thread = await scope.one(Thread, thread_id)
        wifi = await tags.get_tag(scope, "wi-fi")
        await tags.set_thread_tags(scope, thread, [wifi])
        await tags.set_thread_tags(scope, thread, [])
        await tags.set_thread_tags(scope, thread, [wifi])
    assert await notes(world, "watcher@example.com") == [("tagged_thread", "The router blinks")]


async def test_the_tag_level_page_works_without_javascript(client_for: Any, world: World) -> None:
    await define(world, "acme", "Wi-Fi")
    guest: Client = client_for("acme.test")
    assert (await guest.get("/tags/wi-fi/notifications")).status_code in {302, 303, 401}
    member = await signed_in(client_for, world, "ann@example.com")
    tag_page = await member.get("/tags/wi-fi")
    assert 'href="/tags/wi-fi/notifications"' in tag_page.text
    page = await member.get("/tags/wi-fi/notifications")
    assert page.status_code == 200 and re.search(r'value="normal" checked', page.text)
    wrong = await member.submit("/tags/wi-fi/notifications", {"level": "loud"})
    assert wrong.status_code == 422 and "Choose watching, normal or muted." in wrong.text
    assert 'name="level"' in wrong.text  # the form again, the problem marked
    await choose(member, "/tags/wi-fi", "muted")
    saved = await member.get("/tags/wi-fi/notifications?done=1")
    assert "Saved." in saved.text and re.search(r'value="muted" checked', saved.text)
    assert (await member.get("/tags/no-such-tag/notifications")).status_code == 404


async def test_the_json_api_reads_and_sets_category_and_tag_levels(
    client_for: Any, world: World
) -> None:
    await define(world, "acme", "Wi-Fi")
    guest: Client = client_for("acme.test")
    assert (await guest.get("/api/v1/tags/wi-fi/level")).status_code == 401
    member = await signed_in(client_for, world, "ann@example.com")
    read = (await member.get("/api/v1/tags/wi-fi/level")).json()
    assert read == {"level": "normal", "name": "Wi-Fi", "url": "/tags/wi-fi"}
    headers = {"x-csrftoken": await member.ensure_csrf()}
    bad = await member.put("/api/v1/tags/wi-fi/level", json={"level": "loud"}, headers=headers)
    assert bad.status_code == 422
    done = await member.put("/api/v1/tags/wi-fi/level", json={"level": "watching"}, headers=headers)
    assert done.json()["level"] == "watching"
    page = await member.get("/tags/wi-fi/notifications")
    assert re.search(r'value="watching" checked', page.text)
    muted = await member.put(
        "/api/v1/categories/general/level", json={"level": "muted"}, headers=headers
    )
    assert muted.json() == {"level": "muted", "name": muted.json()["name"], "url": "/c/general"}
    assert (await member.get("/api/v1/categories/general/level")).json()["level"] == "muted"


async def test_another_tenants_tag_is_not_found_and_its_watchers_hear_nothing(
    client_for: Any, world: World
) -> None:
    await define(world, "acme", "Wi-Fi", "Billing")
    await define(world, "globex", "Wi-Fi")  # the same slug, another community
    lea = await signed_in(client_for, world, "lea@example.com", "globex.test")
    await choose(lea, "/tags/wi-fi", "watching")  # globex's own tag
    assert (await lea.get("/tags/billing/notifications")).status_code == 404
    refused = await lea.submit("/tags/billing/notifications", {"level": "watching"})
    assert refused.status_code == 404
    headers = {"x-csrftoken": await lea.ensure_csrf()}
    api = await lea.put("/api/v1/tags/billing/level", json={"level": "watching"}, headers=headers)
    assert api.status_code == 404
    author = await signed_in(client_for, world, "author@example.com")
    await ask(author, "The Wi-Fi drops", "Wi-Fi, Billing")
    assert await notes(world, "lea@example.com", "globex") == []
