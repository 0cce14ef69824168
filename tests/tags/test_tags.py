"""Tags as managers define them and members use them: tagging, chips, tag pages, counts."""

import re

import pytest
from sqlalchemy import select, update

from community.forums import services as forums
from community.identity.models import Member, Role
from community.moderation.models import AuditEntry
from community.scoring.recompute import recompute_counters
from community.tags import services as tags
from community.tags.models import Tag
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

QUESTION = {"category": "general", "kind": "question", "body": "It drops every hour."}


async def define(world: World, *names: str) -> None:
    admin = await world.member("acme", "boss@example.com", Role.ADMIN)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, admin.id))
        for name in names:
            await tags.create_tag(scope, name)


async def counts(world: World) -> dict[str, int]:
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        return {tag.slug: tag.thread_count for tag in await tags.list_tags(scope)}


async def ask(client: Client, title: str, tag_text: str) -> str:
    fields = {**QUESTION, "title": title, "body": f"About {title}", "tags": tag_text}
    response = await client.submit("/ask", fields)
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


async def test_a_manager_defines_tags_and_the_log_keeps_it(client: Client, world: World) -> None:
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    created = await client.submit("/admin/tags", {"name": " Wi-Fi ", "description": "Wireless"})
    assert created.status_code == 303
    page = await client.get("/admin/tags?saved=created")
    assert "The tag was created." in page.text and 'value="Wi-Fi"' in page.text
    again = await client.submit("/admin/tags", {"name": "wi fi"})
    assert again.status_code == 422 and "already exists: Wi-Fi" in again.text
    async with world.unit() as session:
        tag = await session.scalar(select(Tag))
        assert tag is not None and (tag.slug, tag.description) == ("wi-fi", "Wireless")
    renamed = await client.submit(f"/admin/tags/{tag.id}", {"name": "Wifi", "description": ""})
    assert renamed.status_code == 303
    assert (await client.get("/tags/wifi")).status_code == 200
    assert (await client.get("/tags/wi-fi")).status_code == 404
    deleted = await client.submit(f"/admin/tags/{tag.id}/delete", {})
    assert deleted.status_code == 303 and "no tags yet" in (await client.get("/tags")).text
    async with world.unit() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["tag.create", "tag.update", "tag.delete"]


