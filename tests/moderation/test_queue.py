"""Moderation as members and moderators meet it: what goes to the queue and why, who sees a
held post, flags, decisions, claims, bans, roles, the audit log and the queue's figures."""

import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from babel.dates import format_date
from sqlalchemy import update

from community.db import utcnow
from community.forums.models import Post, Visibility
from community.identity.models import Member, Role
from community.moderation import services as moderation
from community.moderation.models import FlagOutcome, ItemState, QueueItem
from tests.conftest import PASSWORD, Client, World
from tests.moderation import (
    ask,
    audit_rows,
    backdate_item,
    fetch,
    flags_on,
    item_of,
    logged_in,
    moderation_rules,
    notifications,
    opening_post,
    post_html,
    premoderate,
    queue_item_html,
    queued,
    quick_member,
    reply,
    title_of,
    trusting,
)

pytestmark = pytest.mark.anyio

SUSPENDED = "Your account is suspended: you cannot post."


def text_of(response: Any) -> str:
    return unescape(response.text)


async def moderator(world: World, client_for: Any, name: str = "mod") -> Client:
    await world.member("acme", f"{name}@example.com", Role.MODERATOR)
    return await logged_in(client_for, f"{name}@example.com")


async def shows_in_queue(mod: Client, item: QueueItem, label: str) -> str:
    page = await mod.get("/mod/queue")
    assert page.status_code == 200
    html = unescape(queue_item_html(page.text, item.id))
    assert html, f"item {item.id} is not on the queue page"
    assert label in html
    return html


async def flag(world: World, member: Member, post: Post, reason: str = "spam") -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(member))
        await moderation.flag_post(scope, post.id, reason)


async def decide(world: World, mod: Member, item: QueueItem, action: str, note: str = "") -> None:
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(mod))
        await moderation.decide(scope, item.id, action, note)


async def thread_url(world: World, post: Post) -> str:
    from community.forums.models import Thread

    thread = await fetch(world, Thread, post.thread_id)
    return f"/t/{thread.id}/{thread.slug}"


# ---- every route into the queue ---------------------------------------------------------------


async def test_a_new_members_first_thread_waits_for_review(client_for: Any, world: World) -> None:
    await moderation_rules(world)  # the defaults: a member's first post is pre-moderated
    nina = await world.member("acme", "nina@example.com")
    await world.member("acme", "ann@example.com")
    thread = await ask(world, nina, "My very first question", "Hello all, where do I start?")
    first = await opening_post(world, thread)
    url = f"/t/{thread.id}/{thread.slug}"

    author = await logged_in(client_for, "nina@example.com")
    own = await author.get(url)
    assert own.status_code == 200
    mark = unescape(post_html(own.text, first.id))
    assert f'data-testid="visibility-{first.id}"' in mark and "Awaiting review" in mark

    other = await logged_in(client_for, "ann@example.com")
    assert (await other.get(url)).status_code == 404
    assert "My very first question" not in (await other.get("/")).text
    assert (await client_for().get(url)).status_code == 404

    mod = await moderator(world, client_for)
    seen = await mod.get(url)
    assert seen.status_code == 200 and "Hello all, where do I start?" in seen.text
    item = await queued(world, first)
    assert item.reasons == ["first_posts"]
    await shows_in_queue(mod, item, "New member's first post")

    approved = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    assert approved.status_code == 303
    assert (await other.get(url)).status_code == 200
    second = await reply(world, nina, thread, "Found it myself, thanks.")
    assert (await fetch(world, Post, second.id)).visibility == Visibility.PUBLISHED
    assert await item_of(world, second) is None, "after one approved post she is trusted"


