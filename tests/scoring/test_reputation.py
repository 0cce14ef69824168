"""Reputation: the rules, the append-only ledger, the daily cap, badges, recomputing the
counters, and exact numbers under concurrent voting (PostgreSQL)."""

import asyncio
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from community.cli import main
from community.db import create_engine, session_factory, session_scope
from community.errors import DomainError
from community.forums import services as forums
from community.forums.models import Category, Post, Thread, ThreadKind
from community.identity.models import Member, Role
from community.qa import services as qa
from community.scope import Scope
from community.scoring.badges import check_badges
from community.scoring.models import MemberBadge, Reason, ReputationDay, ReputationEvent
from community.scoring.recompute import recompute_counters, recompute_tenants
from community.scoring.rules import DEFAULT_POINTS
from community.scoring.settings import ScoringForm, update_scoring
from community.votes.models import Vote
from community.votes.services import vote
from tests.conftest import Client, World, requires_postgres

pytestmark = pytest.mark.anyio

NOT_A_REAL_HASH = "$argon2id$v=19$m=65536,t=3,p=4$bm90LXVzZWQ$bm90LXVzZWQtbm90LXVzZWQ"


# ---- helpers ----------------------------------------------------------------------------------


async def get(world: World, member: Member) -> Member:
    async with world.unit() as session:
        return await session.get(Member, member.id)


async def reputation(world: World, member: Member) -> int:
    return (await get(world, member)).reputation


async def ask(
    world: World, author: Member, title: str, category: str = "general",
    kind: ThreadKind = ThreadKind.QUESTION,
) -> Thread:  # fmt: skip
    async with world.unit() as session:
        return await forums.create_thread(
            await Scope.load(session, author.tenant_id, author.id), category_slug=category,
            title=title, body=f"About {title}", kind=kind,
        )  # fmt: skip


async def answer(world: World, thread: Thread, author: Member, body: str = "Try this") -> int:
    async with world.unit() as session:
        writing = await Scope.load(session, author.tenant_id, author.id)
        return (await forums.reply(writing, thread.id, body)).id


async def opening_post(world: World, thread: Thread) -> int:
    async with world.unit() as session:
        return await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
        )


async def ledger(world: World, member: Member) -> list[tuple[Reason, int, bool]]:
    """The member's events in order: (reason, points, is a reversal)."""
    async with world.unit() as session:
        rows = await session.execute(
            select(ReputationEvent.reason, ReputationEvent.points, ReputationEvent.reverses_id)
            .where(ReputationEvent.member_id == member.id)
            .order_by(ReputationEvent.id)
        )
        return [(reason, points, reverses is not None) for reason, points, reverses in rows]


async def vote_api(client: Client, post_id: int, value: int) -> dict[str, Any]:
    response = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": value})
    assert response.status_code == 200, response.text
    return response.json()


def admin_form(**changes: str | None) -> dict[str, str]:
    form = {f"points_{reason.value}": str(points) for reason, points in DEFAULT_POINTS.items()}
    form |= {"daily_vote_cap": "200", "allow_downvotes": "on", "discussions_by_date": "on"}
    for i, (threshold, name) in enumerate([("0", "New member"), ("50", "Contributor")]):
        form |= {f"rank_threshold_{i}": threshold, f"rank_name_{i}": name}
    form |= changes
    return {key: value for key, value in form.items() if value is not None}


def scoring_form(daily_vote_cap: int = 200) -> ScoringForm:
    return ScoringForm(
        points={reason.value: str(points) for reason, points in DEFAULT_POINTS.items()},
        daily_vote_cap=str(daily_vote_cap),
        ranks=[("0", "New member"), ("50", "Contributor")],
        allow_downvotes=True,
        discussions_by_date=True,
    )


@dataclass
class Scene:
    ann: Member  # asked: 1 point
    bob: Member  # answered: 1 point
    carol: Member  # votes
    dave: Member  # votes
    thread: Thread
    question: int
    bob_answer: int


@pytest.fixture
async def scene(world: World) -> Scene:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    carol = await world.member("acme", "carol@example.com")
    dave = await world.member("acme", "dave@example.com")
    thread = await ask(world, ann, "How do I reset my router?")
    bob_answer = await answer(world, thread, bob, "Hold the button")
    return Scene(ann, bob, carol, dave, thread, await opening_post(world, thread), bob_answer)


# ---- the rules ----------------------------------------------------------------------------------


