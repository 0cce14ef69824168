"""Voting on posts, as members use it: pages without JavaScript, htmx, and the JSON API."""

import re

import pytest
from sqlalchemy import select

from community.forums import services as forums
from community.forums.models import Post, Thread, ThreadKind
from community.identity.models import Member, Role
from community.scoring.rules import DEFAULT_POINTS
from tests.conftest import PASSWORD, Client, World

pytestmark = pytest.mark.anyio


async def question_post(world: World, thread: Thread) -> int:
    async with world.unit() as session:
        return await session.scalar(
            select(Post.id).where(Post.thread_id == thread.id, Post.number == 1)
        )


async def answer(world: World, thread: Thread, author: Member, body: str = "Try this") -> int:
    async with world.unit() as session:
        writer = await session.get(Member, author.id)
        scope = await world.scope(session, "acme", writer)
        return (await forums.reply(scope, thread.id, body)).id


async def reputation(world: World, member: Member) -> int:
    async with world.unit() as session:
        return await session.scalar(select(Member.reputation).where(Member.id == member.id))


def scoring_form(**changes: str | None) -> dict[str, str]:
    """The admin scoring form with the defaults filled in; None leaves a field out."""
    form = {f"points_{reason.value}": str(points) for reason, points in DEFAULT_POINTS.items()}
    form |= {"daily_vote_cap": "200", "allow_downvotes": "on", "discussions_by_date": "on"}
    ranks = [("0", "New member"), ("50", "Contributor"), ("500", "Expert"), ("2000", "Legend")]
    for i, (threshold, name) in enumerate(ranks):
        form |= {f"rank_threshold_{i}": threshold, f"rank_name_{i}": name}
    form |= changes
    return {key: value for key, value in form.items() if value is not None}


def shown_score(html: str, post_id: int) -> int:
    found = re.search(rf'data-testid="score-{post_id}"[^>]*>(-?\d+)<', html)
    assert found, f"no score shown for post {post_id}"
    return int(found.group(1))


@pytest.fixture
async def asked(world: World) -> tuple[Thread, int]:
    """Ann's question (Ann already has 1 point: her first post of the day) and its post id."""
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    return thread, await question_post(world, thread)


