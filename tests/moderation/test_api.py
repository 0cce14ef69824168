"""Moderation through the JSON API: flags, the queue, claims, decisions, bans and roles,
with the same rules as the pages and JSON errors carrying the right 4xx."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from community.db import utcnow
from community.forums import services as forums
from community.forums.models import Post, Visibility
from community.identity.models import Member, Role
from community.moderation import services as moderation
from community.moderation.models import ItemState, QueueItem
from tests.conftest import Client, World
from tests.moderation import (
    audit_rows,
    backdate_item,
    fetch,
    flags_on,
    logged_in,
    moderation_rules,
    notifications,
    opening_post,
    queued,
    quick_member,
    reply,
    trusting,
)

pytestmark = pytest.mark.anyio


async def send(client: Client, method: str, url: str, payload: Any = None) -> httpx.Response:
    """A JSON request with the CSRF header, as the API's clients send it."""
    token = await client.ensure_csrf()
    return await client.request(method, url, json=payload, headers={"x-csrftoken": token})


async def staff(world: World, client_for: Any, name: str, role: Role) -> tuple[Member, Client]:
    member = await world.member("acme", f"{name}@example.com", role)
    return member, await logged_in(client_for, f"{name}@example.com")


async def rude_replies(world: World, *bodies: str) -> list[Post]:
    """Ann's thread, with a reply of hers held for abusive language per body."""
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    return [await reply(world, ann, thread, body) for body in bodies]


# ---- flags --------------------------------------------------------------------------------------