async def test_posting_earns_one_point_once_a_day(world: World, scene: Scene) -> None:
    assert await reputation(world, scene.ann) == 1 and await reputation(world, scene.bob) == 1
    await answer(world, scene.thread, scene.bob, "Another idea")
    await ask(world, scene.bob, "A question of my own")
    assert await reputation(world, scene.bob) == 1
    assert await ledger(world, scene.bob) == [(Reason.FIRST_POST_OF_DAY, 1, False)]
    assert await reputation(world, scene.carol) == 0


async def test_votes_give_and_take_points_by_the_rules(
    client: Client, world: World, scene: Scene
) -> None:
    await client.login("carol@example.com")
    await vote_api(client, scene.question, 1)
    assert await reputation(world, scene.ann) == 1 + 5, "question upvoted: +5"
    await vote_api(client, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 10, "answer upvoted: +10"
    await vote_api(client, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1, "withdrawn: back to where it was"
    await vote_api(client, scene.bob_answer, -1)
    assert await reputation(world, scene.bob) == 1 - 2, "downvote received: -2"
    await vote_api(client, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 10, "switched down -> up"
    await vote_api(client, scene.bob_answer, -1)
    assert await reputation(world, scene.bob) == 1 - 2, "switched up -> down"
    await vote_api(client, scene.question, -1)
    assert await reputation(world, scene.ann) == 1 - 2
    assert await reputation(world, scene.carol) == 0, "voting earns the voter nothing"


async def test_undoing_appends_reversing_events(client: Client, world: World, scene: Scene) -> None:
    await client.login("carol@example.com")
    await vote_api(client, scene.bob_answer, 1)
    await vote_api(client, scene.bob_answer, -1)
    await vote_api(client, scene.bob_answer, -1)
    assert await ledger(world, scene.bob) == [
        (Reason.FIRST_POST_OF_DAY, 1, False),
        (Reason.ANSWER_UPVOTED, 10, False),
        (Reason.ANSWER_UPVOTED, -10, True),
        (Reason.DOWNVOTE_RECEIVED, -2, False),
        (Reason.DOWNVOTE_RECEIVED, 2, True),
    ]
    async with world.unit() as session:
        events = await session.scalar(
            select(func.coalesce(func.sum(ReputationEvent.points), 0)).where(
                ReputationEvent.member_id == scene.bob.id
            )
        )
    assert events == await reputation(world, scene.bob) == 1


async def test_one_voter_withdrawing_leaves_the_others_points(
    client: Client, client_for, world: World, scene: Scene
) -> None:
    await client.login("carol@example.com")
    dave = client_for("acme.test")
    await dave.login("dave@example.com")
    await vote_api(client, scene.bob_answer, 1)
    await vote_api(dave, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 21
    await vote_api(dave, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 11, "only Dave's +10 is reversed"
    await vote_api(dave, scene.bob_answer, -1)
    assert await reputation(world, scene.bob) == 9


async def test_the_daily_cap_on_points_from_upvotes(
    client: Client, client_for, world: World, scene: Scene
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    eve = await world.member("acme", "eve@example.com")
    admin = client_for("acme.test")
    await admin.login("boss@example.com")
    saved = await admin.submit("/admin/scoring", admin_form(points_answer_upvoted="150"))
    assert saved.status_code == 303, saved.text
    dave = client_for("acme.test")
    await client.login("carol@example.com")
    await dave.login("dave@example.com")
    await vote_api(client, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 150
    await vote_api(dave, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 200, "150 + 50, not 300"
    await vote_api(dave, scene.bob_answer, 1)  # withdraw the second
    assert await reputation(world, scene.bob) == 1 + 150, "gives back exactly the 50 it gave"
    await vote_api(dave, scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 200
    async with world.unit() as session:
        await vote(await world.scope(session, "acme", eve), scene.bob_answer, 1)
    assert await reputation(world, scene.bob) == 1 + 200, "nothing above the cap"
    async with world.unit() as session:
        await vote(await world.scope(session, "acme", eve), scene.bob_answer, -1)
    assert await reputation(world, scene.bob) == 1 + 200 - 2, "downvotes are not capped away"
    assert (await vote_api(client, scene.bob_answer, 1))["my_vote"] == 0
    assert await reputation(world, scene.bob) == 1 + 50 - 2, "Carol's 150 is taken back"
    assert (await vote_api(client, scene.bob_answer, 1))["score"] == 1
    assert await reputation(world, scene.bob) == 1 + 200 - 2


async def test_the_cap_counts_question_and_answer_upvotes_together(
    world: World, scene: Scene
) -> None:
    # 5 voters give 5 on the question and 10 on an answer each: 75, but the cap is 60
    voters = [await world.member("acme", f"voter{n}@example.com") for n in range(5)]
    async with world.unit() as session:
        admin = Member(
            tenant_id=scene.thread.tenant_id, email="boss@example.com", display_name="Boss",
            password_hash=NOT_A_REAL_HASH, role=Role.ADMIN,
        )  # fmt: skip
        session.add(admin)
        await session.flush()
        await update_scoring(await world.scope(session, "acme", admin), scoring_form(60))
    own_answer = await answer(world, scene.thread, scene.ann, "Self-answer")
    for voter in voters:
        async with world.unit() as session:
            voting = await world.scope(session, "acme", voter)
            await vote(voting, scene.question, 1)
            await vote(voting, own_answer, 1)
    assert await reputation(world, scene.ann) == 1 + 60


async def test_accepting_and_certifying_by_the_rules(world: World, scene: Scene) -> None:
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    async with world.unit() as session:
        ann = await session.get(Member, scene.ann.id)
        await qa.accept(await world.scope(session, "acme", ann), scene.bob_answer)
    assert [await reputation(world, m) for m in (scene.bob, scene.ann)] == [1 + 15, 1 + 2]
    async with world.unit() as session:
        await qa.certify(await world.scope(session, "acme", erin), scene.bob_answer, "Official")
    assert await reputation(world, scene.bob) == 1 + 15 + 25
    assert await reputation(world, erin) == 0, "certifying earns the expert nothing"
    async with world.unit() as session:
        await qa.uncertify(await world.scope(session, "acme", erin), scene.bob_answer)
        await qa.unaccept(await world.scope(session, "acme", scene.ann), scene.bob_answer)
    assert [await reputation(world, m) for m in (scene.bob, scene.ann)] == [1, 1]


# ---- badges -------------------------------------------------------------------------------------


async def badges_of(world: World, member: Member) -> set[str]:
    async with world.unit() as session:
        return set(
            await session.scalars(
                select(MemberBadge.badge).where(MemberBadge.member_id == member.id)
            )
        )


async def test_badges_follow_what_members_did(world: World, scene: Scene) -> None:
    assert await badges_of(world, scene.ann) == {"first_question"}
    assert await badges_of(world, scene.bob) == {"first_answer"}
    assert await badges_of(world, scene.carol) == set()
    talk = await ask(world, scene.carol, "Share your setup photos", kind=ThreadKind.DISCUSSION)
    assert await badges_of(world, scene.carol) == set(), "a discussion is no question"
    await answer(world, talk, scene.dave, "My desk")
    expert = await world.member("acme", "erin@example.com", Role.EXPERT)
    async with world.unit() as session:
        await qa.accept(await world.scope(session, "acme", scene.ann), scene.bob_answer)
    assert await badges_of(world, scene.bob) == {"first_answer", "first_accepted"}
    async with world.unit() as session:
        await qa.certify(await world.scope(session, "acme", expert), scene.bob_answer)
    assert await badges_of(world, scene.bob) == {"first_answer", "first_accepted", "certified"}
    async with world.unit() as session:
        await qa.unaccept(await world.scope(session, "acme", scene.ann), scene.bob_answer)
        assert await check_badges(await world.scope(session, "acme"), scene.bob.id) == []
    assert "first_accepted" in await badges_of(world, scene.bob), "a badge once earned stays"
    assert "first_answer" not in await badges_of(world, scene.dave), (
        "a discussion reply is no answer"
    )


async def test_a_badge_is_awarded_once(world: World, scene: Scene) -> None:
    await ask(world, scene.ann, "A second question of mine")
    async with world.unit() as session:
        assert await check_badges(await world.scope(session, "acme"), scene.ann.id) == []
        held = await session.scalar(
            select(func.count()).where(MemberBadge.member_id == scene.ann.id)
        )
    assert held == 1


# ---- recompute ------------------------------------------------------------------------------------


@dataclass
class Counters:
    reputation: dict[int, int] = field(default_factory=dict)
    score: dict[int, int] = field(default_factory=dict)
    post_count: dict[int, int] = field(default_factory=dict)
    thread_count: dict[int, int] = field(default_factory=dict)
    days: list[tuple[int, int, date, int]] = field(default_factory=list)


async def counters(session: AsyncSession, tenant_id: int) -> Counters:
    async def pairs(id_column: Any, value: Any, tenant_column: Any) -> dict[int, int]:
        rows = await session.execute(select(id_column, value).where(tenant_column == tenant_id))
        return dict(rows.all())

    days = await session.execute(
        select(
            ReputationDay.member_id, ReputationDay.category_id, ReputationDay.day,
            ReputationDay.points,
        ).where(ReputationDay.tenant_id == tenant_id)
    )  # fmt: skip
    return Counters(
        await pairs(Member.id, Member.reputation, Member.tenant_id),
        await pairs(Post.id, Post.score, Post.tenant_id),
        await pairs(Thread.id, Thread.post_count, Thread.tenant_id),
        await pairs(Category.id, Category.thread_count, Category.tenant_id),
        sorted(tuple(row) for row in days.all()),
    )


async def corrupt(session: AsyncSession, tenant_id: int) -> None:
    await session.execute(
        update(Member)
        .where(Member.tenant_id == tenant_id)
        .values(reputation=Member.reputation + 999)
    )
    await session.execute(update(Post).where(Post.tenant_id == tenant_id).values(score=-42))
    await session.execute(update(Thread).where(Thread.tenant_id == tenant_id).values(post_count=0))
    await session.execute(
        update(Category).where(Category.tenant_id == tenant_id).values(thread_count=77)
    )
    first = await session.scalar(
        select(func.min(ReputationDay.id)).where(ReputationDay.tenant_id == tenant_id)
    )
    await session.execute(delete(ReputationDay).where(ReputationDay.id == first))
    await session.execute(
        update(ReputationDay)
        .where(ReputationDay.tenant_id == tenant_id)
        .values(points=ReputationDay.points + 3)
    )
    someone = await session.scalar(select(func.min(Member.id)).where(Member.tenant_id == tenant_id))
    await session.execute(
        insert(ReputationDay).values(
            tenant_id=tenant_id, member_id=someone, category_id=0, day=date(2001, 1, 1), points=5
        )
    )


async def random_workload(world: World, tenant: str, rng: random.Random) -> None:
    """Members voting, withdrawing, switching, answering, accepting and certifying."""
    people = [await world.member(tenant, f"m{n}-{tenant}@example.com") for n in range(6)]
    expert = await world.member(tenant, f"expert-{tenant}@example.com", Role.EXPERT)
    moderator = await world.member(tenant, f"mod-{tenant}@example.com", Role.MODERATOR)
    everyone = [*people, expert, moderator]
    threads = [
        await ask(world, rng.choice(people), f"Question number {n} here", rng.choice(["general", "billing"]))
        for n in range(4)
    ]  # fmt: skip
    posts = [await opening_post(world, t) for t in threads]
    answers: dict[int, list[int]] = {t.id: [] for t in threads}
    for thread in threads:
        for _ in range(2):
            post_id = await answer(world, thread, rng.choice(everyone), f"Answer {len(posts)}")
            posts.append(post_id)
            answers[thread.id].append(post_id)
    for _step in range(150):
        roll = rng.random()
        thread = rng.choice(threads)
        try:
            async with world.unit() as session:
                if roll < 0.65:
                    voter = rng.choice(everyone)
                    await vote(
                        await world.scope(session, tenant, voter),
                        rng.choice(posts),
                        rng.choice([1, 1, -1]),
                    )
                elif roll < 0.75:
                    writer = await session.get(Member, rng.choice(everyone).id)
                    writing = await world.scope(session, tenant, writer)
                    new = await forums.reply(writing, thread.id, f"More {_step}")
                    posts.append(new.id)
                    answers[thread.id].append(new.id)
                elif roll < 0.85:
                    actor = rng.choice([moderator, *people])
                    change = rng.choice([qa.accept, qa.accept, qa.unaccept])
                    await change(
                        await world.scope(session, tenant, actor), rng.choice(answers[thread.id])
                    )
                elif roll < 0.95:
                    certifier = rng.choice([expert, moderator])
                    post_id = rng.choice(answers[thread.id])
                    certifying = await world.scope(session, tenant, certifier)
                    if rng.random() < 0.7:
                        await qa.certify(certifying, post_id, f"note {_step}")
                    else:
                        await qa.uncertify(certifying, post_id)
                else:
                    doomed = rng.choice(answers[thread.id])
                    await forums.delete_post(await world.scope(session, tenant, moderator), doomed)
        except DomainError:
            pass  # refused (own post, not the asker, deleted post...): nothing was written


async def test_live_counters_equal_the_ledger_and_recompute_rebuilds_them(world: World) -> None:
    rng = random.Random(7)
    await random_workload(world, "acme", rng)
    await random_workload(world, "globex", rng)
    acme, globex = world.tenants["acme"], world.tenants["globex"]
    async with world.unit() as session:
        before = await counters(session, acme)
        before_globex = await counters(session, globex)
        ledger_sums = dict(
            (
                await session.execute(
                    select(ReputationEvent.member_id, func.sum(ReputationEvent.points))
                    .where(ReputationEvent.tenant_id == acme)
                    .group_by(ReputationEvent.member_id)
                )
            ).all()
        )
        vote_sums = dict(
            (
                await session.execute(
                    select(Vote.post_id, func.sum(Vote.value))
                    .where(Vote.tenant_id == acme)
                    .group_by(Vote.post_id)
                )
            ).all()
        )
    assert {m: r for m, r in before.reputation.items() if r} == {
        m: s for m, s in ledger_sums.items() if s
    }, "the live reputation is the ledger's sum"
    assert {p: s for p, s in before.score.items() if s} == {p: s for p, s in vote_sums.items() if s}
    assert any(before.score.values()) and len(before.days) > 5, "the workload did something"
    async with world.unit() as session:
        await corrupt(session, acme)
        await corrupt(session, globex)
    async with world.unit() as session:
        assert await counters(session, acme) != before
        await recompute_counters(await world.scope(session, "acme"))
    async with world.unit() as session:
        after = await counters(session, acme)
        globex_untouched = await counters(session, globex)
    assert after.reputation == before.reputation
    assert after.score == before.score
    assert after.post_count == before.post_count
    assert after.thread_count == before.thread_count
    assert after.days == before.days
    assert globex_untouched != before_globex, "recomputing one tenant leaves the others alone"
    assert await recompute_tenants(world.sessions) == 2
    async with world.unit() as session:
        assert await counters(session, globex) == before_globex
        assert await counters(session, acme) == before


def test_the_recompute_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cli.db"
    url = f"sqlite+aiosqlite:///{path}"
    monkeypatch.setenv("PARVIS_DATABASE_URL", url)
    monkeypatch.setenv("PARVIS_DATA_DIR", str(tmp_path))
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    assert run("db", "upgrade").exit_code == 0

    async def build() -> None:
        engine = create_engine(url)
        world = World(session_factory(engine))
        await world.tenant("acme")
        await world.tenant("globex", locale="fr")
        rng = random.Random(7)
        await random_workload(world, "acme", rng)
        await random_workload(world, "globex", rng)
        await engine.dispose()

    asyncio.run(build())

    def snapshot() -> dict[str, list[tuple]]:
        with sqlite3.connect(path) as db:
            return {
                table: db.execute(f"SELECT t.slug, x.id, x.{column} FROM {table} x "
                                  f"JOIN tenants t ON t.id = x.tenant_id ORDER BY x.id").fetchall()
                for table, column in [("members", "reputation"), ("posts", "score"),
                                      ("threads", "post_count"), ("categories", "thread_count")]
            } | {"days": db.execute("SELECT t.slug, member_id, category_id, day, points "
                                    "FROM reputation_days x JOIN tenants t ON t.id = x.tenant_id "
                                    "ORDER BY 1, 2, 3, 4").fetchall()}  # fmt: skip

    def of(snap: dict[str, list[tuple]], slug: str) -> dict[str, list[tuple]]:
        return {table: [row for row in rows if row[0] == slug] for table, rows in snap.items()}

    before = snapshot()
    assert any(score for _, _, score in before["posts"]), "the workload voted"
    with sqlite3.connect(path) as db:
        db.execute("UPDATE members SET reputation = reputation + 500")
        db.execute("UPDATE posts SET score = 99")
        db.execute("UPDATE threads SET post_count = 0")
        db.execute("UPDATE categories SET thread_count = 0")
        db.execute("UPDATE reputation_days SET points = points * 2 + 1")
    one = run("scoring", "recompute", "--tenant", "acme")
    assert one.exit_code == 0 and "counters recomputed for acme" in one.output
    middle = snapshot()
    assert of(middle, "acme") == of(before, "acme")
    for table, rows in of(middle, "globex").items():
        assert rows != of(before, "globex")[table], f"globex {table} left alone"
    every = run("scoring", "recompute")
    assert every.exit_code == 0 and "counters recomputed for every tenant" in every.output
    assert snapshot() == before
    nope = run("scoring", "recompute", "--tenant", "nope")
    assert nope.exit_code == 1 and "no tenant with slug 'nope'" in nope.output
    assert snapshot() == before


# ---- concurrency (PostgreSQL) -------------------------------------------------------------------


async def add_members(world: World, tenant: str, prefix: str, n: int) -> list[Member]:
    """Many members at once, without paying for password hashing."""
    async with world.unit() as session:
        made = [
            Member(
                tenant_id=world.tenants[tenant], email=f"{prefix}{i}@example.com",
                display_name=f"{prefix.title()} {i}", password_hash=NOT_A_REAL_HASH,
            )
            for i in range(n)
        ]  # fmt: skip
        session.add_all(made)
    return made


def final_vote(sequence: list[int]) -> int:
    state = 0
    for value in sequence:
        state = 0 if state == value else value
    return state


@requires_postgres
async def test_two_hundred_concurrent_voters_keep_every_number_exact(
    world: World, scene: Scene
) -> None:
    tenant_id = scene.thread.tenant_id
    async with world.unit() as session:  # no cap: the expected reputation is exact
        boss = Member(
            tenant_id=tenant_id, email="boss@example.com", display_name="Boss",
            password_hash=NOT_A_REAL_HASH, role=Role.ADMIN,
        )  # fmt: skip
        session.add(boss)
        await session.flush()
        await update_scoring(await world.scope(session, "acme", boss), scoring_form(100_000))
    voters = await add_members(world, "acme", "voter", 200)
    rng = random.Random(7)
    sequences = [[rng.choice([1, -1]) for _ in range(rng.randint(1, 4))] for _ in voters]
    gate = asyncio.Semaphore(15)

    async def voter_runs(voter: Member, sequence: list[int]) -> None:
        for value in sequence:
            async with gate, session_scope(world.sessions, world.jobs) as session:
                await vote(await world.scope(session, "acme", voter), scene.question, value)

    await asyncio.gather(*(voter_runs(v, s) for v, s in zip(voters, sequences, strict=True)))
    await world.jobs.drain()
    finals = [final_vote(s) for s in sequences]
    ups, downs = finals.count(1), finals.count(-1)
    async with world.unit() as session:
        score = await session.scalar(select(Post.score).where(Post.id == scene.question))
        summed = await session.scalar(
            select(func.coalesce(func.sum(Vote.value), 0)).where(Vote.post_id == scene.question)
        )
        events = await session.scalar(
            select(func.sum(ReputationEvent.points)).where(
                ReputationEvent.member_id == scene.ann.id
            )
        )
        rep = await session.scalar(select(Member.reputation).where(Member.id == scene.ann.id))
        days = await session.scalar(
            select(func.sum(ReputationDay.points)).where(ReputationDay.member_id == scene.ann.id)
        )
    assert score == summed == ups - downs
    assert rep == events == days == 1 + 5 * ups - 2 * downs
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    async with world.unit() as session:
        assert await session.scalar(select(Post.score).where(Post.id == scene.question)) == score
        assert (
            await session.scalar(select(Member.reputation).where(Member.id == scene.ann.id)) == rep
        )


@requires_postgres
async def test_the_daily_cap_holds_under_concurrent_votes_on_different_posts(
    world: World, scene: Scene
) -> None:
    """Bob wrote 40 answers; 40 members upvote one each at the same time: 400 points of
    upvotes, of which the daily cap lets 200 through."""
    async with world.unit() as session:
        answering = await world.scope(session, "acme", await session.get(Member, scene.bob.id))
        targets = [
            (await forums.reply(answering, scene.thread.id, f"Answer {n}")).id for n in range(40)
        ]
    voters = await add_members(world, "acme", "fan", 40)
    gate = asyncio.Semaphore(15)

    async def upvote(voter: Member, post_id: int) -> None:
        async with gate, session_scope(world.sessions, world.jobs) as session:
            await vote(await world.scope(session, "acme", voter), post_id, 1)

    await asyncio.gather(*(upvote(v, p) for v, p in zip(voters, targets, strict=True)))
    await world.jobs.drain()
    async with world.unit() as session:
        from_votes = await session.scalar(
            select(func.sum(ReputationEvent.points)).where(
                ReputationEvent.member_id == scene.bob.id,
                ReputationEvent.reason == Reason.ANSWER_UPVOTED,
            )
        )
    assert from_votes == 200
    assert await reputation(world, scene.bob) == 1 + 200
