"""What members see of scoring: profiles, badges, ranks, leaderboards, and the admin's rules."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from litestar import Litestar
from sqlalchemy import select, update

from community.db import utcnow
from community.forums import services as forums
from community.forums.models import Category, Post, Thread
from community.identity.models import Member, Role
from community.jobs import InProcessQueue
from community.qa import services as qa
from community.scope import Scope
from community.scoring.models import Reason, ReputationDay, ReputationEvent
from community.scoring.rules import DEFAULT_POINTS
from community.scoring.tasks import check_badges
from community.votes.services import vote
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

BADGE_NAMES = [
    "Curious", "Helping hand", "Problem solver", "Certified", "Trusted advisor", "Guru",
    "Popular question", "Great answer",
]  # fmt: skip


# ---- helpers ----------------------------------------------------------------------------------


async def settle(app: Litestar, world: World, *members: Member) -> None:
    """Let the badge jobs the requests enqueued run: in process, or as an arq worker would."""
    if isinstance(app.state.jobs, InProcessQueue):
        await app.state.jobs.drain()
        return
    context = {"sessions": world.sessions, "jobs": world.jobs}
    for member in members:
        await check_badges(context, tenant_id=member.tenant_id, member_ids=[member.id])


async def answer(world: World, thread: Thread, author: Member, body: str) -> int:
    async with world.unit() as session:
        writing = await Scope.load(session, author.tenant_id, author.id)
        return (await forums.reply(writing, thread.id, body)).id


async def ask(world: World, author: Member, title: str, category: str = "general") -> Thread:
    async with world.unit() as session:
        return await forums.create_thread(
            await Scope.load(session, author.tenant_id, author.id), category_slug=category,
            title=title, body=f"Details about {title}",
        )  # fmt: skip


async def upvote(world: World, voter: Member, post_id: int, value: int = 1) -> None:
    async with world.unit() as session:
        await vote(await world.scope(session, "acme", voter), post_id, value)


async def opening_post(world: World, thread: Thread) -> int:
    async with world.unit() as session:
        return await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
        )


def admin_form(**changes: str | None) -> dict[str, str]:
    form = {f"points_{reason.value}": str(points) for reason, points in DEFAULT_POINTS.items()}
    form |= {"daily_vote_cap": "200", "allow_downvotes": "on", "discussions_by_date": "on"}
    ranks = [("0", "New member"), ("50", "Contributor"), ("500", "Expert"), ("2000", "Legend")]
    for i, (threshold, name) in enumerate(ranks):
        form |= {f"rank_threshold_{i}": threshold, f"rank_name_{i}": name}
    form |= changes
    return {key: value for key, value in form.items() if value is not None}


def rank_after(html: str, member_id: int) -> str:
    found = re.search(
        rf'<a class="author" href="/u/{member_id}">[^<]*</a>\s*<span class="rank"[^>]*>([^<]+)<',
        html,
    )
    assert found, f"member {member_id} is not shown with a rank"
    return found.group(1)


def profile_stat(html: str, label: str) -> str:
    found = re.search(rf"<dt>{label}</dt><dd[^>]*>([^<]*)</dd>", html)
    assert found, f"no {label} on the profile"
    return found.group(1)


@dataclass
class Story:
    """Ann asked; Bob's answer got two upvotes, was accepted by Ann and certified by Erin."""

    ann: Member
    bob: Member
    carol: Member
    dave: Member
    erin: Member
    thread: Thread
    bob_answer: int


@pytest.fixture
async def story(world: World) -> Story:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    carol = await world.member("acme", "carol@example.com")
    dave = await world.member("acme", "dave@example.com")
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    thread = await ask(world, ann, "Why is my bill higher this month?")
    bob_answer = await answer(world, thread, bob, "Your promotion ended")
    await upvote(world, carol, bob_answer)
    await upvote(world, dave, bob_answer)
    async with world.unit() as session:
        await qa.accept(await world.scope(session, "acme", ann), bob_answer)
        await qa.certify(await world.scope(session, "acme", erin), bob_answer, "Correct")
    return Story(ann, bob, carol, dave, erin, thread, bob_answer)


# ---- badges -------------------------------------------------------------------------------------