async def test_upvote_and_downvote_change_the_score_shown(
    client: Client, client_for, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    await world.member("acme", "carol@example.com")
    await client.login("bob@example.com")
    carol = client_for("acme.test")
    await carol.login("carol@example.com")
    assert (await client.submit(f"/p/{post_id}/vote", {"value": "1"})).status_code == 303
    assert (await carol.submit(f"/p/{post_id}/vote", {"value": "1"})).status_code == 303
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(page.text, post_id) == 2
    await carol.submit(f"/p/{post_id}/vote", {"value": "-1"})
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(page.text, post_id) == 0, "Carol switched: +1 -> -1 moves the score by 2"
    await client.submit(f"/p/{post_id}/vote", {"value": "-1"})
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(page.text, post_id) == -2


async def test_voting_the_same_value_again_withdraws_the_vote(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    _, post_id = asked
    await client.login("bob@example.com")
    first = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert first.status_code == 200
    assert first.json() == {"post_id": post_id, "score": 1, "my_vote": 1}
    again = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert again.json() == {"post_id": post_id, "score": 0, "my_vote": 0}
    down = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": -1})
    assert down.json() == {"post_id": post_id, "score": -1, "my_vote": -1}
    switched = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert switched.json() == {"post_id": post_id, "score": 1, "my_vote": 1}, "moves by 2"
    withdrawn = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert withdrawn.json()["score"] == 0 and withdrawn.json()["my_vote"] == 0


async def test_nobody_votes_on_their_own_post(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    await client.login("ann@example.com")
    page = await client.submit(f"/p/{post_id}/vote", {"value": "1"})
    assert page.status_code == 403
    assert "You cannot vote on your own post." in page.text
    api = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert api.status_code == 403
    assert api.json()["detail"] == "You cannot vote on your own post."
    fragment = await client.htmx(f"/p/{post_id}/vote", {"value": "1"})
    assert fragment.status_code == 403 and fragment.headers["HX-Retarget"] == "#flash"
    assert "You cannot vote on your own post." in fragment.text and "<html" not in fragment.text
    shown = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(shown.text, post_id) == 0
    assert await reputation(world, await world_member(world, "ann@example.com")) == 1


async def world_member(world: World, email: str) -> Member:
    async with world.unit() as session:
        return await session.scalar(select(Member).where(Member.email == email))


async def test_guests_are_sent_to_log_in_or_get_401(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    page = await client.submit(f"/p/{post_id}/vote", {"value": "1"})
    assert page.status_code == 303
    assert page.headers["location"] == f"/login?next=/p/{post_id}"
    api = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert api.status_code == 401 and api.json()["detail"] == "Please log in first."
    shown = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(shown.text, post_id) == 0


async def test_a_guest_who_logs_in_to_vote_comes_back_to_the_post(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    htmx = await client.htmx(f"/p/{post_id}/vote", {"value": "1"})
    assert htmx.status_code == 204 and htmx.headers["HX-Redirect"].startswith("/login?next=")
    sent = await client.submit(f"/p/{post_id}/vote", {"value": "1"})
    login_page = await client.get(sent.headers["location"])
    assert login_page.status_code == 200
    next_field = re.search(r'name="next" value="([^"]*)"', login_page.text)
    assert next_field, "the login form carries where to go next"
    logged_in = await client.submit(
        "/login",
        {"email": "bob@example.com", "password": PASSWORD, "next": next_field.group(1)},
    )
    assert logged_in.status_code == 303
    back = await client.get(logged_in.headers["location"], follow_redirects=True)
    assert back.status_code == 200, (
        f"after logging in the guest lands on {logged_in.headers['location']}: {back.status_code}"
    )
    assert f'id="p{post_id}"' in back.text
    assert f"/t/{thread.id}/{thread.slug}" in str(back.url)


async def test_htmx_vote_returns_only_the_vote_control(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    _, post_id = asked
    await client.login("bob@example.com")
    up = await client.htmx(f"/p/{post_id}/vote", {"value": "1"})
    assert up.status_code == 200
    fragment = up.text.strip()
    assert fragment.startswith(f'<form class="vote-control" id="vote-{post_id}"')
    assert fragment.endswith("</form>") and "<html" not in fragment and "<article" not in fragment
    assert shown_score(fragment, post_id) == 1
    assert re.search(r'value="1" class="vote-button vote-up" aria-pressed="true"', fragment)
    assert re.search(r'value="-1" class="vote-button vote-down" aria-pressed="false"', fragment)
    down = await client.htmx(f"/p/{post_id}/vote", {"value": "-1"})
    assert shown_score(down.text, post_id) == -1
    assert 'vote-up" aria-pressed="false"' in down.text
    assert 'vote-down" aria-pressed="true"' in down.text
    withdrawn = await client.htmx(f"/p/{post_id}/vote", {"value": "-1"})
    assert shown_score(withdrawn.text, post_id) == 0
    assert 'aria-pressed="true"' not in withdrawn.text


async def test_the_thread_page_shows_my_vote(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    await client.login("bob@example.com")
    await client.submit(f"/p/{post_id}/vote", {"value": "-1"})
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    control = re.search(
        rf'<form class="vote-control" id="vote-{post_id}".*?</form>', page.text, re.S
    )
    assert control and 'vote-down" aria-pressed="true"' in control.group(0)
    assert 'vote-up" aria-pressed="false"' in control.group(0)


async def test_vote_without_javascript_returns_to_the_post(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    ann = await world_member(world, "ann@example.com")
    writer = await world_member(world, "bob@example.com")
    talk = await world.thread("acme", ann, title="Share your setups", kind=ThreadKind.DISCUSSION)
    for n in range(5):  # replies by date: the sixth reply is on page 2 (pages of 5)
        await answer(world, talk, writer, f"Filler reply {n}")
    last = await answer(world, talk, writer, "The last reply")
    await client.login("ann@example.com")
    response = await client.submit(f"/p/{last}/vote", {"value": "1"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/t/{talk.id}/{talk.slug}?page=2#p{last}"
    page = await client.get(response.headers["location"].split("#")[0])
    assert f'id="p{last}"' in page.text and shown_score(page.text, last) == 1


async def test_vote_without_javascript_follows_the_answer_to_its_new_page(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, _ = asked
    bob = await world_member(world, "bob@example.com")
    for n in range(5):
        await answer(world, thread, bob, f"Filler answer {n}")
    last = await answer(world, thread, bob, "The last answer")  # on page 2 while unvoted
    assert f'id="p{last}"' in (await client.get(f"/t/{thread.id}/{thread.slug}?page=2")).text
    await client.login("ann@example.com")
    response = await client.submit(f"/p/{last}/vote", {"value": "1"})
    assert response.headers["location"] == f"/t/{thread.id}/{thread.slug}#p{last}", (
        "the best-scored answer comes right after the question"
    )
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert re.findall(r'id="p(\d+)"', page.text)[1] == str(last)


async def test_downvotes_can_be_turned_off_by_an_admin(
    client: Client, client_for, world: World, asked: tuple[Thread, int]
) -> None:
    thread, post_id = asked
    await world.member("acme", "boss@example.com", Role.ADMIN)
    admin = client_for("acme.test")
    await admin.login("boss@example.com")
    saved = await admin.submit("/admin/scoring", scoring_form(allow_downvotes=None))
    assert saved.status_code == 303 and saved.headers["location"] == "/admin/scoring?saved=1"
    form = await admin.get("/admin/scoring?saved=1")
    assert 'name="allow_downvotes"' in form.text
    assert 'name="allow_downvotes" checked' not in form.text, "the box is now unchecked"
    await client.login("bob@example.com")
    page = await client.submit(f"/p/{post_id}/vote", {"value": "-1"})
    assert page.status_code == 403
    assert "Downvotes are turned off in this community." in page.text
    api = await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": -1})
    assert api.status_code == 403
    assert api.json()["detail"] == "Downvotes are turned off in this community."
    shown = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert shown_score(shown.text, post_id) == 0
    assert "vote-down" not in shown.text, "no down button is offered"
    assert (await client.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})).json()[
        "score"
    ] == 1, "upvotes still work"


async def test_a_post_of_another_tenant_cannot_be_voted_on(
    client_for, world: World, asked: tuple[Thread, int]
) -> None:
    _, post_id = asked
    await world.member("globex", "gus@example.com")
    intruder = client_for("globex.test")
    await intruder.login("gus@example.com")
    page = await intruder.submit(f"/p/{post_id}/vote", {"value": "1"})
    assert page.status_code == 404
    api = await intruder.api_post(f"/api/v1/posts/{post_id}/vote", {"value": 1})
    assert api.status_code == 404
    assert api.json()["detail"] == "This post does not exist or was deleted."
    async with world.unit() as session:
        assert await session.scalar(select(Post.score).where(Post.id == post_id)) == 0


@pytest.mark.parametrize("value", ["0", "2", "up", ""])
async def test_a_vote_is_one_or_minus_one_on_the_page(
    client: Client, world: World, asked: tuple[Thread, int], value: str
) -> None:
    _, post_id = asked
    await client.login("bob@example.com")
    response = await client.submit(f"/p/{post_id}/vote", {"value": value})
    assert response.status_code == 422
    assert "A vote is 1 (up) or -1 (down)." in response.text


@pytest.mark.parametrize("payload", [{"value": 0}, {"value": 2}, {"value": "up"}, {}])
async def test_a_vote_is_one_or_minus_one_in_the_api(
    client: Client, world: World, asked: tuple[Thread, int], payload: dict
) -> None:
    _, post_id = asked
    await client.login("bob@example.com")
    response = await client.api_post(f"/api/v1/posts/{post_id}/vote", payload)
    assert response.status_code == 400, response.text
    assert "value" in str(response.json())
    async with world.unit() as session:
        assert await session.scalar(select(Post.score).where(Post.id == post_id)) == 0


async def test_votes_on_missing_or_deleted_posts_are_404(
    client: Client, world: World, asked: tuple[Thread, int]
) -> None:
    thread, _ = asked
    bob = await world_member(world, "bob@example.com")
    reply_id = await answer(world, thread, bob, "Soon deleted")
    await client.login("bob@example.com")
    assert (await client.submit(f"/p/{reply_id}/delete", {})).status_code == 303
    await client.login("ann@example.com")
    assert (
        await client.api_post(f"/api/v1/posts/{reply_id}/vote", {"value": 1})
    ).status_code == 404
    assert (await client.api_post("/api/v1/posts/999999/vote", {"value": 1})).status_code == 404
