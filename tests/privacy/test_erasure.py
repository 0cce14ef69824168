"""Erasure: the person's data is gone from every page, API answer and other archive; they
cannot sign in; the counters and the reputation ledger still agree; the case sent to the
contact centre keeps its reference."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from litestar import Litestar
from sqlalchemy import select

from community.escalation.models import Escalation, EscalationEvent
from community.forums.models import Category, Post, Thread
from community.identity.external import MemberIdentity
from community.identity.models import Member, MemberSession
from community.moderation.models import AuditEntry
from community.notify.models import Notification, Subscription
from community.privacy.erasure import ERASED_DOMAIN, REMOVED_POST, Personal
from community.scoring.recompute import recompute_counters
from community.votes.models import Vote
from tests.conftest import Client, World
from tests.ideas import run_jobs
from tests.privacy import CASE_REFERENCE, EMAIL, NAME, Life, build_life, leaks, unzip
from tests.scoring.test_reputation import counters

pytestmark = pytest.mark.anyio


async def pages(life: Life) -> list[str]:
    t1, t2, t3 = life.answered, life.bobs, life.alone
    return [
        "/", f"/t/{t1.id}/{t1.slug}", f"/t/{t2.id}/{t2.slug}", f"/t/{t3.id}/{t3.slug}",
        f"/u/{life.member.id}", f"/u/{life.bob.id}", "/leaderboard", "/leaderboard?period=all",
        "/ideas", f"/ideas/{life.idea_id}", "/roadmap", "/c/general",
        "/admin/members", "/admin/audit", "/mod/queue", "/mod/escalations?status=all",
        f"/mod/escalations/{life.escalation_id}", f"/admin/members/{life.member.id}/privacy",
        "/api/v1/threads", f"/api/v1/threads/{t1.id}", f"/api/v1/threads/{t2.id}",
        f"/api/v1/members/{life.member.id}", "/api/v1/leaderboard?period=all", "/api/v1/ideas",
        f"/api/v1/ideas/{life.idea_id}", "/api/v1/escalations",
        f"/api/v1/escalations/{life.escalation_id}", "/api/v1/mod/queue",
        f"/api/v1/search?q={quote(NAME)}",  # the page would show the query typed
        "/search?q=cable", "/api/v1/search?q=cable",
    ]  # fmt: skip


async def walk(client: Client, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        response = await client.get(url)
        assert response.status_code < 400, (url, response.status_code)
        if problems := leaks(response.text):
            found[url] = problems
    return found


async def live_and_recomputed(world: World) -> tuple[object, object]:
    acme = world.tenants["acme"]
    async with world.unit() as session:
        live = await counters(session, acme)
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    async with world.unit() as session:
        return live, await counters(session, acme)


async def test_an_erased_member_leaves_no_personal_data_and_the_ledger_agrees(
    world: World, client_for: object, app: Litestar
) -> None:
    life = await build_life(world)
    await run_jobs(app)  # her threads are in the search index
    admin: Client = client_for()  # type: ignore[operator]
    await admin.login("admin@example.com")
    assert await walk(admin, await pages(life)), "the walk finds her before the erasure"
    her: Client = client_for()  # type: ignore[operator]
    await her.login(EMAIL)
    other_browser: Client = client_for()  # type: ignore[operator]
    await other_browser.login(EMAIL)
    async with world.unit() as session:
        before_votes = list(
            await session.execute(select(Vote.post_id, Vote.value).order_by(Vote.id))
        )

    wrong = await her.submit("/account/privacy/erase", {"password": "not my password"})
    assert wrong.status_code == 422 and "That is not your password." in wrong.text
    erased = await her.submit("/account/privacy/erase", {"password": "correct horse battery"})
    assert erased.status_code == 200 and 'data-testid="erased"' in erased.text
    await run_jobs(app)  # the search index hears of the scrubbed posts

    assert (await other_browser.get("/account/privacy")).status_code in {401, 303}, "sessions ended"
    refused = await her.submit("/login", {"email": EMAIL, "password": "correct horse battery"})
    assert refused.status_code == 422
    assert await walk(admin, await pages(life)) == {}
    guest: Client = client_for()  # type: ignore[operator]
    assert (
        await walk(
            guest,
            [
                u
                for u in await pages(life)
                if not u.startswith(("/admin", "/mod", "/api/v1/mod", "/api/v1/esc"))
            ],
        )
        == {}
    )
    thread = await guest.get(f"/t/{life.answered.id}/{life.answered.slug}")
    assert "Deleted member" in thread.text and "Restart it, then check the cable." in thread.text

    bob: Client = client_for()  # type: ignore[operator]
    await bob.login("bob@example.com")
    assert leaks(str(unzip((await bob.get("/api/v1/members/me/export")).content))) == []
    theirs = await admin.get(f"/api/v1/admin/members/{life.member.id}/export")
    assert leaks(str(unzip(theirs.content))) == [], "what is left of her holds nothing personal"

    async with world.unit() as session:
        member = await session.get(Member, life.member.id)
        assert member.email.endswith("@" + ERASED_DOMAIN) and member.erased_at is not None
        assert (member.display_name, member.password_hash, member.customer_id, member.customer_tier) == (
            "Deleted member", "", "", "",
        )  # fmt: skip
        for model in (MemberIdentity, MemberSession, Notification, Subscription):
            assert not list(
                await session.scalars(select(model).where(model.member_id == member.id))
            )
        after_votes = list(
            await session.execute(select(Vote.post_id, Vote.value).order_by(Vote.id))
        )
        assert after_votes == before_votes, "her votes still count, anonymously"
        case = await session.get(Escalation, life.escalation_id)
        assert (case.external_id, case.state.value) == (CASE_REFERENCE, "acknowledged")
        assert leaks(case.note) == [] and "Call" in case.note
        events = await session.scalars(
            select(EscalationEvent).where(EscalationEvent.escalation_id == case.id)
        )
        assert all(leaks(e.detail + e.actor) == [] for e in events)
        erasure = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "member.erase")
        )
        assert erasure.subject_id == member.id and erasure.actor_id == member.id
        assert erasure.after == {"by_admin": False, "posts_removed": False}
        audit = await session.scalars(select(AuditEntry))
        assert all(leaks(f"{a.reason}{a.before}{a.after}") == [] for a in audit)
    live, recomputed = await live_and_recomputed(world)
    assert live == recomputed, "recompute equals live after the erasure"


async def test_an_admin_erases_a_member_and_their_posts_through_the_api(
    world: World, client: Client
) -> None:
    life = await build_life(world)
    async with world.unit() as session:
        threads_before = await session.scalar(
            select(Category.thread_count).where(
                Category.slug == "general", Category.tenant_id == world.tenants["acme"]
            )
        )
    await client.login("bob@example.com")
    token = await client.ensure_csrf()
    url = f"/api/v1/admin/members/{life.member.id}?remove_posts=true"
    assert (await client.delete(url, headers={"x-csrftoken": token})).status_code == 403
    await client.login("admin@example.com")
    token = await client.ensure_csrf()
    assert (await client.delete(url, headers={"x-csrftoken": token})).status_code == 204
    again = await client.delete(url, headers={"x-csrftoken": token})
    assert again.status_code == 422, "an erased account is not erased twice"
    async with world.unit() as session:
        hers = list(await session.scalars(select(Post).where(Post.author_id == life.member.id)))
        assert hers and all(p.body_md == REMOVED_POST and p.body_html == "" for p in hers)
        alone = await session.get(Thread, life.alone.id)
        answered = await session.get(Thread, life.answered.id)
        assert alone.deleted_at is not None, "nobody answered: the thread goes"
        assert answered.deleted_at is None and answered.title == life.answered.title
        bobs_answer = await session.scalar(
            select(Post).where(Post.thread_id == answered.id, Post.author_id == life.bob.id)
        )
        assert bobs_answer.body_md == "Restart it, then check the cable."
        threads_after = await session.scalar(
            select(Category.thread_count).where(
                Category.slug == "general", Category.tenant_id == world.tenants["acme"]
            )
        )
        assert threads_after == threads_before - 1
    page = await client.get(f"/t/{answered.id}/{answered.slug}")
    assert page.text.count("This post was removed at its author") == 2, "her question and reply"
    assert leaks(page.text) == []
    live, recomputed = await live_and_recomputed(world)
    assert live == recomputed


async def test_a_member_without_password_confirms_with_their_email_through_the_api(
    world: World, client: Client
) -> None:
    life = await build_life(world)
    await client.login(EMAIL)
    async with world.unit() as session:  # as if she had only ever signed in through SSO
        (await session.get(Member, life.member.id)).password_hash = ""
    token = await client.ensure_csrf()
    headers = {"x-csrftoken": token}
    page = await client.get("/account/privacy")
    assert 'name="confirmation"' in page.text and 'name="password"' not in page.text
    wrong = await client.request(
        "DELETE", "/api/v1/members/me", json={"confirmation": "bob@example.com"}, headers=headers
    )
    assert wrong.status_code == 422 and "confirmation" in wrong.json()["errors"]
    done = await client.request(
        "DELETE", "/api/v1/members/me", json={"confirmation": EMAIL.upper()}, headers=headers
    )
    assert done.status_code == 204
    assert (await client.get("/api/v1/members/me/export")).status_code == 401


async def test_an_admin_cannot_erase_themselves_from_the_admin_page(
    world: World, client: Client
) -> None:
    life = await build_life(world)
    await client.login("admin@example.com")
    own = await client.submit(f"/admin/members/{life.admin.id}/erase", {"confirm": "1"})
    assert own.status_code == 403
    unconfirmed = await client.submit(f"/admin/members/{life.member.id}/erase", {})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    done = await client.submit(f"/admin/members/{life.member.id}/erase", {"confirm": "1"})
    assert done.status_code == 303
    page = await client.get(done.headers["location"])
    assert 'data-testid="erased"' in page.text and leaks(page.text) == []
    assert NAME not in (await client.get("/admin/members")).text


def test_scrubbing_replaces_whole_words_only() -> None:
    personal = Personal("al@example.com", "Al", "C-1")
    assert personal.scrub("Also, Al wrote from AL@example.com as C-1.") == (
        "Also, Deleted member wrote from Deleted member as Deleted member."
    )
    assert personal.scrub_json({"why": ["Al", 3]}) == {"why": ["Deleted member", 3]}