async def test_a_new_members_first_reply_is_seen_by_its_author_and_moderators_only(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    bob = await world.member("acme", "bob@example.com")
    held = await reply(world, bob, thread, "Unplug it for ten seconds.")
    url = f"/t/{thread.id}/{thread.slug}"

    assert "Unplug it" not in (await client_for().get(url)).text
    asker = await logged_in(client_for, "ann@example.com")
    assert "Unplug it" not in (await asker.get(url)).text
    author = await logged_in(client_for, "bob@example.com")
    mine = unescape(post_html((await author.get(url)).text, held.id))
    assert "Unplug it" in mine and "Awaiting review" in mine
    mod = await moderator(world, client_for)
    assert "Unplug it" in (await mod.get(url)).text
    await shows_in_queue(mod, await queued(world, held), "New member's first post")


async def test_a_pre_moderated_category_holds_every_members_posts(
    client_for: Any, world: World
) -> None:
    await premoderate(world, "billing")
    ann = await world.member("acme", "ann@example.com")
    billing = await ask(world, ann, "Why was I charged twice?", "Two lines on my bill.", category="billing")  # fmt: skip
    general = await ask(world, ann, "Router keeps rebooting", "Every night at two.")
    held, free = await opening_post(world, billing), await opening_post(world, general)
    assert held.visibility == Visibility.PENDING
    assert free.visibility == Visibility.PUBLISHED and await item_of(world, free) is None
    item = await queued(world, held)
    assert item.reasons == ["premoderated"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Pre-moderated category")
    assert (await client_for().get(f"/t/{billing.id}/{billing.slug}")).status_code == 404


async def test_links_from_a_new_member_wait_but_not_from_a_regular(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    vera = await world.member("acme", "vera@example.com")
    thread = await world.thread("acme", ann)
    await world.thread("acme", vera, title="Three published posts here", replies=2)
    await moderation_rules(world, premoderate_first_posts=0, posts_per_minute=10_000)
    newcomer = await reply(world, ann, thread, "See https://help.example.org/reset")
    regular = await reply(world, vera, thread, "Or https://help.example.org/faq")
    assert (await fetch(world, Post, newcomer.id)).visibility == Visibility.PENDING
    assert (await fetch(world, Post, regular.id)).visibility == Visibility.PUBLISHED
    assert await item_of(world, regular) is None
    item = await queued(world, newcomer)
    assert item.reasons == ["links_from_new_member"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Links from a new member")


async def test_links_to_a_blocked_domain_or_its_subdomains_wait(
    client_for: Any, world: World
) -> None:
    await trusting(world, blocked_domains=["spam.example"])
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    blocked = await reply(world, ann, thread, "Deals at https://shop.spam.example/watches")
    fine = await reply(world, ann, thread, "Docs at https://docs.example.org/watches")
    assert (await fetch(world, Post, blocked.id)).visibility == Visibility.PENDING
    assert (await fetch(world, Post, fine.id)).visibility == Visibility.PUBLISHED
    item = await queued(world, blocked)
    assert item.reasons == ["blocked_domain"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Blocked domain")


async def test_the_same_text_twice_within_a_day_waits(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    first = await reply(world, ann, thread, "Buy my   course at a discount!")
    again = await reply(world, ann, thread, "buy my course AT a discount!")
    assert (await fetch(world, Post, first.id)).visibility == Visibility.PUBLISHED
    assert (await fetch(world, Post, again.id)).visibility == Visibility.PENDING
    item = await queued(world, again)
    assert item.reasons == ["repeated_text"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Same text posted again")


async def test_the_same_text_after_a_day_is_fine(world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    first = await reply(world, ann, thread, "Weekly reminder: update your firmware.")
    async with world.unit() as session:
        await session.execute(
            update(Post)
            .where(Post.id == first.id)
            .values(created_at=utcnow() - timedelta(hours=25))
        )
    again = await reply(world, ann, thread, "Weekly reminder: update your firmware.")
    assert (await fetch(world, Post, again.id)).visibility == Visibility.PUBLISHED
    assert await item_of(world, again) is None


async def test_abusive_language_waits(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    rude = await reply(world, bob, thread, "Only a C0NNARD!!! would ask that.")
    assert (await fetch(world, Post, rude.id)).visibility == Visibility.PENDING
    assert "C0NNARD" not in (await client_for().get(f"/t/{thread.id}/{thread.slug}")).text
    item = await queued(world, rude)
    assert item.reasons == ["abusive_language"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Abusive language")


async def test_posting_too_fast_waits(client_for: Any, world: World) -> None:
    await trusting(world, posts_per_minute=3)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)  # 1
    posts = [await reply(world, ann, thread, f"Update number {n}") for n in (2, 3, 4)]
    states = [(await fetch(world, Post, p.id)).visibility for p in posts]
    assert states == [Visibility.PUBLISHED, Visibility.PUBLISHED, Visibility.PENDING]
    item = await queued(world, posts[-1])
    assert item.reasons == ["posting_rate"]
    mod = await moderator(world, client_for)
    await shows_in_queue(mod, item, "Posting too fast")


async def test_personal_data_is_masked_for_the_public_only(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Call me on 06 12 34 56 78 or bob@example.org")
    url = f"/t/{thread.id}/{thread.slug}"
    assert (await fetch(world, Post, post.id)).visibility == Visibility.PUBLISHED

    for viewer in (client_for(), await logged_in(client_for, "ann@example.com")):
        seen = unescape(post_html((await viewer.get(url)).text, post.id))
        assert "Call me on [phone number hidden] or [email hidden]" in seen
        assert "06 12 34 56 78" not in seen and "bob@example.org" not in seen
    author = await logged_in(client_for, "bob@example.com")
    assert "06 12 34 56 78" in post_html((await author.get(url)).text, post.id)
    mod = await moderator(world, client_for)
    assert "06 12 34 56 78" in post_html((await mod.get(url)).text, post.id)
    item = await queued(world, post)
    assert item.reasons == ["personal_data"]
    await shows_in_queue(mod, item, "Personal data (masked)")


async def test_the_first_flag_reaches_the_queue_with_its_reason_and_note(
    client_for: Any, world: World
) -> None:
    await moderation_rules(world, premoderate_first_posts=0)  # flag threshold: 3
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    spam = await reply(world, ann, thread, "Cheap watches, best prices")
    await world.member("acme", "fred@example.com")
    flagger = await logged_in(client_for, "fred@example.com")
    sent = await flagger.submit(f"/p/{spam.id}/flag", {"reason": "other", "note": "Sells fakes"})
    assert sent.status_code == 303

    item = await queued(world, spam)
    assert item.reasons == ["flagged"] and item.state == ItemState.OPEN
    mod = await moderator(world, client_for)
    assert "1 open" in text_of(await mod.get("/mod/queue")), "the header and figures count it"
    html = await shows_in_queue(mod, item, "Flagged by members")
    assert "1 flag from members" in html
    assert "Something else" in html and "“Sells fakes”" in html and "Fred" in html
    url = f"/t/{thread.id}/{thread.slug}"
    assert "Cheap watches" in (await client_for().get(url)).text, "one flag does not hide it"


async def test_each_flaggers_reason_is_added_to_the_same_item(
    client_for: Any, world: World
) -> None:
    await moderation_rules(world, premoderate_first_posts=0)  # flag threshold: 3
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    spam = await reply(world, ann, thread, "Cheap watches, best prices")
    first = await quick_member(world, "acme", "Flora")
    second = await quick_member(world, "acme", "Gus")
    await flag(world, first, spam, "spam")
    item = await queued(world, spam)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(second))
        await moderation.flag_post(scope, spam.id, "abusive", "Insults in the signature")
    assert (await queued(world, spam)).id == item.id, "one item per post, however many flags"

    mod = await moderator(world, client_for)
    html = await shows_in_queue(mod, item, "2 flags from members")
    assert html.index("Flora") < html.index("Gus"), "oldest flag first"
    assert "Spam" in html and "Abusive" in html and "“Insults in the signature”" in html
    assert html.count("queue-flags-title") == 1
    [listed] = (await mod.get("/api/v1/mod/queue")).json()
    assert listed["id"] == item.id
    assert [(f["member_name"], f["reason"], f["note"]) for f in listed["flags"]] == [
        ("Flora", "spam", ""),
        ("Gus", "abusive", "Insults in the signature"),
    ]


async def test_enough_flags_hide_a_post(client_for: Any, world: World) -> None:
    await moderation_rules(world, premoderate_first_posts=0)  # flag threshold: 3
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    spam = await reply(world, ann, thread, "Cheap watches, best prices")
    url = f"/t/{thread.id}/{thread.slug}"
    flaggers = [await quick_member(world, "acme", f"Flagger{n}") for n in range(3)]
    for flagger in flaggers[:2]:
        await flag(world, flagger, spam)
    assert "Cheap watches" in (await client_for().get(url)).text, "two flags do not hide it"
    await flag(world, flaggers[2], spam, "abusive")
    assert "Cheap watches" not in (await client_for().get(url)).text
    assert (await fetch(world, Post, spam.id)).visibility == Visibility.HIDDEN
    item = await queued(world, spam)
    assert item.reasons == ["flagged"]
    mod = await moderator(world, client_for)
    assert "3 flags from members" in await shows_in_queue(mod, item, "Flagged by members")


async def test_experts_agents_and_moderators_skip_pre_moderation(world: World) -> None:
    await moderation_rules(world)
    await premoderate(world, "billing")
    body = "Official answer, see https://help.example.org/billing"
    for role in (Role.EXPERT, Role.AGENT, Role.MODERATOR, Role.ADMIN):
        staff = await quick_member(world, "acme", f"Staff{role.value}", role)
        thread = await ask(world, staff, f"Billing note by {role.value}", body, category="billing")
        first = await opening_post(world, thread)
        assert first.visibility == Visibility.PUBLISHED, role
        assert await item_of(world, first) is None, role
    member = await quick_member(world, "acme", "Plain")
    thread = await ask(world, member, "Billing note by a member", body, category="billing")
    item = await queued(world, await opening_post(world, thread))
    assert item.reasons == ["first_posts", "links_from_new_member", "premoderated"]


async def test_an_experts_personal_data_is_still_masked(world: World) -> None:
    await moderation_rules(world)
    expert = await quick_member(world, "acme", "Eve", Role.EXPERT)
    thread = await ask(world, expert, "Contact for escalations", "Write to eve@example.org")
    first = await opening_post(world, thread)
    assert first.visibility == Visibility.PUBLISHED
    assert first.public_html is not None and "[email hidden]" in first.public_html
    assert (await queued(world, first)).reasons == ["personal_data"]


# ---- flags --------------------------------------------------------------------------------------


async def test_flag_once_not_ones_own_and_other_needs_a_note(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Visit my shop")
    flagger = await logged_in(client_for, "ann@example.com")
    url = f"/t/{thread.id}/{thread.slug}"
    page = (await flagger.get(url)).text
    assert f'action="/p/{post.id}/flag"' in page
    first = await opening_post(world, thread)
    assert f'action="/p/{first.id}/flag"' not in page, "no flag form on one's own post"

    done = await flagger.submit(f"/p/{post.id}/flag", {"reason": "spam"})
    assert done.status_code == 303 and done.headers["location"].endswith(f"#p{post.id}")
    again = await flagger.submit(f"/p/{post.id}/flag", {"reason": "abusive"})
    assert again.status_code == 422 and "You already flagged this post." in again.text
    own = await flagger.submit(f"/p/{first.id}/flag", {"reason": "spam"})
    assert own.status_code == 422 and "You cannot flag your own post." in own.text
    assert [f.reason.value for f in await flags_on(world, post)] == ["spam"]

    await world.member("acme", "cid@example.com")
    other = await logged_in(client_for, "cid@example.com")
    bare = await other.submit(f"/p/{post.id}/flag", {"reason": "other", "note": "  "})
    assert bare.status_code == 422 and "Tell the moderators what is wrong." in bare.text
    noted = await other.submit(f"/p/{post.id}/flag", {"reason": "other", "note": "Off-site sales"})
    assert noted.status_code == 303
    assert [(f.reason.value, f.note) for f in await flags_on(world, post)] == [
        ("spam", ""),
        ("other", "Off-site sales"),
    ]
    assert [kind for kind, _ in await notifications(world, ann)] == ["flag_received"]


async def test_flag_with_htmx_returns_the_thank_you_fragment(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Visit my shop")
    flagger = await logged_in(client_for, "ann@example.com")
    response = await flagger.htmx(f"/p/{post.id}/flag", {"reason": "spam"})
    assert response.status_code == 200
    assert "Thank you: the moderators will look at it." in response.text
    assert "<html" not in response.text
    again = await flagger.htmx(f"/p/{post.id}/flag", {"reason": "spam"})
    assert again.status_code == 422 and "You already flagged this post." in again.text
    assert again.headers["HX-Retarget"] == "#flash"


async def test_the_flag_that_reaches_the_threshold_works_without_javascript(
    client_for: Any, world: World
) -> None:
    await trusting(world, flag_threshold=1)
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Visit my shop")
    flagger = await logged_in(client_for, "ann@example.com")
    response = await flagger.submit(f"/p/{post.id}/flag", {"reason": "spam"})
    assert response.status_code == 303, "the flag hides the post; the flagger is sent back"
    assert response.headers["location"].startswith(f"/t/{thread.id}/{thread.slug}")
    assert len(await flags_on(world, post)) == 1
    assert (await fetch(world, Post, post.id)).visibility == Visibility.HIDDEN


async def test_flaggers_hear_whether_moderators_agreed(world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    thread = await world.thread("acme", ann)
    bad = await reply(world, ann, thread, "Cheap watches here")
    fine = await reply(world, ann, thread, "A perfectly fine answer")
    kept = [await quick_member(world, "acme", f"Kept{n}") for n in range(3)]
    upheld = [await quick_member(world, "acme", f"Upheld{n}") for n in range(3)]
    for flagger in upheld:
        await flag(world, flagger, bad)
    for flagger in kept:
        await flag(world, flagger, fine, "off_topic")
    await decide(world, mod, await queued(world, bad), "hide")
    await decide(world, mod, await queued(world, fine), "approve")

    for flagger in upheld:
        assert [k for k, _ in await notifications(world, flagger)] == [
            "flag_received",
            "flag_upheld",
        ]
    for flagger in kept:
        assert [k for k, _ in await notifications(world, flagger)] == [
            "flag_received",
            "flag_dismissed",
        ]
    assert {f.outcome for f in await flags_on(world, bad)} == {FlagOutcome.UPHELD}
    assert {f.outcome for f in await flags_on(world, fine)} == {FlagOutcome.DISMISSED}
    assert (await fetch(world, Post, fine.id)).visibility == Visibility.PUBLISHED


async def test_a_flaggers_notification_does_not_reveal_masked_personal_data(world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    bob = await quick_member(world, "acme", "Bob")
    thread = await world.thread("acme", ann)
    post = await reply(world, ann, thread, "Text me on 06 12 34 56 78")
    await flag(world, bob, post)
    [(kind, text)] = await notifications(world, bob)
    assert kind == "flag_received"
    assert "06 12 34 56 78" not in text, "the public only ever sees the masked text"


# ---- decisions ----------------------------------------------------------------------------------


async def held_reply(world: World, body: str = "Visit my shop at cheap-prices") -> tuple[Post, Any]:
    """Ann's published thread with a pre-moderated first reply by Bob."""
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await moderation_rules(world)
    bob = await world.member("acme", "bob@example.com")
    return await reply(world, bob, thread, body), thread


async def test_approve_makes_the_post_public(client_for: Any, world: World) -> None:
    post, thread = await held_reply(world)
    url = f"/t/{thread.id}/{thread.slug}"
    assert "Visit my shop" not in (await client_for().get(url)).text
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    response = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    assert response.status_code == 303 and response.headers["location"] == "/mod/queue"
    assert "Visit my shop" in (await client_for().get(url)).text
    assert (await fetch(world, QueueItem, item.id)).state == ItemState.APPROVED
    assert queue_item_html((await mod.get("/mod/queue")).text, item.id) == ""


async def test_reject_needs_a_reason_that_the_author_then_sees(
    client_for: Any, world: World
) -> None:
    post, thread = await held_reply(world)
    url = f"/t/{thread.id}/{thread.slug}"
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    bare = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "reject", "note": " "})
    assert bare.status_code == 422
    assert "Give the author a reason for the rejection." in bare.text
    assert (await fetch(world, QueueItem, item.id)).state == ItemState.OPEN

    done = await mod.submit(
        f"/mod/queue/{item.id}/decide", {"action": "reject", "note": "No advertising here."}
    )
    assert done.status_code == 303
    author = await logged_in(client_for, "bob@example.com")
    mine = unescape(post_html((await author.get(url)).text, post.id))
    assert "Rejected by a moderator: No advertising here." in mine
    assert "Visit my shop" not in (await client_for().get(url)).text
    asker = await logged_in(client_for, "ann@example.com")
    assert "Visit my shop" not in (await asker.get(url)).text
    bob = await fetch(world, Member, post.author_id)
    assert await notifications(world, bob) == [("post_rejected", "No advertising here.")]
    notices = text_of(await author.get("/notifications"))
    assert "Your post was rejected: No advertising here." in notices


async def test_the_rejection_notice_links_to_a_page_the_author_can_open(
    client_for: Any, world: World
) -> None:
    post, _ = await held_reply(world)
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    await decide(world, mod, await queued(world, post), "reject", "No advertising here.")
    author = await logged_in(client_for, "bob@example.com")
    opened = re.findall(r'href="(/notifications/\d+)"', (await author.get("/notifications")).text)
    assert f"/p/{post.id}" in [(await author.get(url)).headers["location"] for url in opened]
    link = await author.get(f"/p/{post.id}")
    assert link.status_code in {301, 302, 303, 307}, "the author follows their notification"
    page = await author.get(link.headers["location"].split("#")[0])
    assert "Rejected by a moderator: No advertising here." in text_of(page)


async def test_moderators_can_open_a_held_post_from_the_queue(
    client_for: Any, world: World
) -> None:
    post, thread = await held_reply(world)
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    assert f'href="/p/{post.id}"' in queue_item_html((await mod.get("/mod/queue")).text, item.id)
    link = await mod.get(f"/p/{post.id}")
    assert link.status_code in {301, 302, 303, 307}
    assert link.headers["location"].startswith(f"/t/{thread.id}/{thread.slug}")


async def test_hide_takes_a_post_down_and_tells_its_author(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    post = await reply(world, bob, thread, "Only a C0NNARD would ask")
    url = f"/t/{thread.id}/{thread.slug}"
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    done = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "hide", "note": "Be kind."})
    assert done.status_code == 303
    assert (await fetch(world, Post, post.id)).visibility == Visibility.HIDDEN
    assert "C0NNARD" not in (await client_for().get(url)).text
    assert await notifications(world, bob) == [("post_hidden", "Be kind.")]


async def test_delete_soft_deletes_the_post(client_for: Any, world: World) -> None:
    post, thread = await held_reply(world)
    url = f"/t/{thread.id}/{thread.slug}"
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    done = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "delete"})
    assert done.status_code == 303
    gone = await fetch(world, Post, post.id)
    assert gone is not None and gone.deleted_at is not None, "kept, marked deleted"
    assert "Visit my shop" not in (await client_for().get(url)).text
    author = await logged_in(client_for, "bob@example.com")
    assert "Visit my shop" not in (await author.get(url)).text
    assert [
        k for k, _ in await notifications(world, await fetch(world, Member, post.author_id))
    ] == ["post_deleted"]


async def test_moderators_can_edit_a_held_post(client_for: Any, world: World) -> None:
    post, _ = await held_reply(world, "Call me on 06 12 34 56 78 for the fix")
    mod = await moderator(world, client_for)
    form = await mod.get(f"/p/{post.id}/edit")
    assert form.status_code == 200 and "06 12 34 56 78" in form.text
    saved = await mod.submit(f"/p/{post.id}/edit", {"body": "Ask me here for the fix"})
    assert saved.status_code == 303
    edited = await fetch(world, Post, post.id)
    assert edited.body_md == "Ask me here for the fix" and edited.public_html is None
    member = await logged_in(client_for, "ann@example.com")
    assert (await member.get(f"/p/{post.id}/edit")).status_code == 404, "not hers, not public"


async def test_inline_htmx_actions_return_fragments(client_for: Any, world: World) -> None:
    post, _ = await held_reply(world)
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    claimed = await mod.htmx(f"/mod/queue/{item.id}/claim", {})
    assert claimed.status_code == 200 and "<html" not in claimed.text
    assert f'id="item-{item.id}"' in claimed.text and "You hold this item" in claimed.text
    released = await mod.htmx(f"/mod/queue/{item.id}/release", {})
    assert released.status_code == 200 and ">Claim</button>" in released.text
    refused = await mod.htmx(f"/mod/queue/{item.id}/decide", {"action": "reject", "note": ""})
    assert refused.status_code == 422 and refused.headers["HX-Retarget"] == "#flash"
    assert "Give the author a reason for the rejection." in refused.text
    decided = await mod.htmx(f"/mod/queue/{item.id}/decide", {"action": "approve", "note": ""})
    assert decided.status_code == 200 and "<html" not in decided.text
    assert f'id="item-{item.id}"' in decided.text and "Done: approved." in decided.text


async def test_every_decision_is_in_the_audit_log(world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    thread = await world.thread("acme", ann)
    posts = [await reply(world, ann, thread, f"Idiot number {n}") for n in range(4)]
    for post, action in zip(posts, ("approve", "reject", "hide", "delete"), strict=True):
        await decide(world, mod, await queued(world, post), action, f"Because {action}")
    rows = await audit_rows(world)
    assert [(r.action, r.subject_type, r.subject_id, r.actor_id, r.reason) for r in rows] == [
        ("queue.approve", "post", posts[0].id, mod.id, "Because approve"),
        ("queue.reject", "post", posts[1].id, mod.id, "Because reject"),
        ("queue.hide", "post", posts[2].id, mod.id, "Because hide"),
        ("queue.delete", "post", posts[3].id, mod.id, "Because delete"),
    ]
    assert rows[1].before == {"visibility": "pending", "state": "open"}
    assert rows[1].after == {"visibility": "rejected", "state": "rejected"}


async def test_a_decided_item_cannot_be_decided_again(client_for: Any, world: World) -> None:
    post, _ = await held_reply(world)
    mod = await moderator(world, client_for)
    item = await queued(world, post)
    assert (
        await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    ).status_code == 303
    again = await mod.submit(f"/mod/queue/{item.id}/decide", {"action": "delete"})
    assert again.status_code == 422 and "This item was already decided." in again.text
    assert (await fetch(world, Post, post.id)).deleted_at is None


# ---- who may do what ----------------------------------------------------------------------------


async def test_members_are_refused_every_moderation_page_and_action(
    client_for: Any, world: World
) -> None:
    post, _ = await held_reply(world)
    item = await queued(world, post)
    member = await logged_in(client_for, "ann@example.com")
    bob_id = post.author_id
    assert (await member.get("/mod/queue")).status_code == 403
    for url, data in [
        (f"/mod/queue/{item.id}/claim", {}),
        (f"/mod/queue/{item.id}/release", {}),
        (f"/mod/queue/{item.id}/decide", {"action": "approve"}),
        (f"/mod/members/{bob_id}/ban", {"days": "7", "reason": "Spam"}),
        (f"/mod/members/{bob_id}/unban", {}),
        (f"/admin/members/{bob_id}/role", {"role": "moderator"}),
    ]:
        assert (await member.submit(url, data)).status_code == 403, url
    for url in ("/admin/members", "/admin/audit"):
        assert (await member.get(url)).status_code == 403, url
    assert (await fetch(world, QueueItem, item.id)).state == ItemState.OPEN
    assert (await fetch(world, Member, bob_id)).banned_until is None
    assert 'data-testid="queue-link"' not in (await member.get("/")).text
    guest = client_for()
    assert (await guest.get("/mod/queue")).headers["location"] == "/login?next=/mod/queue"


async def test_moderators_are_refused_the_admin_pages(client_for: Any, world: World) -> None:
    bob = await world.member("acme", "bob@example.com")
    mod = await moderator(world, client_for)
    assert (await mod.get("/admin/members")).status_code == 403
    assert (await mod.get("/admin/audit")).status_code == 403
    refused = await mod.submit(f"/admin/members/{bob.id}/role", {"role": "moderator"})
    assert refused.status_code == 403
    assert (await fetch(world, Member, bob.id)).role == Role.MEMBER


# ---- claims -------------------------------------------------------------------------------------


async def test_an_item_claimed_by_another_moderator_waits_until_released(
    client_for: Any, world: World
) -> None:
    post, _ = await held_reply(world)
    item = await queued(world, post)
    alice = await moderator(world, client_for, "alice")
    carl = await moderator(world, client_for, "carl")
    assert (await alice.submit(f"/mod/queue/{item.id}/claim", {})).status_code == 303

    html = await shows_in_queue(carl, item, "Claimed by Alice")
    assert f'action="/mod/queue/{item.id}/decide"' not in html
    blocked = await carl.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    assert blocked.status_code == 422 and "Claimed by Alice" in blocked.text
    stolen = await carl.submit(f"/mod/queue/{item.id}/claim", {})
    assert stolen.status_code == 422 and "Already claimed by Alice." in stolen.text
    ignored = await carl.submit(f"/mod/queue/{item.id}/release", {})
    assert ignored.status_code == 303
    assert (await fetch(world, QueueItem, item.id)).claimed_by_id is not None

    assert (await alice.submit(f"/mod/queue/{item.id}/release", {})).status_code == 303
    done = await carl.submit(f"/mod/queue/{item.id}/decide", {"action": "approve"})
    assert done.status_code == 303
    decided = await fetch(world, QueueItem, item.id)
    assert decided.state == ItemState.APPROVED
    [entry] = await audit_rows(world)
    assert entry.action == "queue.approve"
    assert (await fetch(world, Member, entry.actor_id)).display_name == "Carl"
    assert decided.decided_by_id == entry.actor_id


async def test_an_expired_claim_no_longer_blocks(client_for: Any, world: World) -> None:
    post, _ = await held_reply(world)
    item = await queued(world, post)
    alice = await moderator(world, client_for, "alice")
    carl = await moderator(world, client_for, "carl")
    assert (await alice.submit(f"/mod/queue/{item.id}/claim", {})).status_code == 303
    async with world.unit() as session:
        await session.execute(
            update(QueueItem)
            .where(QueueItem.id == item.id)
            .values(claimed_until=utcnow() - timedelta(minutes=1))
        )
    assert (await carl.submit(f"/mod/queue/{item.id}/claim", {})).status_code == 303
    done = await carl.submit(f"/mod/queue/{item.id}/decide", {"action": "hide"})
    assert done.status_code == 303
    assert (await fetch(world, QueueItem, item.id)).state == ItemState.HIDDEN


# ---- bans ---------------------------------------------------------------------------------------


async def test_a_suspended_member_can_neither_post_nor_log_in(
    client_for: Any, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    session_before = await logged_in(client_for, "bob@example.com")
    mod = await moderator(world, client_for)
    banned = await mod.submit(f"/mod/members/{bob.id}/ban", {"days": "7", "reason": "Spamming links"})  # fmt: skip
    assert banned.status_code == 303 and banned.headers["location"] == f"/u/{bob.id}"
    until = format_date(utcnow() + timedelta(days=7), "medium", locale="en")  # "Dec 9, 2026"

    profile = text_of(await mod.get(f"/u/{bob.id}"))
    assert 'data-testid="banned"' in profile
    assert f"Suspended until {until}." in profile and "Spamming links" in profile

    # The ban ended the session he had: his old cookie is a guest's, sent to log in.
    replied = await session_before.submit(f"/t/{thread.id}/reply", {"body": "Still here!"})
    assert replied.status_code == 303 and replied.headers["location"].startswith("/login")
    asked = await session_before.submit(
        "/ask",
        {"category": "general", "kind": "question", "title": "Am I banned now?", "body": "?"},
    )
    assert asked.status_code == 303 and asked.headers["location"].startswith("/login")

    login = await client_for().submit("/login", {"email": "bob@example.com", "password": PASSWORD})
    assert login.status_code == 403
    shown = text_of(login)
    assert 'data-testid="suspended"' in shown
    assert f"suspended until {until}" in shown and "Spamming links" in shown
    [entry] = [r for r in await audit_rows(world) if r.action == "member.ban"]
    assert entry.subject_id == bob.id and entry.reason == "Spamming links"


async def test_the_suspension_notice_on_the_login_page_is_shown_once(
    client_for: Any, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(mod))
        await moderation.ban(scope, bob.id, days=3, reason="Rude")
    login = await client_for().submit("/login", {"email": "bob@example.com", "password": PASSWORD})
    assert login.status_code == 403
    assert login.text.count('data-testid="suspended"') == 1, "once, not inside the password field"


async def test_a_suspended_member_cannot_edit_their_posts_either(
    client_for: Any, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", bob)
    first = await opening_post(world, thread)
    author = await logged_in(client_for, "bob@example.com")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(mod))
        await moderation.ban(scope, bob.id, days=7, reason="Spam")
    edited = await author.submit(f"/p/{first.id}/edit", {"body": "Buy cheap watches now!"})
    assert edited.status_code == 303 and edited.headers["location"].startswith("/login")
    assert (await fetch(world, Post, first.id)).body_md != "Buy cheap watches now!"


async def test_a_permanent_ban_and_lifting_it(client_for: Any, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    mod = await moderator(world, client_for)
    banned = await mod.submit(
        f"/mod/members/{bob.id}/ban", {"days": "permanent", "reason": "Fraud"}
    )
    assert banned.status_code == 303
    until = (await fetch(world, Member, bob.id)).banned_until
    assert until is not None and until > utcnow() + timedelta(days=365 * 50)
    refused = await client_for().submit(
        "/login", {"email": "bob@example.com", "password": PASSWORD}
    )
    assert refused.status_code == 403 and "Fraud" in refused.text
    assert "Lift the suspension" in (await mod.get(f"/u/{bob.id}")).text

    lifted = await mod.submit(f"/mod/members/{bob.id}/unban", {})
    assert lifted.status_code == 303
    assert 'data-testid="banned"' not in (await mod.get(f"/u/{bob.id}")).text
    back = await logged_in(client_for, "bob@example.com")
    assert (
        await back.submit(f"/t/{thread.id}/reply", {"body": "Sorry, I'm back."})
    ).status_code == 303
    assert [r.action for r in await audit_rows(world)] == ["member.ban", "member.unban"]


async def test_moderators_and_admins_cannot_be_banned(client_for: Any, world: World) -> None:
    other = await world.member("acme", "other@example.com", Role.MODERATOR)
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    mod = await moderator(world, client_for)
    for target in (other, admin):
        refused = await mod.submit(f"/mod/members/{target.id}/ban", {"days": "7", "reason": "No"})
        assert refused.status_code == 403
        assert "Moderators and admins cannot be banned from here." in refused.text
        assert (await fetch(world, Member, target.id)).banned_until is None
        assert 'action="/mod/members/' not in (await mod.get(f"/u/{target.id}")).text
    assert await audit_rows(world) == []


@pytest.mark.parametrize("days", ["abc", "0", "-3", "4000", "1.5"])
async def test_a_ban_needs_a_sensible_duration(client_for: Any, world: World, days: str) -> None:
    bob = await world.member("acme", "bob@example.com")
    mod = await moderator(world, client_for)
    refused = await mod.submit(f"/mod/members/{bob.id}/ban", {"days": days, "reason": "Spam"})
    assert refused.status_code == 422
    assert "A suspension lasts 1 to 3650 days." in refused.text
    assert (await fetch(world, Member, bob.id)).banned_until is None


async def test_a_ban_needs_a_reason(client_for: Any, world: World) -> None:
    bob = await world.member("acme", "bob@example.com")
    mod = await moderator(world, client_for)
    refused = await mod.submit(f"/mod/members/{bob.id}/ban", {"days": "7", "reason": "  "})
    assert refused.status_code == 422 and "Give the member a reason." in refused.text
    assert (await fetch(world, Member, bob.id)).banned_until is None


async def test_the_profile_page_title_is_only_the_members_name(
    client_for: Any, world: World
) -> None:
    bob = await world.member("acme", "bob@example.com")
    mod = await moderator(world, client_for)
    page = await mod.get(f"/u/{bob.id}")
    assert unescape(title_of(page.text)) == "Bob · Acme Community"
    assert page.text.count(f'action="/mod/members/{bob.id}/ban"') == 1


# ---- roles and the audit log --------------------------------------------------------------------


async def test_admins_change_roles_from_the_members_page(client_for: Any, world: World) -> None:
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    bob = await world.member("acme", "bob@example.com")
    boss = await logged_in(client_for, "admin@example.com")
    listing = await boss.get("/admin/members")
    assert listing.status_code == 200
    assert f'id="role-{bob.id}"' in listing.text and "bob@example.com" in listing.text
    assert f'id="role-{admin.id}"' not in listing.text, "no select for one's own role"

    changed = await boss.submit(f"/admin/members/{bob.id}/role", {"role": "expert"})
    assert changed.status_code == 303 and changed.headers["location"] == "/admin/members"
    assert 'class="role role-expert"' in (await boss.get(f"/u/{bob.id}")).text
    [entry] = await audit_rows(world)
    assert (entry.action, entry.subject_id, entry.actor_id) == ("member.role", bob.id, admin.id)
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "expert"})

    assert (
        await boss.submit(f"/admin/members/{bob.id}/role", {"role": "moderator"})
    ).status_code == 303
    promoted = await logged_in(client_for, "bob@example.com")
    assert (await promoted.get("/mod/queue")).status_code == 200


async def test_an_admin_cannot_change_their_own_role_nor_give_an_unknown_one(
    client_for: Any, world: World
) -> None:
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    bob = await world.member("acme", "bob@example.com")
    boss = await logged_in(client_for, "admin@example.com")
    own = await boss.submit(f"/admin/members/{admin.id}/role", {"role": "member"})
    assert own.status_code == 422 and "You cannot change your own role." in own.text
    unknown = await boss.submit(f"/admin/members/{bob.id}/role", {"role": "overlord"})
    assert unknown.status_code == 422 and "Unknown role." in unknown.text
    assert (await fetch(world, Member, admin.id)).role == Role.ADMIN
    assert (await fetch(world, Member, bob.id)).role == Role.MEMBER
    assert await audit_rows(world) == []


async def test_the_audit_log_filters_by_action_and_actor(client_for: Any, world: World) -> None:
    await trusting(world)
    admin = await world.member("acme", "admin@example.com", Role.ADMIN)
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    rude = await reply(world, ann, thread, "What an idiot question")
    await decide(world, mod, await queued(world, rude), "reject", "Be civil")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.merge(mod))
        await moderation.ban(scope, ann.id, days=1, reason="Rude")
        await moderation.change_role(scope.acting_as(await session.merge(admin)), mod.id, "admin")

    reader = await logged_in(client_for, "admin@example.com")
    everything = await reader.get("/admin/audit")
    assert everything.status_code == 200
    for action in ("queue.reject", "member.ban", "member.role"):
        assert f"<code>{action}</code>" in everything.text
    queue_only = await reader.get("/admin/audit?action=queue")
    assert "<code>queue.reject</code>" in queue_only.text and "Be civil" in queue_only.text
    assert "<code>member." not in queue_only.text
    members_only = (await reader.get("/admin/audit?action=member")).text
    assert "<code>member.ban</code>" in members_only and "<code>member.role</code>" in members_only
    assert "<code>queue." not in members_only
    by_admin = (await reader.get(f"/admin/audit?actor={admin.id}")).text
    assert "<code>member.role</code>" in by_admin and "<code>member.ban</code>" not in by_admin


async def test_the_audit_filter_form_works_with_anyone_selected(
    client_for: Any, world: World
) -> None:
    await world.member("acme", "admin@example.com", Role.ADMIN)
    reader = await logged_in(client_for, "admin@example.com")
    page = await reader.get("/admin/audit?action=queue&actor=")  # what the form sends
    assert page.status_code == 200 and "Audit log" in page.text


# ---- the queue itself: figures, header count, filters --------------------------------------------


async def test_the_queue_shows_its_figures_and_moderators_see_the_count(
    client_for: Any, world: World
) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    mod = await quick_member(world, "acme", "Mod", Role.MODERATOR)
    thread = await world.thread("acme", ann)
    posts = [await reply(world, ann, thread, f"You idiot number {n}") for n in range(5)]
    items = [await queued(world, p) for p in posts]
    for item, minutes in zip(items[2:], (10, 20, 60), strict=True):
        await decide(world, mod, item, "approve")
        await backdate_item(world, item, created=timedelta(minutes=minutes + 5), decided=timedelta(minutes=5))  # fmt: skip
    await backdate_item(world, items[0], created=timedelta(minutes=90))
    await backdate_item(world, items[1], created=timedelta(minutes=30))

    async with world.unit() as session:
        figures = await moderation.queue_figures(await world.scope(session, "acme", mod))
    assert figures == moderation.QueueFigures(2, 90, 20.0)

    await world.member("acme", "watcher@example.com", Role.MODERATOR)
    watcher = await logged_in(client_for, "watcher@example.com")
    page = await watcher.get("/mod/queue")
    assert "2 open" in page.text and "oldest waiting 90 min" in page.text
    assert "median time to decision 20 min" in page.text
    assert page.text.index(f'id="item-{items[0].id}"') < page.text.index(f'id="item-{items[1].id}"')
    home = await watcher.get("/")
    assert 'data-testid="queue-link">Queue <span class="count">2</span>' in home.text


async def test_the_queue_filters_by_reason_and_category(client_for: Any, world: World) -> None:
    await trusting(world)
    ann = await world.member("acme", "ann@example.com")
    general = await world.thread("acme", ann)
    billing = await world.thread("acme", ann, title="Charged twice this month", category="billing")
    rude = await reply(world, ann, general, "Stupid router")
    leak = await reply(world, ann, billing, "My card is 4111 1111 1111 1111")
    rude_item, leak_item = await queued(world, rude), await queued(world, leak)
    mod = await moderator(world, client_for)

    everything = (await mod.get("/mod/queue")).text
    assert queue_item_html(everything, rude_item.id) and queue_item_html(everything, leak_item.id)
    by_reason = (await mod.get("/mod/queue?reason=abusive_language")).text
    assert queue_item_html(by_reason, rude_item.id) and not queue_item_html(by_reason, leak_item.id)
    by_category = (await mod.get("/mod/queue?category=billing")).text
    assert queue_item_html(by_category, leak_item.id)
    assert not queue_item_html(by_category, rude_item.id)
    both = (await mod.get("/mod/queue?category=billing&reason=abusive_language")).text
    assert "Nothing is waiting. Well done!" in both
    assert (await mod.get("/mod/queue?reason=bogus")).status_code == 422
    assert (await mod.get("/mod/queue?category=nope")).status_code == 404


# ---- rate limits on logging in and registering ----------------------------------------------------


TOO_MANY = "Too many attempts: try again in"  # the rules: tests/identity/test_limits.py


async def test_the_eleventh_login_within_a_minute_is_refused(client_for: Any, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await world.member("globex", "ann@example.com")
    guesser = client_for()
    for n in range(10):  # ten accounts: one account backs off sooner (after five)
        wrong = await guesser.submit(
            "/login", {"email": f"ann{n}@example.com", "password": f"guess-{n}"}
        )
        assert wrong.status_code == 422, n
    blocked = await guesser.submit("/login", {"email": "ann@example.com", "password": PASSWORD})
    assert blocked.status_code == 429 and TOO_MANY in blocked.text
    elsewhere = client_for("globex.test")
    assert (await elsewhere.login("ann@example.com")).status_code == 303, "per community"


async def test_the_eleventh_registration_within_an_hour_is_refused(
    client_for: Any, world: World
) -> None:
    maker = client_for()
    for n in range(10):
        made = await maker.submit(
            "/register",
            {
                "email": f"bot{n}@example.com",
                "display_name": f"Bot {n}",
                "password": "long-enough-1",
            },
        )
        assert made.status_code == 303, n
    blocked = await maker.submit(
        "/register",
        {"email": "bot10@example.com", "display_name": "Bot 10", "password": "long-enough-1"},
    )
    assert blocked.status_code == 429 and TOO_MANY in blocked.text


@pytest.mark.parametrize("days", ["²", "9" * 5000, str(2**63), "0"])
async def test_a_suspension_of_days_no_calendar_has_is_refused(
    client_for: Any, world: World, days: str
) -> None:
    member = await world.member("acme", "ann@example.com")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    moderator = client_for("acme.test")
    await moderator.login("mod@example.com")
    response = await moderator.submit(
        f"/mod/members/{member.id}/ban", {"days": days, "reason": "Spam"}
    )
    assert response.status_code == 422
    assert "A suspension lasts 1 to 3650 days." in response.text


async def test_the_audit_log_filter_ignores_an_actor_no_member_can_be(
    client_for: Any, world: World
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    admin = client_for("acme.test")
    await admin.login("boss@example.com")
    for actor in (str(2**63), "²", "-1"):
        assert (await admin.get("/admin/audit", params={"actor": actor})).status_code == 200
