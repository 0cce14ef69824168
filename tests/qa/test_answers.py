"""Accepted and certified answers: who may mark them, what readers see, who earns what."""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from community.forums import services as forums
from community.forums.models import Post, Thread, ThreadKind
from community.identity.models import Member, Role
from community.moderation.models import AuditEntry
from community.qa.services import certify, do_certify
from community.scoring.models import Reason, ReputationEvent
from community.scoring.recompute import recompute_counters
from community.votes.services import vote
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def fresh(world: World, member: Member) -> Member:
    """The member as stored now. (World.thread merges the object it is given, so a stale copy
    would write its old reputation back.)"""
    async with world.unit() as session:
        return await session.get(Member, member.id)


async def answer(world: World, thread: Thread, author: Member, body: str) -> int:
    async with world.unit() as session:
        writer = await session.get(Member, author.id)
        scope = await world.scope(session, "acme", writer)
        return (await forums.reply(scope, thread.id, body)).id


async def question_post(world: World, thread: Thread) -> int:
    async with world.unit() as session:
        return await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
        )


async def reputations(world: World, *members: Member) -> list[int]:
    async with world.unit() as session:
        found = dict((await session.execute(select(Member.id, Member.reputation))).all())
    return [found[m.id] for m in members]


async def upvote(world: World, voter: Member, post_id: int) -> None:
    async with world.unit() as session:
        await vote(await world.scope(session, "acme", voter), post_id, 1)


def article(html: str, post_id: int) -> str:
    found = re.search(rf'<article [^>]*id="p{post_id}".*?</article>', html, re.S)
    assert found, f"post {post_id} is not on the page"
    return found.group(0)


def post_ids_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article [^>]*id="p(\d+)"', html)]


@dataclass
class Question:
    thread: Thread
    url: str
    ann: Member  # the asker, 1 point for posting today
    bob: Member  # first answer, 1 point
    carol: Member  # second answer, 1 point
    bob_answer: int
    carol_answer: int


@pytest.fixture
async def question(world: World) -> Question:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    carol = await world.member("acme", "carol@example.com")
    thread = await world.thread("acme", ann, title="Router drops Wi-Fi every evening")
    bob_answer = await answer(world, thread, bob, "Change the **channel**")
    carol_answer = await answer(world, thread, carol, "Update the firmware")
    url = f"/t/{thread.id}/{thread.slug}"
    return Question(thread, url, ann, bob, carol, bob_answer, carol_answer)


async def test_the_asker_accepts_an_answer(
    client: Client, world: World, question: Question
) -> None:
    await client.login("ann@example.com")
    page = await client.get(question.url)
    assert f'action="/p/{question.bob_answer}/accept"' in page.text
    assert "Accept this answer" in article(page.text, question.bob_answer)
    response = await client.submit(f"/p/{question.bob_answer}/accept", {})
    assert response.status_code == 303
    assert response.headers["location"] == f"{question.url}#p{question.bob_answer}"
    page = await client.get(question.url)
    accepted = article(page.text, question.bob_answer)
    assert 'data-testid="accepted-banner">✓ Accepted by the asker' in accepted
    assert "Undo acceptance" in accepted
    assert "accepted-banner" not in article(page.text, question.carol_answer)
    assert '<span class="mark mark-resolved">✓ Resolved</span>' in page.text
    assert await reputations(world, question.bob, question.ann, question.carol) == [16, 3, 1]


async def test_resolved_questions_are_marked_in_lists(
    client: Client, world: World, question: Question
) -> None:
    await world.thread(
        "acme", await fresh(world, question.ann), title="Still waiting for an answer here"
    )
    resolved_mark = '<span class="mark mark-resolved">✓ Resolved</span>'
    for listing in ("/", "/c/general"):
        assert resolved_mark not in (await client.get(listing)).text
    await client.login("ann@example.com")
    await client.submit(f"/p/{question.bob_answer}/accept", {})
    for listing in ("/", "/c/general"):
        html = (await client.get(listing)).text
        rows = re.findall(r'<li class="thread-row">.*?</li>', html, re.S)
        marked = [row for row in rows if resolved_mark in row]
        assert len(marked) == 1 and "Router drops Wi-Fi every evening" in marked[0]


