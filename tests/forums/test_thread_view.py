"""One thread view for the page, the refused reply and the API; the forum imports nothing
built on it and hears of the rest through its hook points."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from community.forums import services as forums
from community.forums.lifecycle import POSTS, THREAD_PAGE, PostDraft, PostWritten, ThreadView
from community.forums.models import CategoryKind, Post, ThreadKind
from community.identity.models import Member, Role
from community.scope import Scope
from community.tenancy.models import Tenant
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

FORUMS = Path(__file__).parents[2] / "community" / "forums"
BUILT_ON_THE_FORUM = ("moderation", "scoring", "escalation", "ideas", "votes", "notify", "qa")


def test_the_forum_imports_nothing_built_on_it() -> None:
    for source in FORUMS.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                assert not (
                    parts[0] == "community" and len(parts) > 1 and parts[1] in BUILT_ON_THE_FORUM
                ), f"{source.name} imports {name}"


async def _discussion_by_score(world: World) -> tuple[int, str, list[int]]:
    """A discussion in a tenant that orders discussions by score, its third post the best."""
    async with world.unit() as session:
        tenant = await session.get(Tenant, world.tenants["acme"])
        assert tenant is not None
        tenant.preferences = tenant.preferences | {"discussions_by_date": False}
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, kind=ThreadKind.DISCUSSION, replies=3)
    async with world.unit() as session:
        scope = await world.scope(session, "acme")
        view = await forums.thread_view(scope, thread.id, extras=False)
        numbers = {post.number: post.id for post in view.posts.items}
        await session.execute(update(Post).where(Post.id == numbers[3]).values(score=5))
    return thread.id, thread.slug, [numbers[1], numbers[3], numbers[2], numbers[4]]


async def test_the_api_orders_posts_as_the_tenant_s_page_does(client: Client, world: World) -> None:
    thread_id, slug, expected = await _discussion_by_score(world)
    page = await client.get(f"/t/{thread_id}/{slug}")
    assert [int(n) for n in re.findall(r'<article[^>]* id="p(\d+)"', page.text)] == expected
    shown = (await client.get(f"/api/v1/threads/{thread_id}")).json()
    assert [p["id"] for p in shown["posts"]] == expected


async def test_a_refused_reply_reshows_the_page_with_its_escalation(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Router keeps rebooting")
    await world.member("acme", "mo@example.com", Role.MODERATOR)
    await client.login("mo@example.com")
    escalated = await client.submit(f"/t/{thread.id}/escalate", {"note": "Third reboot"})
    assert escalated.status_code == 303
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert 'data-testid="escalation-status"' in page.text

    refused = await client.submit(f"/t/{thread.id}/reply", {"body": " ", "page": "1"})
    assert refused.status_code == 422 and "The message cannot be empty." in refused.text
    assert 'data-testid="escalation-status"' in refused.text
    assert f'id="escalate-{thread.id}"' not in refused.text, "no second escalation offered"


async def test_the_reply_form_offers_to_wait_on_the_asker_to_others_only(
    client: Client, client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    await client.login("bob@example.com")
    offered = 'name="wait_on_asker"'
    assert offered in (await client.get(f"/t/{thread.id}/{thread.slug}")).text
    refused = await client.htmx(f"/t/{thread.id}/reply", {"body": "", "page": "1"})
    assert refused.status_code == 422 and offered in refused.text
    asker = client_for()
    await asker.login("ann@example.com")
    assert offered not in (await asker.get(f"/t/{thread.id}/{thread.slug}")).text


async def test_what_a_post_offers_comes_from_the_service(world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    expert = await world.member("acme", "ex@example.com", Role.EXPERT)
    thread = await world.thread("acme", ann, replies=1)
    async with world.unit() as session:
        guest = await world.scope(session, "acme")
        view = await forums.thread_view(guest, thread.id, extras=False)
        opening, answer = view.posts.items
        assert not any(vars(view.actions[answer.id]).values()), "a guest may do nothing"
        as_ann = guest.acting_as(await session.get(Member, ann.id))
        mine = forums.post_actions(as_ann, thread, answer)
        assert mine.edit and mine.delete and mine.accept and mine.sees_original
        assert not mine.flag and not mine.certify
        as_bob = guest.acting_as(await session.get(Member, bob.id))
        other = forums.post_actions(as_bob, thread, answer)
        assert other.flag and not (other.edit or other.delete or other.accept)
        as_mod = guest.acting_as(await session.get(Member, mod.id))
        moderating = forums.post_actions(as_mod, thread, answer)
        assert moderating.edit and moderating.delete and moderating.accept
        as_expert = guest.acting_as(await session.get(Member, expert.id))
        assert forums.post_actions(as_expert, thread, answer).certify
        assert not forums.post_actions(as_expert, thread, opening).certify, "not the question"


async def test_an_idea_s_thread_address_leads_to_its_board(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.create_category(scope, slug="ideas", name="Ideas", kind=CategoryKind.IDEAS)
        idea = await forums.create_thread(
            scope, category_slug="ideas", title="Dark mode please", body="Yes", kind=ThreadKind.IDEA
        )
        for n in range(5):
            await forums.reply(scope, idea.id, f"Comment {n}")
    first = await client.get(f"/t/{idea.id}/{idea.slug}")
    assert first.headers["location"] == f"/ideas/thread/{idea.id}"
    second = await client.get(f"/t/{idea.id}/{idea.slug}?page=2")
    assert second.headers["location"] == f"/ideas/thread/{idea.id}?page=2"


async def test_the_hooks_hear_of_every_post_with_what_the_writer_asked(world: World) -> None:
    heard: list[tuple[str, str, bool, frozenset[str]]] = []

    async def check(scope: Scope, draft: PostDraft) -> None:
        heard.append(("check", draft.body, draft.edited, draft.options))

    async def react(scope: Scope, written: PostWritten) -> None:
        heard.append(("react", written.post.body_md, written.edited, written.options))

    async def later(scope: Scope, written: PostWritten) -> None:
        heard.append(("later", f"post {written.post.id}", written.edited, written.options))

    async def extra(scope: Scope, view: ThreadView) -> dict[str, object]:
        return {"posts_seen": len(view.posts.items)}

    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    POSTS.check(check), POSTS.react(react), POSTS.defer(later), THREAD_PAGE.extra(extra)
    try:
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.get(Member, ann.id))
            written = await forums.reply(scope, thread.id, "Hello", frozenset({"wait_on_asker"}))
            assert [h[0] for h in heard] == ["check", "react"], "later: only after the commit"
            await forums.edit_post(scope, written.id, body="Hello again")
            view = await forums.thread_view(scope, thread.id)
            assert view.extras["posts_seen"] == 2 and view.context()["posts_seen"] == 2
    finally:
        POSTS.checks.remove(check), POSTS.reactions.remove(react), POSTS.deferred.remove(later)
        THREAD_PAGE.extras.remove(extra)
    waiting = frozenset({"wait_on_asker"})
    assert heard == [
        ("check", "Hello", False, waiting),
        ("react", "Hello", False, waiting),
        ("check", "Hello again", True, frozenset()),
        ("react", "Hello again", True, frozenset()),
        ("later", f"post {written.id}", False, waiting),
        ("later", f"post {written.id}", True, frozenset()),
    ]