async def test_asking_a_first_question_earns_a_badge(
    app: Litestar, client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    assert (await client.get("/api/v1/members/" + str(ann.id))).json()["badges"] == []
    asked = await client.submit(
        "/ask",
        {"category": "general", "kind": "question", "title": "Where is my parcel?", "body": "?"},
    )
    assert asked.status_code == 303
    await settle(app, world, ann)
    assert (await client.get(f"/api/v1/members/{ann.id}")).json()["badges"] == ["first_question"]
    profile = await client.get(f"/u/{ann.id}")
    assert (
        '<li class="earned-badge" title="Asked a first question.">🏅 Curious</li>' in profile.text
    )
    badges = await client.get("/badges")
    earned = re.findall(r'<li class="badge-card badge-earned">\s*<strong>🏅 ([^<]+)<', badges.text)
    assert earned == ["Curious"]


async def test_answer_accepted_and_certified_badges(
    app: Litestar, client: Client, client_for, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await world.member("acme", "erin@example.com", Role.EXPERT)
    thread = await ask(world, ann, "Which cable do I need?")
    await client.login("bob@example.com")
    replied = await client.submit(f"/t/{thread.id}/reply", {"body": "A CAT6 cable", "page": "1"})
    assert replied.status_code == 303
    answer_id = int(replied.headers["location"].rsplit("#p", 1)[1])
    await settle(app, world, bob)
    api = f"/api/v1/members/{bob.id}"
    assert (await client.get(api)).json()["badges"] == ["first_answer"]
    asker = client_for("acme.test")
    await asker.login("ann@example.com")
    assert (await asker.submit(f"/p/{answer_id}/accept", {})).status_code == 303
    await settle(app, world, bob)
    assert (await client.get(api)).json()["badges"] == ["first_answer", "first_accepted"]
    expert = client_for("acme.test")
    await expert.login("erin@example.com")
    assert (await expert.submit(f"/p/{answer_id}/certify", {"note": ""})).status_code == 303
    await settle(app, world, bob)
    member = (await client.get(api)).json()
    assert member["badges"] == ["first_answer", "first_accepted", "certified"]
    assert member["accepted_answers"] == 1 and member["certified_answers"] == 1
    profile = (await client.get(f"/u/{bob.id}")).text
    for name in ("Helping hand", "Problem solver", "Certified"):
        assert f"🏅 {name}</li>" in profile
    assert "🏅 Curious</li>" not in profile


async def test_the_badges_page_lists_all_badges_and_marks_mine(
    client: Client, world: World, story: Story
) -> None:
    guest = await client.get("/badges")
    assert guest.status_code == 200
    listed = re.findall(r'<li class="badge-card[^"]*">\s*<strong>🏅 ([^<]+)<', guest.text)
    assert listed == BADGE_NAMES
    assert "badge-earned" not in guest.text and "You have it" not in guest.text
    curious = re.search(r"🏅 Curious</strong>.*?</li>", guest.text, re.S).group(0)
    assert "1 member<" in curious
    helping = re.search(r"🏅 Helping hand</strong>.*?</li>", guest.text, re.S).group(0)
    assert "1 member<" in helping
    await client.login("bob@example.com")
    mine = await client.get("/badges")
    earned = re.findall(r'<li class="badge-card badge-earned">\s*<strong>🏅 ([^<]+)<', mine.text)
    assert earned == ["Helping hand", "Problem solver", "Certified"]
    assert mine.text.count("You have it") == 3


# ---- profiles and influence -----------------------------------------------------------------------


async def test_the_profile_page(client: Client, world: World, story: Story) -> None:
    await answer(world, await ask(world, story.carol, "Can I pause my plan?"), story.bob, "Yes")
    page = await client.get(f"/u/{story.bob.id}")
    assert page.status_code == 200
    assert "<h1>Bob</h1>" in page.text
    assert '<span class="rank">Contributor</span>' in page.text, "61 points: Contributor"
    assert profile_stat(page.text, "Reputation") == "61"  # 1 + 10 + 10 + 15 + 25
    assert profile_stat(page.text, "Accepted answers") == "1"
    assert profile_stat(page.text, "Certified answers") == "1"
    answers = re.search(r'id="answers-heading".*?</ul>', page.text, re.S).group(0)
    assert "Why is my bill higher this month?" in answers and "Can I pause my plan?" in answers
    assert f'href="/p/{story.bob_answer}"' in answers
    questions = re.search(r'id="questions-heading".*?</ul>', page.text, re.S).group(0)
    assert "None yet." in questions
    ann = await client.get(f"/u/{story.ann.id}")
    asked = re.search(r'id="questions-heading".*?</ul>', ann.text, re.S).group(0)
    assert f'href="/t/{story.thread.id}/{story.thread.slug}"' in asked
    assert profile_stat(ann.text, "Reputation") == "3" and "New member" in ann.text
    assert 'class="role role-expert"' in (await client.get(f"/u/{story.erin.id}")).text


async def test_profiles_of_unknown_or_foreign_members_are_404(
    client: Client, client_for, world: World, story: Story
) -> None:
    assert (await client.get("/u/999999")).status_code == 404
    assert (await client.get("/api/v1/members/999999")).status_code == 404
    foreign = client_for("globex.test")
    assert (await foreign.get(f"/u/{story.bob.id}")).status_code == 404
    assert (await foreign.get(f"/api/v1/members/{story.bob.id}")).status_code == 404


async def test_the_member_api(client: Client, world: World, story: Story) -> None:
    member = (await client.get(f"/api/v1/members/{story.bob.id}")).json()
    assert member["id"] == story.bob.id and member["name"] == "Bob" and member["role"] == "member"
    assert member["reputation"] == 61 and member["rank"] == "Contributor"
    assert member["member_since"] and member["influence"] is None


@pytest.mark.parametrize(
    ("role", "sees"),
    [(None, False), (Role.MEMBER, False), (Role.EXPERT, False), (Role.MODERATOR, True),
     (Role.ADMIN, True)],
)  # fmt: skip
async def test_influence_is_shown_to_moderators_and_admins_only(
    client: Client, world: World, story: Story, role: Role | None, sees: bool
) -> None:
    if role is not None:
        await world.member("acme", "viewer@example.com", role)
        await client.login("viewer@example.com")
    page = await client.get(f"/u/{story.bob.id}")
    api = (await client.get(f"/api/v1/members/{story.bob.id}")).json()
    # 5 per certified answer + 3 per accepted answer + net votes received (2)
    if sees:
        assert profile_stat(page.text, "Influence") == "10"
        assert api["influence"] == 10
    else:
        assert "Influence" not in page.text and 'data-testid="influence"' not in page.text
        assert api["influence"] is None


async def test_influence_counts_downvotes_but_never_goes_below_zero(
    client: Client, world: World, story: Story
) -> None:
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    voters = [await world.member("acme", f"critic{n}@example.com") for n in range(3)]
    carol_answer = await answer(world, story.thread, story.carol, "Call the support line")
    for voter in voters:
        await upvote(world, voter, carol_answer, -1)
    await client.login("mod@example.com")
    assert (await client.get(f"/api/v1/members/{story.carol.id}")).json()["influence"] == 0
    await upvote(world, story.dave, carol_answer)
    await upvote(world, story.ann, carol_answer)
    async with world.unit() as session:
        await qa.accept(await world.scope(session, "acme", story.ann), carol_answer)
    assert (await client.get(f"/api/v1/members/{story.carol.id}")).json()["influence"] == 3 - 1


# ---- ranks ----------------------------------------------------------------------------------------


async def test_ranks_are_shown_next_to_names(client: Client, world: World, story: Story) -> None:
    page = await client.get(f"/t/{story.thread.id}/{story.thread.slug}")
    assert rank_after(page.text, story.bob.id) == "Contributor"
    assert rank_after(page.text, story.ann.id) == "New member"
    home = await client.get("/")
    assert re.search(r'asked by Ann\s*<span class="rank">New member</span>', home.text)


async def test_the_french_community_has_french_ranks(client_for, world: World) -> None:
    gus = await world.member("globex", "gus@example.com")
    thread = await ask(world, gus, "Ma box ne démarre plus")
    browser = client_for("globex.test")
    page = await browser.get(f"/t/{thread.id}/{thread.slug}")
    assert rank_after(page.text, gus.id) == "Nouveau membre"
    assert (await browser.get(f"/api/v1/members/{gus.id}")).json()["rank"] == "Nouveau membre"
    assert '<span class="rank">Nouveau membre</span>' in (await browser.get(f"/u/{gus.id}")).text
    badges = await browser.get("/badges")
    assert "🏅 Curieux</strong>" in badges.text and "🏅 Coup de main</strong>" in badges.text


async def test_new_rank_thresholds_change_what_is_shown(
    client: Client, client_for, world: World, story: Story
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    admin = client_for("acme.test")
    await admin.login("boss@example.com")
    url = f"/t/{story.thread.id}/{story.thread.slug}"
    assert rank_after((await client.get(url)).text, story.bob.id) == "Contributor"
    ranks = {
        "rank_threshold_0": "0", "rank_name_0": "Rookie",
        "rank_threshold_1": "3", "rank_name_1": "Regular",
        "rank_threshold_2": "100", "rank_name_2": "Veteran",
        "rank_threshold_3": "", "rank_name_3": "",
    }  # fmt: skip
    saved = await admin.submit("/admin/scoring", admin_form(**ranks))
    assert saved.status_code == 303
    assert "Saved." in (await admin.get(saved.headers["location"])).text
    page = await client.get(url)
    assert rank_after(page.text, story.bob.id) == "Regular", "61 points: between 3 and 100"
    assert rank_after(page.text, story.ann.id) == "Regular", "3 points reach the threshold"
    assert (await client.get(f"/api/v1/members/{story.carol.id}")).json()["rank"] == "Rookie"
    form = (await admin.get("/admin/scoring")).text
    assert 'name="rank_name_2" value="Veteran"' in form
    assert 'name="rank_threshold_3" value=""' in form


# ---- the admin's scoring form ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message", "kept"),
    [
        ({"points_answer_upvoted": "lots"}, "Points must be a whole number from -1000 to 1000.",
         'name="points_answer_upvoted" inputmode="numeric" value="lots"'),
        ({"points_answer_accepted": "5000"}, "Points must be a whole number from -1000 to 1000.",
         'value="5000"'),
        ({"daily_vote_cap": "-1"}, "The daily cap must be a whole number, 0 or more.",
         'name="daily_vote_cap" inputmode="numeric" value="-1"'),
        ({"rank_threshold_0": "10"}, "One rank must start at 0 reputation.",
         'name="rank_threshold_0" value="10"'),
        ({"rank_threshold_2": "50"}, "Two ranks cannot start at the same reputation.",
         'name="rank_threshold_2" value="50"'),
        ({"rank_threshold_1": "many"}, "Each rank needs a reputation threshold (0 or more) and a name.",
         'name="rank_threshold_1" value="many"'),
        ({"rank_name_1": " "}, "Each rank needs a reputation threshold (0 or more) and a name.",
         'name="rank_threshold_1" value="50"'),
    ],
)  # fmt: skip
async def test_invalid_scoring_rules_reshow_the_form(
    client: Client, world: World, story: Story, changes: dict, message: str, kept: str
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    response = await client.submit(
        "/admin/scoring", admin_form(**({"points_answer_upvoted": "30"} | changes))
    )
    assert response.status_code == 422
    assert "Please fix the problems below." in response.text
    assert message in response.text
    assert kept in response.text, "what the admin typed is kept"
    form = await client.get("/admin/scoring")
    assert 'name="points_answer_upvoted" inputmode="numeric" value="10"' in form.text, (
        "nothing was saved"
    )
    newcomer = await world.member("acme", "newcomer@example.com")
    await upvote(world, newcomer, story.bob_answer)
    assert (await client.get(f"/api/v1/members/{story.bob.id}")).json()["reputation"] == 71


@pytest.mark.parametrize("role", [Role.MEMBER, Role.EXPERT, Role.MODERATOR])
async def test_only_admins_change_the_scoring_rules(
    client: Client, world: World, story: Story, role: Role
) -> None:
    await world.member("acme", "someone@example.com", role)
    await client.login("someone@example.com")
    page = await client.get("/admin/scoring")
    assert page.status_code == 403
    assert "Only community admins can change the scoring rules." in page.text
    posted = await client.submit("/admin/scoring", admin_form(points_answer_upvoted="1000"))
    assert posted.status_code == 403
    newcomer = await world.member("acme", "newcomer@example.com")
    await upvote(world, newcomer, story.bob_answer)
    assert (await client.get(f"/api/v1/members/{story.bob.id}")).json()["reputation"] == 71


async def test_guests_are_sent_to_log_in_for_the_admin_form(client: Client) -> None:
    response = await client.get("/admin/scoring")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/admin/scoring"


async def test_the_admin_form_shows_the_current_rules(client: Client, world: World) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await client.login("boss@example.com")
    page = await client.get("/admin/scoring")
    assert page.status_code == 200
    assert 'name="points_answer_certified" inputmode="numeric" value="25"' in page.text
    assert 'name="daily_vote_cap" inputmode="numeric" value="200"' in page.text
    assert 'name="rank_name_0" value="New member"' in page.text
    assert 'name="allow_downvotes" checked' in page.text


# ---- leaderboards -------------------------------------------------------------------------------


@dataclass
class Board:
    ann: Member  # 1 this week (general), +100 forty days ago (general)
    bob: Member  # 11 this week (general)
    carol: Member  # 6 this week (billing), +50 ten days ago (billing)
    dave: Member  # 21 this week (billing)
    eve: Member  # votes only: 0


async def backdate(world: World, member: Member, category: str, points: int, days: int) -> None:
    """An event from `days` ago, with its daily roll-up and counter, as the app would have it."""
    async with world.unit() as session:
        category_id = await session.scalar(
            select(Category.id).where(
                Category.tenant_id == member.tenant_id, Category.slug == category
            )
        )
        moment = utcnow() - timedelta(days=days)
        session.add(
            ReputationEvent(
                tenant_id=member.tenant_id, member_id=member.id, actor_id=None,
                reason=Reason.ANSWER_ACCEPTED, points=points, category_id=category_id,
                created_at=moment,
            )
        )  # fmt: skip
        session.add(
            ReputationDay(
                tenant_id=member.tenant_id, member_id=member.id, category_id=category_id,
                day=moment.date(), points=points,
            )
        )  # fmt: skip
        await session.execute(
            update(Member)
            .where(Member.id == member.id)
            .values(reputation=Member.reputation + points)
        )


@pytest.fixture
async def board(world: World) -> Board:
    ann, bob, carol, dave, eve = [
        await world.member("acme", f"{name}@example.com")
        for name in ("ann", "bob", "carol", "dave", "eve")
    ]
    general = await ask(world, ann, "A general question here")
    bob_answer = await answer(world, general, bob, "A general answer")
    billing = await ask(world, carol, "A billing question here", category="billing")
    dave_answer = await answer(world, billing, dave, "A billing answer")
    await upvote(world, eve, bob_answer)
    await upvote(world, eve, dave_answer)
    await upvote(world, ann, dave_answer)
    await upvote(world, eve, await opening_post(world, billing))
    await backdate(world, ann, "general", 100, days=40)
    await backdate(world, carol, "billing", 50, days=10)
    return Board(ann, bob, carol, dave, eve)


def standings(html: str) -> list[tuple[str, int]]:
    rows = re.findall(
        r'<tr><td>\d+</td><td>\s*<a class="author" href="/u/\d+">([^<]+)</a>.*?'
        r'data-testid="points">(-?\d+)</td></tr>',
        html,
        re.S,
    )
    return [(name, int(points)) for name, points in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", [("Dave", 21), ("Bob", 11), ("Carol", 6), ("Ann", 1)]),
        ("?period=week", [("Dave", 21), ("Bob", 11), ("Carol", 6), ("Ann", 1)]),
        ("?period=month", [("Carol", 56), ("Dave", 21), ("Bob", 11), ("Ann", 1)]),
        ("?period=all", [("Ann", 101), ("Carol", 56), ("Dave", 21), ("Bob", 11)]),
        ("?period=week&category=general", [("Bob", 11), ("Ann", 1)]),
        ("?period=month&category=billing", [("Carol", 56), ("Dave", 21)]),
        ("?period=all&category=general", [("Ann", 101), ("Bob", 11)]),
        ("?period=all&category=billing", [("Carol", 56), ("Dave", 21)]),
    ],
)
async def test_leaderboards(
    client: Client, board: Board, query: str, expected: list[tuple[str, int]]
) -> None:
    page = await client.get(f"/leaderboard{query}")
    assert page.status_code == 200
    assert standings(page.text) == expected
    api = await client.get(f"/api/v1/leaderboard{query}")
    assert api.status_code == 200
    assert [(s["name"], s["points"]) for s in api.json()] == expected


async def test_all_time_equals_reputation(client: Client, board: Board) -> None:
    everyone = (await client.get("/api/v1/leaderboard?period=all")).json()
    for standing in everyone:
        member = (await client.get(f"/api/v1/members/{standing['member_id']}")).json()
        assert standing["points"] == member["reputation"]
        assert standing["rank"] == member["rank"]
    assert "Eve" not in [s["name"] for s in everyone], "no points, not on the board"
    assert everyone[0]["rank"] == "Contributor", "Ann's 101 points"


async def test_the_leaderboard_page_remembers_the_choices(client: Client, board: Board) -> None:
    page = await client.get("/leaderboard?period=month&category=billing")
    assert '<option value="month" selected>' in page.text
    assert '<option value="billing" selected>' in page.text
    assert "<h1>Leaderboard · Billing</h1>" in page.text


async def test_an_empty_leaderboard(client: Client, world: World) -> None:
    page = await client.get("/leaderboard")
    assert page.status_code == 200
    assert "Nobody has earned points in this period yet." in page.text
    assert (await client.get("/api/v1/leaderboard")).json() == []


async def test_bad_leaderboard_queries(client: Client, board: Board) -> None:
    page = await client.get("/leaderboard?period=year")
    assert page.status_code == 422 and "The period is week, month or all." in page.text
    api = await client.get("/api/v1/leaderboard?period=year")
    assert api.status_code == 400 and "period" in str(api.json())
    assert (await client.get("/leaderboard?category=nope")).status_code == 404
    missing = await client.get("/api/v1/leaderboard?category=nope")
    assert missing.status_code == 404 and missing.json()["detail"] == "No such category."