async def test_switching_and_undoing_the_accepted_answer_moves_the_points(
    client: Client, world: World, question: Question
) -> None:
    await client.login("ann@example.com")
    accepted = await client.api_post(f"/api/v1/posts/{question.bob_answer}/accept", {})
    assert accepted.status_code == 200, accepted.text
    body = accepted.json()
    assert body["thread_id"] == question.thread.id and body["resolved"] is True
    assert body["accepted_post_id"] == question.bob_answer and body["certified_post_id"] is None
    assert await reputations(world, question.bob, question.carol, question.ann) == [16, 1, 3]
    again = await client.api_post(f"/api/v1/posts/{question.bob_answer}/accept", {})
    assert again.status_code == 200
    assert await reputations(world, question.bob, question.carol, question.ann) == [16, 1, 3], (
        "accepting the same answer twice pays once"
    )
    switched = await client.api_post(f"/api/v1/posts/{question.carol_answer}/accept", {})
    assert switched.json()["accepted_post_id"] == question.carol_answer
    assert await reputations(world, question.bob, question.carol, question.ann) == [1, 16, 3]
    undone = await client.delete(
        f"/api/v1/posts/{question.carol_answer}/accept", headers={"x-csrftoken": client.csrf()}
    )
    assert undone.status_code == 200
    assert undone.json()["resolved"] is False and undone.json()["accepted_post_id"] is None
    assert await reputations(world, question.bob, question.carol, question.ann) == [1, 1, 1]
    twice = await client.delete(
        f"/api/v1/posts/{question.carol_answer}/accept", headers={"x-csrftoken": client.csrf()}
    )
    assert twice.status_code == 422
    assert twice.json()["detail"] == "This answer is not the accepted one."
    page = await client.get(question.url)
    assert "accepted-banner" not in page.text and "mark-resolved" not in page.text


async def test_undo_acceptance_on_the_page(
    client: Client, world: World, question: Question
) -> None:
    await client.login("ann@example.com")
    await client.submit(f"/p/{question.carol_answer}/accept", {})
    undone = await client.submit(f"/p/{question.carol_answer}/unaccept", {})
    assert undone.status_code == 303
    page = await client.get(question.url)
    assert "accepted-banner" not in page.text and "mark-resolved" not in page.text
    assert "Undo acceptance" not in page.text
    assert await reputations(world, question.carol, question.ann) == [1, 1]


async def test_accepting_ones_own_answer_earns_nothing(
    client: Client, world: World, question: Question
) -> None:
    own = await answer(world, question.thread, question.ann, "Found it myself: reboot")
    await client.login("ann@example.com")
    accepted = await client.api_post(f"/api/v1/posts/{own}/accept", {})
    assert accepted.status_code == 200 and accepted.json()["resolved"] is True
    assert await reputations(world, question.ann) == [1]


async def test_only_the_asker_or_a_moderator_accepts(
    client: Client, client_for, world: World, question: Question
) -> None:
    await world.member("acme", "dan@example.com")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("dan@example.com")
    page = await client.get(question.url)
    assert "/accept" not in page.text, "no accept button for a bystander"
    refused = await client.submit(f"/p/{question.bob_answer}/accept", {})
    assert refused.status_code == 403
    assert "Only the asker or a moderator can accept an answer." in refused.text
    api = await client.api_post(f"/api/v1/posts/{question.bob_answer}/accept", {})
    assert api.status_code == 403
    assert api.json()["detail"] == "Only the asker or a moderator can accept an answer."
    mod = client_for("acme.test")
    await mod.login("mod@example.com")
    assert f'action="/p/{question.bob_answer}/accept"' in (await mod.get(question.url)).text
    assert (await mod.submit(f"/p/{question.bob_answer}/accept", {})).status_code == 303
    page = await client.get(question.url)
    assert "accepted-banner" in article(page.text, question.bob_answer)
    refused = await client.submit(f"/p/{question.bob_answer}/unaccept", {})
    assert refused.status_code == 403
    assert "accepted-banner" in article((await client.get(question.url)).text, question.bob_answer)


async def test_only_answers_to_questions_can_be_accepted(
    client: Client, world: World, question: Question
) -> None:
    opening = await question_post(world, question.thread)
    talk = await world.thread(
        "acme",
        await fresh(world, question.ann),
        title="Show us your setup",
        kind=ThreadKind.DISCUSSION,
    )
    talk_reply = await answer(world, talk, question.bob, "Here is mine")
    await client.login("ann@example.com")
    itself = await client.api_post(f"/api/v1/posts/{opening}/accept", {})
    assert itself.status_code == 422
    assert itself.json()["detail"] == "The question itself cannot be accepted or certified."
    discussion = await client.api_post(f"/api/v1/posts/{talk_reply}/accept", {})
    assert discussion.status_code == 422
    assert discussion.json()["detail"] == "Only answers to a question can be accepted or certified."
    page = await client.submit(f"/p/{opening}/accept", {})
    assert page.status_code == 422
    assert "The question itself cannot be accepted or certified." in page.text
    assert (await client.get("/?status=resolved")).text.count("thread-row") == 0
    assert await reputations(world, question.ann, question.bob) == [1, 1]


