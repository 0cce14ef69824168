"""Idea boards as members, experts and moderators use them: submit, vote, decide, merge, list."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from community.db import session_scope, utcnow
from community.forums import services as forums
from community.ideas.models import Idea, IdeaStatus, IdeaVote
from community.identity.models import Member, Role
from community.moderation.models import AuditEntry
from community.notify import services as notify
from community.notify.models import Notification, Subscription
from community.scoring.models import Reason, ReputationEvent
from tests.conftest import Client, World
from tests.ideas import (
    BOARD,
    add_members,
    counted_votes,
    idea_ids,
    make_board,
    make_idea,
    merge,
    reload,
    run_jobs,
    set_status,
    shown_votes,
    vote,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def board(world: World) -> str:
    await make_board(world)
    return BOARD


async def notifications_of(world: World, member: Member) -> list[Notification]:
    async with session_scope(world.sessions) as session:
        result = await session.scalars(
            select(Notification).where(Notification.member_id == member.id)
        )
        return list(result.all())


async def reputation(world: World, member: Member) -> int:
    async with session_scope(world.sessions) as session:
        return int(await session.scalar(select(Member.reputation).where(Member.id == member.id)))


async def follows(world: World, member: Member, idea: Idea) -> bool:
    async with session_scope(world.sessions) as session:
        found = await session.scalar(
            select(Subscription.id).where(
                Subscription.member_id == member.id, Subscription.thread_id == idea.thread_id
            )
        )
        return found is not None


def unread_badge(html: str) -> str | None:
    link = re.search(r'data-testid="notifications">(.*?)</a>', html, re.S)
    assert link, "the header links to the notifications"
    count = re.search(r'class="count"[^>]*>(\d+)<', link.group(1))
    return count.group(1) if count else None


def history_items(html: str) -> list[str]:
    section = html.split('class="status-history"', 1)[1].split("</ol>", 1)[0]
    items = section.split("<li>")[1:]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", li)).strip() for li in items]


def official_response(html: str) -> str:
    pattern = r'<section[^>]*data-testid="official-response"[^>]*>(.*?)</section>'
    found = re.search(pattern, html, re.S)
    assert found, "the idea shows an official response"
    return found.group(1)


# ---- submitting ---------------------------------------------------------------------------------


async def test_submit_an_idea_and_see_it(client: Client, world: World, board: str) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    form = await client.get("/ideas/new")
    assert form.status_code == 200 and f'value="{board}"' in form.text
    response = await client.submit(
        "/ideas/new",
        {"board": board, "title": "Dark mode for the dashboard", "body": "My **eyes** hurt."},
    )
    assert response.status_code == 303
    assert re.fullmatch(r"/ideas/\d+", response.headers["location"])
    page = await client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Dark mode for the dashboard" in page.text and "<strong>eyes</strong>" in page.text
    assert 'class="idea-status status-new">New<' in page.text
    assert "Stop following" in page.text, "the author follows their idea"
    listed = await client.get("/ideas")
    assert "Dark mode for the dashboard" in listed.text


async def test_similar_ideas_are_shown_before_posting_a_twin(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    first = await make_idea(world, ann, "Export invoices as CSV files")
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    typed = {"board": board, "title": "Allow exporting invoices", "body": "Bob's own words"}
    response = await client.submit("/ideas/new", typed)
    assert response.status_code == 200, "the form is shown again, nothing is posted yet"
    assert f'href="/ideas/{first.id}">Export invoices as CSV files</a>' in response.text
    assert "Post my idea anyway" in response.text
    assert 'name="confirmed" value="yes"' in response.text
    assert "Bob&#39;s own words" in response.text or "Bob's own words" in response.text
    listed = await client.get("/api/v1/ideas")
    assert listed.json()["pagination"]["total"] == 1
    confirmed = await client.submit("/ideas/new", {**typed, "confirmed": "yes"})
    assert confirmed.status_code == 303
    page = await client.get(confirmed.headers["location"])
    assert "Allow exporting invoices" in page.text
    assert (await client.get("/api/v1/ideas")).json()["pagination"]["total"] == 2


async def test_similar_ideas_ignore_case_and_accents(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    plain = await make_idea(world, ann, "Securite des comptes partages")
    accented = await make_idea(world, ann, "Thème sombre pour le tableau")
    one_way = await client.get("/ideas/similar", params={"title": "SÉCURITÉ renforcée"})
    assert f'href="/ideas/{plain.id}"' in one_way.text
    other_way = await client.get("/ideas/similar", params={"title": "Un theme plus clair"})
    assert f'href="/ideas/{accented.id}"' in other_way.text, (
        "an accented title is found from an unaccented word"
    )


async def test_similar_partial_lists_matches_and_nothing_for_unrelated_titles(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    export = await make_idea(world, ann, "Export invoices as CSV files")
    dark = await make_idea(world, ann, "Dark mode for the dashboard")
    found = await client.get("/ideas/similar", params={"title": "invoices export please"})
    assert found.status_code == 200 and "<html" not in found.text
    assert "Similar ideas already exist" in found.text
    assert f'href="/ideas/{export.id}"' in found.text and f"/ideas/{dark.id}" not in found.text
    unrelated = await client.get("/ideas/similar", params={"title": "Faster page loads"})
    assert unrelated.status_code == 200 and "/ideas/" not in unrelated.text
    short_words = await client.get("/ideas/similar", params={"title": "so on at it"})
    assert "/ideas/" not in short_words.text, "words under 4 letters do not count"
    other_tenant = await client.get(
        "http://globex.test/ideas/similar", params={"title": "Export invoices"}
    )
    assert "/ideas/" not in other_tenant.text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"title": "Short", "body": "Kept text"}, "The title must be 8 to 200 characters long."),
        ({"title": "A long enough title", "body": "   "}, "The message cannot be empty."),
        ({"title": "A long enough title", "body": "Kept text", "board": "general"}, "Choose an idea board."),
    ],
)  # fmt: skip
async def test_bad_ideas_reshow_the_form_with_the_problem(
    client: Client, world: World, board: str, typed: dict, message: str
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.submit("/ideas/new", {"board": board, **typed})
    assert response.status_code == 422, response.text
    assert message in response.text
    assert f'value="{typed["title"]}"' in response.text, "nothing typed is lost"
    if typed["body"].strip():
        assert typed["body"] in response.text
    assert (await client.get("/api/v1/ideas")).json()["pagination"]["total"] == 0


async def test_guests_are_sent_to_log_in(client: Client, world: World, board: str) -> None:
    form = await client.get("/ideas/new")
    assert form.status_code == 303 and form.headers["location"].startswith("/login")
    posted = await client.submit(
        "/ideas/new", {"board": board, "title": "Anonymous idea here", "body": "x"}
    )
    assert posted.status_code == 303 and posted.headers["location"].startswith("/login")
    assert (await client.get("/api/v1/ideas")).json()["pagination"]["total"] == 0


# ---- votes --------------------------------------------------------------------------------------


async def test_one_vote_per_member_and_it_can_be_withdrawn(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    for _ in range(2):
        voted = await client.submit(f"/ideas/{idea.id}/vote", {"action": "vote"})
        assert voted.status_code == 303 and voted.headers["location"] == f"/ideas/{idea.id}"
    page = await client.get(f"/ideas/{idea.id}")
    assert shown_votes(page.text, idea) == 1
    assert 'aria-pressed="true"' in page.text and "Withdraw my vote" in page.text
    assert (await reload(world, idea)).vote_count == 1 == await counted_votes(world, idea)
    await client.submit(f"/ideas/{idea.id}/vote", {"action": "unvote"})
    page = await client.get(f"/ideas/{idea.id}")
    assert shown_votes(page.text, idea) == 0 and 'aria-pressed="false"' in page.text
    assert (await reload(world, idea)).vote_count == 0 == await counted_votes(world, idea)
    again = await client.submit(f"/ideas/{idea.id}/vote", {"action": "unvote"})
    assert again.status_code == 303
    assert (await reload(world, idea)).vote_count == 0, "withdrawing twice does not go negative"


async def test_htmx_vote_returns_the_updated_button(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await vote(world, ann, idea)
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    fragment = await client.htmx(f"/ideas/{idea.id}/vote", {"action": "vote"})
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith("<form") and "<html" not in fragment.text
    assert shown_votes(fragment.text, idea) == 2
    assert 'aria-pressed="true"' in fragment.text
    assert 'name="action" value="unvote"' in fragment.text, "the next click withdraws"
    withdrawn = await client.htmx(f"/ideas/{idea.id}/vote", {"action": "unvote"})
    assert shown_votes(withdrawn.text, idea) == 1
    assert 'aria-pressed="false"' in withdrawn.text
    assert 'name="action" value="vote"' in withdrawn.text


async def test_guests_cannot_vote(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    response = await client.submit(f"/ideas/{idea.id}/vote", {"action": "vote"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")
    assert (await reload(world, idea)).vote_count == 0


async def test_voting_on_a_merged_idea_is_refused(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, ann, "Night theme please")
    await merge(world, mod, duplicate, original)
    await world.member("acme", "bob@example.com")
    await client.login("bob@example.com")
    response = await client.submit(f"/ideas/{duplicate.id}/vote", {"action": "vote"})
    assert response.status_code == 422
    assert "This idea was merged" in response.text
    assert await counted_votes(world, duplicate) == 0
    assert (await reload(world, original)).vote_count == 0


async def test_ideas_of_another_community_are_not_found(
    client_for, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("globex", "gus@example.com")
    globex: Client = client_for("globex.test")
    await globex.login("gus@example.com")
    assert (await globex.get(f"/ideas/{idea.id}")).status_code == 404
    assert (await globex.submit(f"/ideas/{idea.id}/vote", {"action": "vote"})).status_code == 404
    assert (
        await globex.submit(f"/ideas/{idea.id}/follow", {"action": "follow"})
    ).status_code == 404
    assert "Dark mode" not in (await globex.get("/ideas")).text
    assert (await reload(world, idea)).vote_count == 0


# ---- statuses -----------------------------------------------------------------------------------


async def test_an_expert_decides_and_the_idea_shows_it(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("acme", "eve@example.com", Role.EXPERT)
    await client.login("eve@example.com")
    first = await client.submit(
        f"/ideas/{idea.id}/status", {"status": "under_review", "response": "Looking *into* it."}
    )
    assert first.status_code == 303 and first.headers["location"] == f"/ideas/{idea.id}"
    await client.submit(
        f"/ideas/{idea.id}/status",
        {"status": "planned", "response": "Coming in the **spring** release."},
    )
    page = await client.get(f"/ideas/{idea.id}")
    head = page.text.split('class="idea-head"', 1)[1].split("</h1>", 1)[1]
    assert 'class="idea-status status-planned">Planned<' in head.split("</p>", 1)[0]
    response = official_response(page.text)
    assert "Coming in the <strong>spring</strong> release." in response
    assert "Eve" in response and "Looking" not in response, "the latest response is the one shown"
    assert page.text.index('data-testid="official-response"') < page.text.index('id="posts"'), (
        "the official response comes before the comments"
    )
    history = history_items(page.text)
    assert len(history) == 2
    assert history[0].startswith("Planned") and "from Under review" in history[0]
    assert history[1].startswith("Under review") and "from New" in history[1]
    assert "Looking into it." in history[1]


async def test_members_cannot_change_the_status(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await client.login("ann@example.com")
    page = await client.get(f"/ideas/{idea.id}")
    assert f'action="/ideas/{idea.id}/status"' not in page.text
    response = await client.submit(
        f"/ideas/{idea.id}/status", {"status": "done", "response": "I did it myself."}
    )
    assert response.status_code == 403
    assert (await reload(world, idea)).status == IdeaStatus.NEW
    assert 'data-testid="official-response"' not in (await client.get(f"/ideas/{idea.id}")).text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "planned", "response": "   "}, "Explain the decision in an official response."),
        ({"status": "merged", "response": "Merged elsewhere."}, "Merge an idea with the merge action."),
        ({"status": "shipped", "response": "Shipped!"}, "Unknown idea status."),
    ],
)  # fmt: skip
async def test_bad_decisions_are_refused(
    client: Client, world: World, board: str, fields: dict, message: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    response = await client.submit(f"/ideas/{idea.id}/status", fields)
    assert response.status_code == 422 and message in response.text
    fresh = await reload(world, idea)
    assert fresh.status == IdeaStatus.NEW and fresh.merged_into_id is None
    assert "Status history" not in (await client.get(f"/ideas/{idea.id}")).text


async def test_the_author_earns_points_once_per_milestone(world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    eve = await world.member("acme", "eve@example.com", Role.EXPERT)
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    start = await reputation(world, ann)
    await set_status(world, eve, idea, "planned")
    assert await reputation(world, ann) == start + 10
    await set_status(world, eve, idea, "under_review")
    await set_status(world, eve, idea, "planned")
    assert await reputation(world, ann) == start + 10, "planned again earns nothing more"
    await set_status(world, eve, idea, "done")
    assert await reputation(world, ann) == start + 30
    await set_status(world, eve, idea, "in_progress")
    await set_status(world, eve, idea, "done")
    assert await reputation(world, ann) == start + 30, "done again earns nothing more"
    assert await reputation(world, eve) == 0, "the expert earns nothing"
    async with session_scope(world.sessions) as session:
        reasons = await session.scalars(
            select(ReputationEvent.reason).where(
                ReputationEvent.member_id == ann.id,
                ReputationEvent.reason.in_([Reason.IDEA_PLANNED, Reason.IDEA_DONE]),
            )
        )
        assert sorted(reasons.all()) == [Reason.IDEA_DONE, Reason.IDEA_PLANNED]


async def test_every_decision_is_in_the_audit_log(world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await set_status(world, mod, idea, "planned")
    await set_status(world, mod, idea, "declined", "Not this year after all.")
    async with session_scope(world.sessions) as session:
        entries = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "idea.status").order_by(AuditEntry.id)
            )
        ).all()
    assert [(e.actor_id, e.subject_type, e.subject_id) for e in entries] == [
        (mod.id, "idea", idea.id),
        (mod.id, "idea", idea.id),
    ]
    assert [(e.before, e.after) for e in entries] == [
        ({"status": "new"}, {"status": "planned"}),
        ({"status": "planned"}, {"status": "declined"}),
    ]
    assert all(e.tenant_id == world.tenants["acme"] for e in entries)


# ---- notifications ------------------------------------------------------------------------------


async def test_voters_and_followers_hear_about_a_decision(
    app, client_for, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")  # the author: follows automatically
    bob = await world.member("acme", "bob@example.com")  # votes
    cat = await world.member("acme", "cat@example.com")  # follows
    dan = await world.member("acme", "dan@example.com")  # votes and follows
    fay = await world.member("acme", "fay@example.com")  # follows then stops
    gil = await world.member("acme", "gil@example.com")  # nothing to do with it
    eve = await world.member("acme", "eve@example.com", Role.EXPERT)  # votes, then decides
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    for voter in (bob, dan, eve):
        await vote(world, voter, idea)
    plans = {"cat": ["follow"], "dan": ["follow"], "fay": ["follow", "unfollow"]}
    for email, actions in plans.items():
        browser: Client = client_for("acme.test")
        await browser.login(f"{email}@example.com")
        for action in actions:
            done = await browser.submit(f"/ideas/{idea.id}/follow", {"action": action})
            assert done.status_code == 303
    assert await follows(world, cat, idea) and not await follows(world, fay, idea)
    expert: Client = client_for("acme.test")
    await expert.login("eve@example.com")
    decided = await expert.submit(
        f"/ideas/{idea.id}/status", {"status": "planned", "response": "Coming soon."}
    )
    assert decided.status_code == 303
    await run_jobs(app)
    for member in (ann, bob, cat, dan):
        received = await notifications_of(world, member)
        assert [(n.kind, n.url) for n in received] == [("idea_status:planned", f"/ideas/{idea.id}")]
    for member in (eve, fay, gil):
        assert await notifications_of(world, member) == [], member.email


async def test_notifications_page_and_unread_count(
    app, client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    bob = await world.member("acme", "bob@example.com")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    await vote(world, bob, idea)
    await client.login("bob@example.com")
    assert unread_badge((await client.get("/ideas")).text) is None
    await set_status(world, mod, idea, "in_progress", "Being built.")
    await run_jobs(app)
    page = await client.get("/notifications")
    assert page.status_code == 200
    [opened] = re.findall(
        r'href="(/notifications/\d+)">“Dark mode for the dashboard” is now: In progress</a>',
        page.text,
    )
    assert (await client.get(opened)).headers["location"] == f"/ideas/{idea.id}"
    assert unread_badge(page.text) == "1"
    await set_status(world, mod, idea, "done", "Shipped.")
    assert unread_badge((await client.get("/ideas")).text) == "1"  # the first was opened
    read = await client.submit("/notifications/read", {})
    assert read.status_code == 303 and read.headers["location"] == "/notifications"
    after = await client.get("/notifications")
    assert unread_badge(after.text) is None
    assert "is now: Done" in after.text and "is now: In progress" in after.text
    assert all(n.read_at is not None for n in await notifications_of(world, bob))


async def test_notifications_need_a_login(client: Client, world: World) -> None:
    response = await client.get("/notifications")
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


# ---- merges -------------------------------------------------------------------------------------


async def test_merging_moves_votes_followers_and_redirects(
    app, client_for, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    both, only_orig = await add_members(world, "voter", 2)
    only_dup = await world.member("acme", "dupvoter@example.com")
    follower = await world.member("acme", "fol@example.com")
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, bob, "Night theme please")
    for member in (both, only_dup):
        await vote(world, member, duplicate)
    for member in (both, only_orig):
        await vote(world, member, original)
    async with world.unit() as session:
        following = await world.scope(session, "acme", await session.merge(follower))
        await notify.follow(following, duplicate.thread_id)
        await forums.reply(following, duplicate.thread_id, "A comment on the duplicate")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    moderator: Client = client_for("acme.test")
    await moderator.login("mod@example.com")
    merged = await moderator.submit(f"/ideas/{duplicate.id}/merge", {"into": f"#{original.id}"})
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/ideas/{original.id}?merged={duplicate.id}"
    fresh_original, fresh_duplicate = await reload(world, original), await reload(world, duplicate)
    assert fresh_original.vote_count == 3 == await counted_votes(world, original)
    assert fresh_duplicate.status == IdeaStatus.MERGED
    assert fresh_duplicate.merged_into_id == original.id
    assert await counted_votes(world, duplicate) == 0
    assert await follows(world, follower, original), "the duplicate's followers follow on"
    assert await follows(world, bob, original), "its author too"

    visitor: Client = client_for("acme.test")
    redirected = await visitor.get(f"/ideas/{duplicate.id}")
    assert redirected.status_code in {301, 302, 303, 307}
    assert redirected.headers["location"] == f"/ideas/{original.id}?merged={duplicate.id}"
    landing = await visitor.get(redirected.headers["location"])
    notice = re.search(r'data-testid="merged-notice">(.*?)</p>', landing.text, re.S)
    assert notice and "Night theme please" in notice.group(1)
    assert f'href="/ideas/{duplicate.id}?show=1"' in notice.group(1)
    assert shown_votes(landing.text, original) == 3
    kept = await visitor.get(f"/ideas/{duplicate.id}?show=1")
    assert kept.status_code == 200
    assert "A comment on the duplicate" in kept.text
    assert 'class="idea-status status-merged">Merged<' in kept.text
    assert "Vote for this idea" not in kept.text

    voter: Client = client_for("acme.test")
    await voter.login("dupvoter@example.com")  # voted for the duplicate only
    assert 'aria-pressed="true"' in (await voter.get(f"/ideas/{original.id}")).text

    await set_status(world, await _mod(world), original, "planned", "On the roadmap.")
    await run_jobs(app)
    heard = await notifications_of(world, follower)
    assert ("idea_status:planned", f"/ideas/{original.id}") in [(n.kind, n.url) for n in heard]


async def _mod(world: World) -> Member:
    async with session_scope(world.sessions) as session:
        found = await session.scalar(select(Member).where(Member.email == "mod@example.com"))
        assert found is not None
        return found


async def test_voters_of_a_duplicate_hear_that_it_was_merged(
    app, client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    original = await make_idea(world, ann, "Dark mode for the dashboard")
    duplicate = await make_idea(world, ann, "Night theme please")
    await vote(world, bob, duplicate)
    await merge(world, mod, duplicate, original)
    await run_jobs(app)
    heard = [(n.kind, n.url) for n in await notifications_of(world, bob)]
    assert heard == [("idea_status:merged", f"/ideas/{duplicate.id}")], (
        "a voter of the duplicate is told its status changed to merged"
    )


async def test_merges_that_make_no_sense_are_refused(client_for, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    await world.member("acme", "eve@example.com", Role.EXPERT)
    first = await make_idea(world, ann, "Dark mode for the dashboard")
    second = await make_idea(world, ann, "Night theme please")
    third = await make_idea(world, ann, "Faster search results")
    await merge(world, mod, second, first)
    moderator: Client = client_for("acme.test")
    await moderator.login("mod@example.com")
    itself = await moderator.submit(f"/ideas/{first.id}/merge", {"into": str(first.id)})
    assert itself.status_code == 422 and "cannot be merged into itself" in itself.text
    again = await moderator.submit(f"/ideas/{second.id}/merge", {"into": str(third.id)})
    assert again.status_code == 422 and "Merged ideas cannot be merged again." in again.text
    into_merged = await moderator.submit(f"/ideas/{third.id}/merge", {"into": str(second.id)})
    assert into_merged.status_code == 422
    not_a_number = await moderator.submit(f"/ideas/{third.id}/merge", {"into": "the dark one"})
    assert not_a_number.status_code == 422
    expert: Client = client_for("acme.test")
    await expert.login("eve@example.com")
    page = await expert.get(f"/ideas/{third.id}")
    assert f'action="/ideas/{third.id}/status"' in page.text
    assert f'action="/ideas/{third.id}/merge"' not in page.text
    forbidden = await expert.submit(f"/ideas/{third.id}/merge", {"into": str(first.id)})
    assert forbidden.status_code == 403
    assert (await reload(world, third)).status == IdeaStatus.NEW
    assert (await reload(world, second)).merged_into_id == first.id


# ---- lists --------------------------------------------------------------------------------------


async def test_trending_weighs_recent_votes_more_than_top(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    voters = await add_members(world, "voter", 5)
    old = await make_idea(world, ann, "Old favourite with many votes")  # 5 votes, 40 days old
    fresh = await make_idea(world, ann, "Fresh idea with a few votes")  # 2 votes, today
    month = await make_idea(world, ann, "Idea from earlier this month")  # 3 votes, 20 days old
    quiet = await make_idea(world, ann, "Quiet idea without any votes")
    for idea, count, age in [(old, 5, 40), (fresh, 2, 0), (month, 3, 20)]:
        for voter in voters[:count]:
            await vote(world, voter, idea)
        async with world.unit() as session:
            await session.execute(
                update(IdeaVote)
                .where(IdeaVote.idea_id == idea.id)
                .values(created_at=utcnow() - timedelta(days=age, hours=1))
            )
    # trending: fresh 2×4 = 8, month 3×2 = 6, old 5×1 = 5; top: 5, 3, 2
    trending = await client.get("/ideas?sort=trending")
    assert idea_ids(trending.text)[:4] == [fresh.id, month.id, old.id, quiet.id]
    assert idea_ids((await client.get("/ideas")).text)[:4] == idea_ids(trending.text)[:4]
    top = await client.get("/ideas?sort=top")
    assert idea_ids(top.text)[:4] == [old.id, month.id, fresh.id, quiet.id]
    assert '<option value="top" selected>' in top.text


async def test_trending_counts_a_vote_by_its_age(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    voters = await add_members(world, "voter", 4)
    week = await make_idea(world, ann, "Three votes from last week")  # 3 votes at 8 days: 6
    today = await make_idea(world, ann, "Two votes from today here")  # 2 votes fresh: 8
    ancient = await make_idea(world, ann, "Four votes from last year")  # 4 votes at 1 year: 4
    for idea, count, age in [(week, 3, 8), (today, 2, 0), (ancient, 4, 365)]:
        for voter in voters[:count]:
            await vote(world, voter, idea)
        async with world.unit() as session:
            await session.execute(
                update(IdeaVote)
                .where(IdeaVote.idea_id == idea.id)
                .values(created_at=utcnow() - timedelta(days=age, minutes=5))
            )
    listed = await client.get("/ideas?sort=trending")
    assert idea_ids(listed.text) == [today.id, week.id, ancient.id]


async def test_newest_and_recently_updated(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    first = await make_idea(world, ann, "First idea of the lot")
    second = await make_idea(world, ann, "Second idea of the lot")
    third = await make_idea(world, ann, "Third idea of the lot")
    newest = await client.get("/ideas?sort=newest")
    assert idea_ids(newest.text) == [third.id, second.id, first.id]
    async with world.unit() as session:
        bumping = await world.scope(session, "acme", await session.merge(ann))
        await forums.reply(bumping, first.thread_id, "Bump")
    await set_status(world, mod, second, "under_review")
    updated = await client.get("/ideas?sort=updated")
    assert idea_ids(updated.text) == [second.id, first.id, third.id]
    still_newest = await client.get("/ideas?sort=newest")
    assert idea_ids(still_newest.text) == [third.id, second.id, first.id]


async def test_filter_by_status_and_hide_merged_ideas(
    client: Client, world: World, board: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    planned = await make_idea(world, ann, "Planned idea of the lot")
    fresh = await make_idea(world, ann, "Brand new idea of the lot")
    duplicate = await make_idea(world, ann, "Duplicate of the planned")
    await set_status(world, mod, planned, "planned")
    await merge(world, mod, duplicate, planned)
    everything = await client.get("/ideas")
    assert sorted(idea_ids(everything.text)) == sorted([planned.id, fresh.id])
    only_planned = await client.get("/ideas?status=planned")
    assert idea_ids(only_planned.text) == [planned.id]
    assert '<option value="planned" selected>' in only_planned.text
    assert idea_ids((await client.get("/ideas?status=new")).text) == [fresh.id]
    assert idea_ids((await client.get("/ideas?status=done")).text) == []
    assert idea_ids((await client.get("/ideas?status=merged")).text) == [duplicate.id]
    bad = await client.get("/ideas?status=shipped")
    assert bad.status_code == 422 and "Unknown idea status." in bad.text


async def test_filter_by_board_and_idea_board_addresses(
    client: Client, world: World, board: str
) -> None:
    await make_board(world, slug="hardware", name="Hardware ideas")
    ann = await world.member("acme", "ann@example.com")
    software = await make_idea(world, ann, "Dark mode for the dashboard")
    hardware = await make_idea(world, ann, "A router with two antennas", board="hardware")
    everything = await client.get("/ideas")
    assert sorted(idea_ids(everything.text)) == sorted([software.id, hardware.id])
    only = await client.get("/ideas?board=hardware")
    assert idea_ids(only.text) == [hardware.id] and "Hardware ideas" in only.text
    assert idea_ids((await client.get(f"/ideas?board={board}")).text) == [software.id]
    assert (await client.get("/ideas?board=nope")).status_code == 404
    category = await client.get("/c/hardware")
    assert category.status_code in {301, 302, 303, 307}
    assert category.headers["location"] == "/ideas?board=hardware"


async def test_bad_sort_is_refused(client: Client, world: World, board: str) -> None:
    response = await client.get("/ideas?sort=loudest")
    assert response.status_code == 422
    assert "Sort by trending, top, newest or updated." in response.text


async def test_list_pages(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    made = [await make_idea(world, ann, f"Numbered idea number {n:02d}") for n in range(7)]
    first = await client.get("/ideas?sort=newest")
    second = await client.get("/ideas?sort=newest&page=2")
    assert idea_ids(first.text) + idea_ids(second.text) == [i.id for i in reversed(made)]
    assert len(idea_ids(first.text)) == 5  # page size is 5 in tests
    assert (await client.get("/ideas?page=3")).status_code == 404


async def test_roadmap_columns(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    made = {}
    for status in ("new", "under_review", "planned", "in_progress", "done", "declined"):
        made[status] = await make_idea(world, ann, f"Idea that is {status.replace('_', ' ')}")
        if status != "new":
            await set_status(world, mod, made[status], status)
    later = await make_idea(world, ann, "Another planned idea here")
    await set_status(world, mod, later, "planned")
    await vote(world, ann, later)
    page = await client.get("/roadmap")
    assert page.status_code == 200
    columns = {}
    for section in page.text.split('<section class="roadmap-column"')[1:]:
        key = re.search(r'aria-labelledby="col-(\w+)"', section).group(1)
        columns[key] = [int(i) for i in re.findall(r'href="/ideas/(\d+)"', section)]
    assert columns == {
        "planned": [later.id, made["planned"].id],  # most votes first
        "in_progress": [made["in_progress"].id],
        "done": [made["done"].id],
    }
    assert ">Planned <" in page.text and ">In progress <" in page.text and ">Done <" in page.text


# ---- ideas and the forum ------------------------------------------------------------------------


async def test_ideas_stay_out_of_the_forum(client: Client, world: World, board: str) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Router keeps rebooting at night")
    idea = await make_idea(world, ann, "Dark mode for the dashboard")
    home = await client.get("/")
    assert "Latest activity" in home.text and "Router keeps rebooting" in home.text
    assert "Dark mode for the dashboard" not in home.text
    threads = (await client.get("/api/v1/threads")).json()
    assert [t["title"] for t in threads["items"]] == ["Router keeps rebooting at night"]
    as_thread = await client.get(
        f"/t/{idea.thread_id}/{forums.slugify('Dark mode for the dashboard')}"
    )
    assert as_thread.status_code in {301, 302, 303, 307}
    assert as_thread.headers["location"] == f"/ideas/thread/{idea.thread_id}"
    to_idea = await client.get(as_thread.headers["location"])
    assert to_idea.status_code == 302 and to_idea.headers["location"] == f"/ideas/{idea.id}"
    short = await client.get(f"/t/{idea.thread_id}")
    final = await client.get(short.headers["location"])
    assert final.headers["location"] == f"/ideas/thread/{idea.thread_id}"
    paged = await client.get(f"/ideas/thread/{idea.thread_id}?page=2")
    assert paged.headers["location"] == f"/ideas/{idea.id}?page=2"
    first_page = await client.get(f"/ideas/thread/{idea.thread_id}?page=1")
    assert first_page.headers["location"] == f"/ideas/{idea.id}"
    not_an_idea = await client.get(f"/ideas/thread/{idea.thread_id - 1}")
    assert not_an_idea.status_code == 404


async def test_ask_refuses_the_idea_board(client: Client, world: World, board: str) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    form = await client.get("/ask")
    assert f'value="{board}"' not in form.text, "the idea board is not offered"
    response = await client.submit(
        "/ask",
        {"category": board, "kind": "question", "title": "Is this a question?", "body": "Kept"},
    )
    assert response.status_code == 422
    assert "Ideas go on an idea board, questions in the forum." in response.text
    assert (await client.get("/api/v1/threads")).json()["pagination"]["total"] == 0


@pytest.mark.parametrize("into", ["99999999999", str(2**63), "#0", "²", "9" * 5000])
async def test_merging_into_a_number_no_idea_can_have_is_refused(
    client_for, world: World, board: str, into: str
) -> None:
    ann = await world.member("acme", "ann@example.com")
    duplicate = await make_idea(world, ann, "Night theme please")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    moderator: Client = client_for("acme.test")
    await moderator.login("mod@example.com")
    response = await moderator.submit(f"/ideas/{duplicate.id}/merge", {"into": into})
    assert response.status_code == 422
    assert "Give the number of the idea to merge into." in response.text
