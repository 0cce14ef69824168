"""The widgets a brand frames on its pages (`/embed/widgets/...`), each a small page that works
without JavaScript: top questions, certified answers, the ask box, the idea board."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from community.forums import services as forums
from community.forums.models import Post
from community.identity.models import Role
from community.qa import services as qa
from community.votes import services as votes
from tests.conftest import Client, World
from tests.deflection.test_deflection import resolved_question
from tests.ideas import make_board, make_idea, vote

pytestmark = pytest.mark.anyio


def titles(page: str, testid: str) -> list[str]:
    listed = page.split(f'data-testid="{testid}"', 1)[1].split("</ol>", 1)[0]
    return re.findall(r"<a href=\"[^\"]+\">([^<]+)</a>", listed)


async def test_top_questions_of_a_category_by_votes(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await world.thread("acme", ann, title="How do I read my invoice?", category="billing")
    liked = await world.thread("acme", ann, title="Why was I charged twice?", category="billing")
    await world.thread("acme", ann, title="Router lights blink orange")  # another category
    async with world.unit() as session:
        opening = await session.scalar(
            select(Post.id).where(Post.thread_id == liked.id, Post.number == 1)
        )
        await votes.vote(await world.scope(session, "acme", bob), int(opening or 0), 1)
    globex = await world.member("globex", "gus@example.com")
    await world.thread("globex", globex, title="Globex billing secret", category="billing")

    page = await client.get("/embed/widgets/questions", params={"category": "billing"})
    assert page.status_code == 200
    assert titles(page.text, "widget-questions") == [
        "Why was I charged twice?",
        "How do I read my invoice?",
    ]
    assert 'class="brand-scope embedded widget"' in page.text  # no site chrome around it
    assert '<base target="_blank">' in page.text  # its links open the community in a tab
    one = await client.get("/embed/widgets/questions", params={"limit": "1"})
    assert len(titles(one.text, "widget-questions")) == 1
    assert (await client.get("/embed/widgets/questions?category=nope")).status_code == 404


async def test_latest_certified_answers(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    expert = await world.member("acme", "erin@example.com", Role.EXPERT)
    await world.thread("acme", ann, title="Nobody certified this one")
    thread = await world.thread("acme", ann, title="Can I pause my plan?")
    async with world.unit() as session:
        answer = await forums.reply(await world.scope(session, "acme", bob), thread.id, "Yes.")
    async with world.unit() as session:
        await qa.certify(await world.scope(session, "acme", expert), answer.id)

    page = (await client.get("/embed/widgets/certified")).text
    assert titles(page, "widget-certified") == ["Can I pause my plan?"]
    assert f'href="/t/{thread.id}/{thread.slug}#p{answer.id}"' in page


async def test_the_ask_box_suggests_answers_then_hands_over(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    await resolved_question(world, ann, bob, "My router drops the connection every evening")

    empty = (await client.get("/embed/widgets/ask")).text
    assert 'data-testid="widget-ask-input"' in empty and "widget-ask-handover" not in empty
    page = (await client.get("/embed/widgets/ask", params={"q": "router drops connection"})).text
    assert "My router drops the connection every evening" in page
    # None helps: the full ask page, the question carried over.
    assert '<form method="get" action="/ask"' in page
    assert 'name="title" value="router drops connection"' in page
    fragment = await client.get(
        "/embed/widgets/ask", params={"q": "router drops"}, headers={"HX-Request": "true"}
    )
    assert "<html" not in fragment.text and 'data-testid="similar-questions"' in fragment.text


async def test_members_vote_in_the_idea_widget_and_guests_are_asked_to_sign_in(
    client: Client, world: World
) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    bob = await world.member("acme", "bob@example.com")
    dark = await make_idea(world, ann, "A dark mode for the app")
    await vote(world, ann, dark)
    quiet = await make_idea(world, ann, "Quieter notifications")

    guest = (await client.get("/embed/widgets/ideas")).text
    assert titles(guest, "widget-ideas") == ["A dark mode for the app", "Quieter notifications"]
    assert 'data-testid="widget-sign-in"' in guest
    assert "widget-vote-" not in guest

    await client.login(bob.email)
    page = (await client.get("/embed/widgets/ideas")).text
    assert f'data-testid="widget-vote-{quiet.id}"' in page
    voted = await client.submit(
        f"/embed/widgets/ideas/{quiet.id}/vote", {"action": "vote", "back": "board=ideas"}
    )
    assert voted.status_code == 303
    assert voted.headers["location"] == "/embed/widgets/ideas?board=ideas"
    after = (await client.get(voted.headers["location"])).text
    assert re.search(rf'data-testid="widget-votes-{quiet.id}">1<', after)
    assert "Withdraw my vote" in after
    # htmx: the idea's vote form only, withdrawn.
    withdrawn = await client.htmx(f"/embed/widgets/ideas/{quiet.id}/vote", {"action": "unvote"})
    assert "<html" not in withdrawn.text
    assert re.search(rf'data-testid="widget-votes-{quiet.id}">0<', withdrawn.text)


async def test_a_vote_without_the_csrf_token_is_refused(client: Client, world: World) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "A dark mode for the app")
    await client.login(ann.email)
    refused = await client.post(f"/embed/widgets/ideas/{idea.id}/vote", data={"action": "vote"})
    assert refused.status_code == 403
    page = (await client.get("/embed/widgets/ideas")).text
    assert re.search(rf'data-testid="widget-votes-{idea.id}">0<', page)


async def test_a_guest_vote_is_refused(client: Client, world: World) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann@example.com")
    idea = await make_idea(world, ann, "A dark mode for the app")
    refused = await client.submit(f"/embed/widgets/ideas/{idea.id}/vote", {"action": "vote"})
    assert refused.status_code == 303 and refused.headers["location"].startswith("/login")
    page = (await client.get("/embed/widgets/ideas")).text
    assert re.search(rf'data-testid="widget-votes-{idea.id}">0<', page)


async def test_a_widget_never_shows_another_tenant_s_idea(client_for: object, world: World) -> None:
    await make_board(world, tenant="globex")
    gus = await world.member("globex", "gus@example.com")
    idea = await make_idea(world, gus, "Globex only", tenant="globex")
    acme: Client = client_for("acme.test")  # type: ignore[operator]
    await make_board(world)
    page = (await acme.get("/embed/widgets/ideas")).text
    assert "Globex only" not in page
    ann = await world.member("acme", "ann@example.com")
    await acme.login(ann.email)
    refused = await acme.submit(f"/embed/widgets/ideas/{idea.id}/vote", {"action": "vote"})
    assert refused.status_code == 404