async def test_members_cannot_manage_tags(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    assert (await client.get("/admin/tags")).status_code == 403
    assert (await client.submit("/admin/tags", {"name": "Spam"})).status_code == 403


async def test_asking_with_tags_shows_chips_and_counts(client: Client, world: World) -> None:
    await define(world, "Router", "Wi-Fi", "Billing")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    form = await client.get("/ask")
    assert 'list="ask-tags-suggestions"' in form.text and '<option value="Wi-Fi">' in form.text
    location = await ask(client, "My router drops the wifi", "wi-fi, Router, router")
    thread = await client.get(location)
    chips = re.findall(r'class="tag-chip" href="/tags/([a-z-]+)"', thread.text)
    assert chips == ["router", "wi-fi"]
    assert 'href="/tags/wi-fi"' in (await client.get("/")).text
    assert await counts(world) == {"billing": 0, "router": 1, "wi-fi": 1}
    listing = await client.get("/tags")
    assert "1 thread" in listing.text and "0 threads" in listing.text
    tagged = await client.get("/tags/router")
    assert "My router drops the wifi" in tagged.text


async def test_tag_field_refusals_are_explained(client: Client, world: World) -> None:
    await define(world, "Router")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    unknown = await client.submit("/ask", {**QUESTION, "title": "Short", "tags": "Router, Fibre"})
    assert unknown.status_code == 422
    assert "Unknown tag: Fibre. Choose among the suggested tags." in unknown.text
    assert "The title must be 8 to 200 characters long." in unknown.text, "both problems at once"
    too_many = await client.submit(
        "/ask", {**QUESTION, "title": "A long enough title", "tags": "a, b, c, d, e, f"}
    )
    assert too_many.status_code == 422 and "Choose at most 5 tags." in too_many.text
    too_long = await client.submit(
        "/ask", {**QUESTION, "title": "A long enough title", "tags": "x" * 41}
    )
    assert too_long.status_code == 422 and "A tag is 40 characters at most" in too_long.text
    assert 'value="' + "x" * 41 + '"' in too_long.text, "what was typed is shown again"
    assert await counts(world) == {"router": 0}


async def test_trusted_members_create_tags_while_tagging(client: Client, world: World) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    ann = await world.member("acme", "ann@example.com")
    await client.login("boss@example.com")
    saved = await client.submit("/admin/tags/settings", {"members_create": "on", "threshold": "50"})
    assert saved.status_code == 303
    bad = await client.submit("/admin/tags/settings", {"members_create": "on", "threshold": "x"})
    assert bad.status_code == 422 and "Enter a whole number" in bad.text
    member = client.__class__(transport=client._transport, base_url=client.base_url)
    await member.login("ann@example.com")
    refused = await member.submit("/ask", {**QUESTION, "title": "Fibre is slow", "tags": "Fibre"})
    assert refused.status_code == 422 and "Unknown tag: Fibre" in refused.text
    async with world.unit() as session:
        await session.execute(update(Member).where(Member.id == ann.id).values(reputation=50))
    await ask(member, "Fibre is slow", "Fibre")
    assert await counts(world) == {"fibre": 1}


async def test_retagging_moves_counts_and_deleting_uncounts(client: Client, world: World) -> None:
    await define(world, "Router", "Wi-Fi")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    location = await ask(client, "My router drops the wifi", "Router")
    thread_id = int(location.split("/")[2])
    async with world.unit() as session:
        thread = await forums.get_thread(await world.scope(session, "acme"), thread_id)
        opening = await session.scalar(
            select(forums.Post.id).where(forums.Post.thread_id == thread_id)
        )
    form = await client.get(f"/p/{opening}/edit")
    assert 'value="Router"' in form.text
    edited = await client.submit(
        f"/p/{opening}/edit", {"title": thread.title, "body": "Edited body", "tags": "Wi-Fi"}
    )
    assert edited.status_code == 303
    assert await counts(world) == {"router": 0, "wi-fi": 1}
    await client.submit(f"/p/{opening}/delete", {})
    assert await counts(world) == {"router": 0, "wi-fi": 0}
    assert "My router" not in (await client.get("/tags/wi-fi")).text


async def test_recompute_rebuilds_tag_counts(client: Client, world: World) -> None:
    await define(world, "Router")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    await ask(client, "My router drops the wifi", "Router")
    async with world.unit() as session:
        await session.execute(update(Tag).values(thread_count=7))
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    assert await counts(world) == {"router": 1}


async def test_category_lists_filter_on_a_tag(client: Client, world: World) -> None:
    await define(world, "Router")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    await ask(client, "My router drops the wifi", "Router")
    await ask(client, "Where is my invoice?", "")
    page = await client.get("/c/general?tag=router")
    assert "My router drops" in page.text and "invoice" not in page.text
    assert 'href="/c/general?tag=router&amp;status=resolved"' in page.text
    assert "invoice" in (await client.get("/c/general")).text
    assert (await client.get("/c/general?tag=nope")).status_code == 404


async def test_the_api_lists_tags_and_threads_carry_them(client: Client, world: World) -> None:
    await define(world, "Router", "Wi-Fi")
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    created = await client.api_post(
        "/api/v1/threads/",
        {"category": "general", "title": "Router drops wifi", "body": "Hourly", "tags": ["Wi-Fi"]},
    )
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["wi-fi"]
    refused = await client.api_post(
        "/api/v1/threads/",
        {"category": "general", "title": "Router drops wifi", "body": "x", "tags": ["Nope"]},
    )
    assert refused.status_code == 422 and "tags" in refused.json()["errors"]
    listed = (await client.get("/api/v1/tags")).json()["items"]
    assert [(t["slug"], t["thread_count"]) for t in listed] == [("router", 0), ("wi-fi", 1)]
    threads = (await client.get("/api/v1/threads")).json()["items"]
    assert threads[0]["tags"] == ["wi-fi"]