async def test_answers_of_another_community_cannot_be_marked(
    client: Client, client_for, world: World, question: Question
) -> None:
    await world.member("globex", "gus@example.com", Role.ADMIN)
    foreign = client_for("globex.test")
    await foreign.login("gus@example.com")
    for action in ("accept", "certify"):
        response = await foreign.api_post(f"/api/v1/posts/{question.bob_answer}/{action}", {})
        assert response.status_code == 404, response.text
        assert response.json()["detail"] == "This post does not exist or was deleted."
        assert (await foreign.submit(f"/p/{question.bob_answer}/{action}", {})).status_code == 404
    page = await client.get(question.url)
    assert "accepted-banner" not in page.text and "certified-banner" not in page.text
    assert await reputations(world, question.bob) == [1]


async def test_an_expert_certifies_an_answer_with_a_note(
    client: Client, world: World, question: Question
) -> None:
    await world.member("acme", "erin@example.com", Role.EXPERT)
    await client.login("erin@example.com")
    page = await client.get(question.url)
    assert f'action="/p/{question.bob_answer}/certify"' in page.text
    assert "/accept" not in page.text, "an expert does not accept for the asker"
    response = await client.submit(
        f"/p/{question.bob_answer}/certify", {"note": "Confirmed by our network team"}
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{question.url}#p{question.bob_answer}"
    page = await client.get(question.url)
    certified = article(page.text, question.bob_answer)
    banner = re.search(r'data-testid="certified-banner">(.*?)</p>', certified, re.S)
    assert banner, "the certified answer carries the banner"
    text = re.sub(r"\s+", " ", banner.group(1))
    assert "<strong>Certified answer</strong>" in text
    assert "certified by Erin" in text and 'class="role role-expert">expert<' in text
    assert "“Confirmed by our network team”" in text
    assert "certified-banner" not in article(page.text, question.carol_answer)
    assert '<span class="mark mark-certified">Certified</span>' in page.text
    assert "Withdraw certification" in certified
    assert await reputations(world, question.bob) == [26]
    home = await client.get("/")
    assert '<span class="mark mark-certified">Certified</span>' in home.text


async def test_certification_moves_and_is_withdrawn_through_the_api(
    client: Client, world: World, question: Question
) -> None:
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    await client.login("erin@example.com")
    certified = await client.api_post(
        f"/api/v1/posts/{question.bob_answer}/certify", {"note": "Works on model X"}
    )
    assert certified.status_code == 200, certified.text
    body = certified.json()
    assert body["certified_post_id"] == question.bob_answer and body["resolved"] is True
    assert body["certified_note"] == "Works on model X" and body["certified_at"]
    renoted = await client.api_post(
        f"/api/v1/posts/{question.bob_answer}/certify", {"note": "Works on X and Y"}
    )
    assert renoted.json()["certified_note"] == "Works on X and Y"
    assert await reputations(world, question.bob, erin) == [26, 0], "a new note pays nothing more"
    moved = await client.api_post(f"/api/v1/posts/{question.carol_answer}/certify", {})
    assert moved.json()["certified_post_id"] == question.carol_answer
    assert await reputations(world, question.bob, question.carol) == [1, 26]
    headers = {"x-csrftoken": client.csrf()}
    withdrawn = await client.delete(
        f"/api/v1/posts/{question.carol_answer}/certify", headers=headers
    )
    assert withdrawn.status_code == 200
    assert withdrawn.json()["certified_post_id"] is None and withdrawn.json()["resolved"] is False
    assert await reputations(world, question.bob, question.carol) == [1, 1]
    too_long = await client.api_post(
        f"/api/v1/posts/{question.bob_answer}/certify", {"note": "x" * 501}
    )
    assert too_long.status_code == 422
    assert too_long.json()["detail"] == "The note is too long (500 characters at most)."
    assert "certified-banner" not in (await client.get(question.url)).text


async def test_a_plain_member_cannot_certify(
    client: Client, world: World, question: Question
) -> None:
    await client.login("ann@example.com")  # even the asker
    assert "/certify" not in (await client.get(question.url)).text
    page = await client.submit(f"/p/{question.bob_answer}/certify", {"note": "trust me"})
    assert page.status_code == 403
    assert "Only brand experts and moderators can certify answers." in page.text
    api = await client.api_post(f"/api/v1/posts/{question.bob_answer}/certify", {"note": ""})
    assert api.status_code == 403
    assert api.json()["detail"] == "Only brand experts and moderators can certify answers."
    assert "certified-banner" not in (await client.get(question.url)).text
    assert await reputations(world, question.bob) == [1]


async def test_moderators_certify_too(client: Client, world: World, question: Question) -> None:
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    await client.login("mod@example.com")
    assert (
        await client.submit(f"/p/{question.carol_answer}/certify", {"note": ""})
    ).status_code == 303
    banner = article((await client.get(question.url)).text, question.carol_answer)
    assert "certified by Mod" in banner and "role-moderator" in banner
    assert "certified-note" not in banner, "no empty note is shown"


async def test_answers_are_ordered_certified_accepted_then_by_score(
    client: Client, client_for, world: World, question: Question
) -> None:
    dan = await world.member("acme", "dan@example.com")
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    dan_answer = await answer(world, question.thread, dan, "Move the router higher")
    late_answer = await answer(world, question.thread, question.bob, "Or buy a mesh system")
    opening = await question_post(world, question.thread)
    await upvote(world, dan, question.carol_answer)
    await upvote(world, erin, question.carol_answer)
    await upvote(world, question.carol, dan_answer)
    page = await client.get(question.url)
    assert post_ids_in_order(page.text) == [
        opening, question.carol_answer, dan_answer, question.bob_answer, late_answer,
    ]  # fmt: skip
    await client.login("erin@example.com")
    await client.submit(f"/p/{dan_answer}/certify", {"note": "Official advice"})
    asker = client_for("acme.test")
    await asker.login("ann@example.com")
    await asker.submit(f"/p/{late_answer}/accept", {})
    expected = [opening, dan_answer, late_answer, question.carol_answer, question.bob_answer]
    assert post_ids_in_order((await client.get(question.url)).text) == expected
    api = (await client.get(f"/api/v1/threads/{question.thread.id}")).json()
    assert [p["id"] for p in api["posts"]] == expected


async def test_the_status_filter_on_lists(client: Client, world: World, question: Question) -> None:
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    waiting = await world.thread(
        "acme", await fresh(world, question.ann), title="Unanswered question in general"
    )
    certified = await world.thread(
        "acme",
        await fresh(world, question.ann),
        title="Certified billing question",
        category="billing",
    )
    await world.thread(
        "acme",
        await fresh(world, question.ann),
        title="A discussion about routers",
        kind=ThreadKind.DISCUSSION,
    )
    billing_answer = await answer(world, certified, question.bob, "Refund is automatic")
    await client.login("ann@example.com")
    await client.submit(f"/p/{question.bob_answer}/accept", {})
    async with world.unit() as session:
        await certify(await world.scope(session, "acme", erin), billing_answer)

    async def titles(url: str) -> set[str]:
        response = await client.get(url)
        assert response.status_code == 200, response.text
        return set(re.findall(r'class="thread-title" href="[^"]+">([^<]+)<', response.text))

    router, billing = "Router drops Wi-Fi every evening", "Certified billing question"
    assert await titles("/?status=resolved") == {router, billing}
    assert await titles("/?status=certified") == {billing}
    assert await titles("/?status=unresolved") == {waiting.title}
    assert len(await titles("/")) == 4
    assert await titles("/c/general?status=resolved") == {router}
    assert await titles("/c/general?status=certified") == set()
    assert await titles("/c/general?status=unresolved") == {waiting.title}
    assert await titles("/c/billing?status=certified") == {billing}
    home = await client.get("/?status=certified")
    assert 'href="/?status=certified" aria-current="page"' in home.text
    for bad in ("/?status=solved", "/c/general?status=open"):
        response = await client.get(bad)
        assert response.status_code == 422
        assert "Filter on resolved, unresolved or certified threads." in response.text


async def test_every_change_of_resolution_is_audited(
    client: Client, client_for, world: World, question: Question
) -> None:
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    await client.login("ann@example.com")
    await client.submit(f"/p/{question.bob_answer}/accept", {})
    await client.submit(f"/p/{question.bob_answer}/unaccept", {})
    expert = client_for("acme.test")
    await expert.login("erin@example.com")
    await expert.submit(f"/p/{question.carol_answer}/certify", {"note": "Good"})
    await expert.submit(f"/p/{question.carol_answer}/uncertify", {})
    await client.submit(f"/p/{question.carol_answer}/accept", {})
    refused = await expert.submit(f"/p/{question.bob_answer}/accept", {})
    assert refused.status_code == 403
    async with world.unit() as session:
        entries = (
            await session.execute(
                select(
                    AuditEntry.actor_id, AuditEntry.action, AuditEntry.subject_type,
                    AuditEntry.subject_id, AuditEntry.tenant_id,
                ).order_by(AuditEntry.id)
            )
        ).all()  # fmt: skip
    subject = ("thread", question.thread.id, question.thread.tenant_id)
    assert entries == [
        (question.ann.id, "answer.accept", *subject),
        (question.ann.id, "answer.unaccept", *subject),
        (erin.id, "answer.certify", *subject),
        (erin.id, "answer.uncertify", *subject),
        (question.ann.id, "answer.accept", *subject),
    ], "a refused attempt leaves no entry"


async def certify_as_escalation(world: World, certifier: Member, post_id: int, note: str) -> None:
    """What escalation's resolution does: the unguarded `do_certify`, the thread locked."""
    async with world.unit() as session:
        scope = await world.scope(session, "acme", certifier)
        post = await session.get(Post, post_id)
        thread = await session.scalar(
            select(Thread).where(Thread.id == post.thread_id).with_for_update()
        )
        await do_certify(scope, thread, post, note)


async def ledger(world: World) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Each member's points by the ledger, by members.reputation, and the certification
    points alone (by the ledger)."""
    async with world.unit() as session:
        by_events = dict(
            (
                await session.execute(
                    select(ReputationEvent.member_id, func.sum(ReputationEvent.points)).group_by(
                        ReputationEvent.member_id
                    )
                )
            ).all()
        )
        counters = dict((await session.execute(select(Member.id, Member.reputation))).all())
        certified = dict(
            (
                await session.execute(
                    select(ReputationEvent.member_id, func.sum(ReputationEvent.points))
                    .where(ReputationEvent.reason == Reason.ANSWER_CERTIFIED)
                    .group_by(ReputationEvent.member_id)
                )
            ).all()
        )
    return by_events, counters, certified


async def test_a_resolution_certifying_another_answer_takes_the_points_back(
    client: Client, world: World, question: Question
) -> None:
    erin = await world.member("acme", "erin@example.com", Role.EXPERT)
    agent = await world.member("acme", "agent@example.com", Role.AGENT)  # may not certify
    await client.login("erin@example.com")
    assert (await client.submit(f"/p/{question.bob_answer}/certify", {})).status_code == 303
    assert await reputations(world, question.bob, question.carol) == [26, 1]

    await certify_as_escalation(world, agent, question.carol_answer, "Resolved by the agent")
    assert await reputations(world, question.bob, question.carol, agent) == [1, 26, 0]
    by_events, counters, certified = await ledger(world)
    assert certified == {question.bob.id: 0, question.carol.id: 25}, "points moved exactly once"
    assert {m: counters[m] for m in by_events} == by_events, "the ledger and counters agree"

    await certify_as_escalation(world, agent, question.carol_answer, "Resolved by the agent")
    assert await ledger(world) == (by_events, counters, certified), "the same again: no-op"
    async with world.unit() as session:
        await recompute_counters(await world.scope(session, "acme"))
    assert await ledger(world) == (by_events, counters, certified), "recompute agrees"
    async with world.unit() as session:
        thread = await session.get(Thread, question.thread.id)
        assert (thread.certified_post_id, thread.certified_by_id) == (
            question.carol_answer,
            agent.id,
        )
        assert thread.certified_note == "Resolved by the agent"
        entries = (
            await session.execute(
                select(AuditEntry.actor_id, AuditEntry.action).order_by(AuditEntry.id)
            )
        ).all()
    assert entries == [(erin.id, "answer.certify"), (agent.id, "answer.certify")]


async def test_a_resolution_with_the_certifiers_own_answer_pays_nobody(
    client: Client, world: World, question: Question
) -> None:
    """The customer-service account certifies its own answer: the answer certified before
    loses its points, and nobody earns points for an answer they certify themselves."""
    await world.member("acme", "erin@example.com", Role.EXPERT)
    agent = await world.member("acme", "agent@example.com", Role.AGENT)
    official = await answer(world, question.thread, agent, "Official answer: a new router")
    await client.login("erin@example.com")
    await client.submit(f"/p/{question.bob_answer}/certify", {})
    await certify_as_escalation(world, agent, official, "Resolved by customer service")
    assert await reputations(world, question.bob, agent) == [1, 1]
    by_events, counters, certified = await ledger(world)
    assert certified == {question.bob.id: 0}
    assert {m: counters[m] for m in by_events} == by_events