async def test_flag_a_post_once(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Cheap watches")
    flagger = await logged_in(client_for, "ann@example.com")
    url = f"/api/v1/posts/{post.id}/flags"

    made = await flagger.api_post(url, {"reason": "spam"})
    assert made.status_code == 201, made.text
    assert made.json()["post_id"] == post.id and made.json()["reason"] == "spam"
    again = await flagger.api_post(url, {"reason": "abusive"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"reason": "You already flagged this post."}
    first = await opening_post(world, thread)
    own = await flagger.api_post(f"/api/v1/posts/{first.id}/flags", {"reason": "spam"})
    assert own.status_code == 422
    assert own.json()["errors"] == {"reason": "You cannot flag your own post."}
    assert len(await flags_on(world, post)) == 1
    assert [k for k, _ in await notifications(world, ann)] == ["flag_received"]


async def test_flag_reasons_are_checked(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Cheap watches")
    flagger = await logged_in(client_for, "ann@example.com")
    url = f"/api/v1/posts/{post.id}/flags"
    bare = await flagger.api_post(url, {"reason": "other"})
    assert bare.status_code == 422
    assert bare.json()["errors"] == {"note": "Tell the moderators what is wrong."}
    odd = await flagger.api_post(url, {"reason": "ugly"})
    assert odd.status_code == 422
    assert odd.json()["errors"] == {"reason": "Choose why you flag this post."}
    assert (await flagger.api_post(url, {"reason": "other", "note": "x" * 501})).status_code == 400
    assert await flags_on(world, post) == []
    noted = await flagger.api_post(url, {"reason": "other", "note": "Sells fakes"})
    assert noted.status_code == 201
    assert (await client_for().post(url, json={"reason": "spam"})).status_code in {401, 403}
    missing = await flagger.api_post("/api/v1/posts/999999/flags", {"reason": "spam"})
    assert missing.status_code == 404


async def test_a_post_one_cannot_see_cannot_be_flagged(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    bob = await world.member("acme", "bob@example.com")
    held = await reply(world, bob, thread, "Awaiting review, not public")
    assert (await fetch(world, Post, held.id)).visibility == Visibility.PENDING
    flagger = await logged_in(client_for, "ann@example.com")
    response = await flagger.api_post(f"/api/v1/posts/{held.id}/flags", {"reason": "spam"})
    assert response.status_code == 404, "as if it did not exist: it is not public"
    assert await flags_on(world, held) == []


# ---- what the public gets from the API -----------------------------------------------------------


async def test_the_api_shows_the_public_the_masked_text(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, ann, thread, "Call me on 06 12 34 56 78")
    fetched = (await client_for().get(f"/api/v1/threads/{thread.id}")).json()
    [shown] = [p for p in fetched["posts"] if p["id"] == post.id]
    assert "06 12 34 56 78" not in shown["body_html"]
    assert "[phone number hidden]" in shown["body_html"]


async def test_the_api_hides_held_posts_from_the_public_only(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    await world.member("acme", "bob@example.com")
    bob = await logged_in(client_for, "bob@example.com")
    replied = await bob.api_post(f"/api/v1/threads/{thread.id}/posts", {"body": "First words"})
    assert replied.status_code == 201
    post_id = replied.json()["id"]
    assert (await fetch(world, Post, post_id)).visibility == Visibility.PENDING
    public = (await client_for().get(f"/api/v1/threads/{thread.id}")).json()
    assert post_id not in [p["id"] for p in public["posts"]]
    own = (await bob.get(f"/api/v1/threads/{thread.id}")).json()
    assert post_id in [p["id"] for p in own["posts"]]


async def test_a_new_member_can_start_a_thread_through_the_api(
    client_for: Any, world: World
) -> None:
    await moderation_rules(world)  # her first post waits for review
    await world.member("acme", "nina@example.com")
    nina = await logged_in(client_for, "nina@example.com")
    created = await nina.api_post(
        "/api/v1/threads",
        {"category": "general", "title": "My first question", "body": "Hello!", "kind": "question"},
    )
    assert created.status_code == 201, created.text
    thread_id = created.json()["id"]
    assert (await client_for().get(f"/api/v1/threads/{thread_id}")).status_code == 404
    assert (await nina.get(f"/api/v1/threads/{thread_id}")).status_code == 200


# ---- the queue ----------------------------------------------------------------------------------


async def test_the_queue_oldest_first_with_filters(client_for: Any, world: World) -> None:
    rude, leak = await rude_replies(world, "Stupid router", "Card 4111 1111 1111 1111")
    ann = await fetch(world, Member, rude.author_id)
    billing = await quick_member(world, "acme", "Biller")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(billing))
        thread = await forums.create_thread(
            scope, category_slug="billing", title="Charged twice again",
            body="You morons charged me twice",
        )  # fmt: skip
    billed = await opening_post(world, thread)
    items = [await queued(world, p) for p in (rude, leak, billed)]
    await backdate_item(world, items[2], created=timedelta(hours=2))
    _, mod = await staff(world, client_for, "mod", Role.MODERATOR)

    listed = await mod.get("/api/v1/mod/queue")
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()] == [items[2].id, items[0].id, items[1].id]
    first = listed.json()[1]
    assert first["post_id"] == rude.id and first["thread_id"] == rude.thread_id
    assert first["author_id"] == ann.id and first["reasons"] == ["abusive_language"]
    assert first["state"] == "open" and first["claimed_by"] is None

    abusive = (await mod.get("/api/v1/mod/queue?reason=abusive_language")).json()
    assert [i["id"] for i in abusive] == [items[2].id, items[0].id]
    personal = (await mod.get("/api/v1/mod/queue?reason=personal_data")).json()
    assert [i["id"] for i in personal] == [items[1].id]
    in_billing = (await mod.get("/api/v1/mod/queue?category=billing")).json()
    assert [i["id"] for i in in_billing] == [items[2].id]
    unknown = await mod.get("/api/v1/mod/queue?reason=bogus")
    assert unknown.status_code == 422 and unknown.json()["errors"] == {
        "reason": "Unknown queue reason."
    }


async def test_queue_figures(client_for: Any, world: World) -> None:
    posts = await rude_replies(world, *(f"Idiot number {n}" for n in range(5)))
    mod, client = await staff(world, client_for, "mod", Role.MODERATOR)
    empty_handed = await client.get("/api/v1/mod/figures")
    assert empty_handed.json()["open_items"] == 5
    assert empty_handed.json()["median_minutes_to_decision"] is None
    items = [await queued(world, p) for p in posts]
    for item, minutes in zip(items[:3], (10, 20, 60), strict=True):
        async with world.unit() as session:
            scope = await world.scope(session, "acme", await session.merge(mod))
            await moderation.decide(scope, item.id, "approve")
        await backdate_item(
            world, item, created=timedelta(minutes=minutes + 5), decided=timedelta(minutes=5)
        )
    await backdate_item(world, items[3], created=timedelta(minutes=45))
    await backdate_item(world, items[4], created=timedelta(minutes=15))
    # a decision older than 30 days does not count towards the median
    await backdate_item(world, items[0], created=timedelta(days=40), decided=timedelta(days=39))

    figures = await client.get("/api/v1/mod/figures")
    assert figures.status_code == 200
    assert figures.json() == {
        "open_items": 2,
        "oldest_age_minutes": 45,
        "median_minutes_to_decision": 40.0,
    }


async def test_members_get_403_from_every_moderation_endpoint(
    client_for: Any, world: World
) -> None:
    [post] = await rude_replies(world, "You idiot")
    item = await queued(world, post)
    bob = await world.member("acme", "bob@example.com")
    member = await logged_in(client_for, "bob@example.com")
    ann_id = post.author_id
    for method, url, payload in [
        ("GET", "/api/v1/mod/queue", None),
        ("GET", "/api/v1/mod/figures", None),
        ("POST", f"/api/v1/mod/queue/{item.id}/claim", None),
        ("POST", f"/api/v1/mod/queue/{item.id}/release", None),
        ("POST", f"/api/v1/mod/queue/{item.id}/decide", {"action": "approve"}),
        ("POST", f"/api/v1/members/{ann_id}/ban", {"days": 3, "reason": "Rude"}),
        ("DELETE", f"/api/v1/members/{ann_id}/ban", None),
        ("PUT", f"/api/v1/members/{ann_id}/role", {"role": "moderator"}),
    ]:
        response = await send(member, method, url, payload)
        assert response.status_code == 403, (method, url)
        assert response.headers["content-type"].startswith("application/json")
    assert (await fetch(world, QueueItem, item.id)).state == ItemState.OPEN
    assert (await fetch(world, Member, ann_id)).banned_until is None
    assert (await fetch(world, Member, bob.id)).role == Role.MEMBER
    guest = await client_for().get("/api/v1/mod/queue")
    assert guest.status_code == 401


# ---- claims and decisions -----------------------------------------------------------------------


async def test_claim_release_and_decide(client_for: Any, world: World) -> None:
    [post] = await rude_replies(world, "You idiot")
    item = await queued(world, post)
    alice, alice_client = await staff(world, client_for, "alice", Role.MODERATOR)
    _, carl = await staff(world, client_for, "carl", Role.MODERATOR)
    base = f"/api/v1/mod/queue/{item.id}"

    claimed = await alice_client.api_post(f"{base}/claim", {})
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["claimed_by"] == alice.id and claimed.json()["claimed_until"]
    assert (await alice_client.api_post(f"{base}/claim", {})).status_code == 200, "mine again"
    taken = await carl.api_post(f"{base}/claim", {})
    assert taken.status_code == 422
    assert taken.json()["errors"] == {"claim": "Already claimed by Alice."}
    blocked = await carl.api_post(f"{base}/decide", {"action": "approve"})
    assert blocked.status_code == 422
    assert blocked.json()["errors"]["claim"].startswith("Claimed by Alice")

    assert (await alice_client.api_post(f"{base}/release", {})).status_code == 204
    no_reason = await carl.api_post(f"{base}/decide", {"action": "reject"})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"] == {"note": "Give the author a reason for the rejection."}
    odd = await carl.api_post(f"{base}/decide", {"action": "burn"})
    assert odd.status_code == 422
    done = await carl.api_post(f"{base}/decide", {"action": "reject", "note": "Be civil."})
    assert done.status_code == 200
    assert done.json()["state"] == "rejected" and done.json()["claimed_by"] is None
    assert (await fetch(world, Post, post.id)).visibility == Visibility.REJECTED
    again = await alice_client.api_post(f"{base}/decide", {"action": "approve"})
    assert again.status_code == 422
    assert again.json()["errors"] == {"item": "This item was already decided."}
    assert [r.action for r in await audit_rows(world)] == ["queue.reject"]
    missing = await carl.api_post("/api/v1/mod/queue/999999/claim", {})
    assert missing.status_code == 404


# ---- bans and roles -----------------------------------------------------------------------------


async def test_ban_and_unban(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    author = await logged_in(client_for, "ann@example.com")
    _, mod = await staff(world, client_for, "mod", Role.MODERATOR)
    url = f"/api/v1/members/{ann.id}/ban"

    banned = await mod.api_post(url, {"days": 3, "reason": "Rude"})
    assert banned.status_code == 200, banned.text
    until = (await fetch(world, Member, ann.id)).banned_until
    assert until is not None
    assert timedelta(days=3) - timedelta(minutes=1) < until - utcnow() <= timedelta(days=3)
    assert banned.json()["id"] == ann.id and banned.json()["banned_until"] is not None

    # The ban ended her session: the old cookie is a guest's.
    refused = await author.api_post(f"/api/v1/threads/{thread.id}/posts", {"body": "Hello?"})
    assert refused.status_code == 401

    lifted = await send(mod, "DELETE", url)
    assert lifted.status_code == 200 and lifted.json()["banned_until"] is None
    author = await logged_in(client_for, "ann@example.com")
    again = await author.api_post(f"/api/v1/threads/{thread.id}/posts", {"body": "Hello?"})
    assert again.status_code == 201

    forever = await mod.api_post(url, {"reason": "Fraud"})
    assert forever.status_code == 200
    until = (await fetch(world, Member, ann.id)).banned_until
    assert until is not None and until > utcnow() + timedelta(days=365 * 50)
    assert [r.action for r in await audit_rows(world)] == [
        "member.ban",
        "member.unban",
        "member.ban",
    ]


async def test_bans_are_checked(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    other_mod = await quick_member(world, "acme", "Other", Role.MODERATOR)
    admin = await quick_member(world, "acme", "Boss", Role.ADMIN)
    _, mod = await staff(world, client_for, "mod", Role.MODERATOR)
    for days in (0, 3651, -1):
        bad = await mod.api_post(f"/api/v1/members/{ann.id}/ban", {"days": days, "reason": "x"})
        assert bad.status_code == 422 and bad.json()["errors"] == {
            "days": "A suspension lasts 1 to 3650 days."
        }
    no_reason = await mod.api_post(f"/api/v1/members/{ann.id}/ban", {"days": 3, "reason": ""})
    assert no_reason.status_code == 422
    for target in (other_mod, admin):
        refused = await mod.api_post(f"/api/v1/members/{target.id}/ban", {"reason": "No"})
        assert refused.status_code == 403
    missing = await mod.api_post("/api/v1/members/999999/ban", {"reason": "No"})
    assert missing.status_code == 404
    assert (await fetch(world, Member, ann.id)).banned_until is None
    assert await audit_rows(world) == []


async def test_change_roles(client_for: Any, world: World) -> None:
    admin, boss = await staff(world, client_for, "boss", Role.ADMIN)
    bob = await world.member("acme", "bob@example.com")
    url = f"/api/v1/members/{bob.id}/role"
    changed = await send(boss, "PUT", url, {"role": "expert"})
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"id": bob.id, "role": "expert", "banned_until": None}
    assert (await fetch(world, Member, bob.id)).role == Role.EXPERT
    unknown = await send(boss, "PUT", url, {"role": "overlord"})
    assert unknown.status_code == 422 and unknown.json()["errors"] == {"role": "Unknown role."}
    own = await send(boss, "PUT", f"/api/v1/members/{admin.id}/role", {"role": "member"})
    assert own.status_code == 422
    assert own.json()["errors"] == {"role": "You cannot change your own role."}
    _, mod = await staff(world, client_for, "mod", Role.MODERATOR)
    assert (await send(mod, "PUT", url, {"role": "admin"})).status_code == 403
    assert (await fetch(world, Member, bob.id)).role == Role.EXPERT
    [entry] = await audit_rows(world)
    assert (entry.action, entry.before, entry.after) == (
        "member.role",
        {"role": "member"},
        {"role": "expert"},
    )
