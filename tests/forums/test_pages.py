"""The forum as a visitor and a member use it: browse, ask, reply, edit, delete."""

import re

import pytest

from community.forums.models import ThreadKind
from community.identity.models import Role
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def test_home_shows_categories_and_latest_threads(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Router keeps rebooting at night")
    await world.thread("acme", ann, title="Trip report from the Alps", kind=ThreadKind.DISCUSSION)
    page = await client.get("/")
    assert page.status_code == 200
    assert "General" in page.text and "Billing" in page.text
    first, second = page.text.index("Trip report"), page.text.index("Router keeps")
    assert first < second, "newest activity first"


async def test_category_pages_paginate_newest_activity_first(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    for n in range(7):  # page size is 5 in tests
        await world.thread("acme", ann, title=f"Numbered question {n:02d}")
    await world.thread("acme", ann, title="A billing question here", category="billing")
    first = await client.get("/c/general")
    second = await client.get("/c/general?page=2")
    titles = re.findall(r"Numbered question (\d\d)", first.text + second.text)
    assert titles == ["06", "05", "04", "03", "02", "01", "00"]
    assert "Page 1 of 2" in first.text and 'rel="next"' in first.text
    assert "billing question" not in first.text + second.text
    assert (await client.get("/c/general?page=3")).status_code == 404
    assert (await client.get("/c/general?page=0")).status_code == 400
    assert (await client.get("/c/nope")).status_code == 404


async def test_thread_page_shows_question_and_paginated_replies(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=6)  # 7 posts: pages of 5
    first = await client.get(f"/t/{thread.id}/{thread.slug}")
    second = await client.get(f"/t/{thread.id}/{thread.slug}?page=2")
    assert "<strong>How do I reset my router?</strong>" in first.text
    assert "Reply number 4" in first.text and "Reply number 5" not in first.text
    assert "Reply number 5" in second.text and "Reply number 6" in second.text
    short = await client.get(f"/t/{thread.id}")
    assert short.status_code == 301 and short.headers["location"] == f"/t/{thread.id}/{thread.slug}"
    wrong_slug = await client.get(f"/t/{thread.id}/wrong-slug?page=2")
    assert wrong_slug.headers["location"] == f"/t/{thread.id}/{thread.slug}?page=2"


async def test_guests_are_invited_to_log_in_to_reply(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert "Log in to reply." in page.text and 'id="reply-form"' not in page.text
    response = await client.submit(f"/t/{thread.id}/reply", {"body": "hello"})
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


async def test_ask_a_question_then_see_it(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.submit(
        "/ask",
        {
            "category": "billing",
            "kind": "question",
            "title": "Why was I charged twice?",
            "body": "See **both** lines.",
        },
    )
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Why was I charged twice?" in page.text
    assert "<strong>both</strong>" in page.text
    assert "Billing" in page.text


async def test_start_a_discussion(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.submit(
        "/ask",
        {
            "category": "general",
            "kind": "discussion",
            "title": "Share your setups",
            "body": "Mine first.",
        },
    )
    page = await client.get(response.headers["location"])
    assert "badge-discussion" in page.text


async def test_ask_reshows_the_form_with_the_problems_marked(client: Client, world: World) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    response = await client.submit(
        "/ask", {"category": "nope", "kind": "question", "title": "Short", "body": "Kept text"}
    )
    assert response.status_code == 422
    assert "Kept text" in response.text, "nothing typed is lost"
    response = await client.submit(
        "/ask", {"category": "general", "kind": "question", "title": "Short", "body": "Kept text"}
    )
    assert response.status_code == 422
    assert "The title must be 8 to 200 characters long." in response.text
    assert 'id="ask-title" name="title" value="Short"' in response.text


async def test_reply_without_javascript_redirects_to_the_new_post(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=5)
    await client.login("ann@example.com")
    response = await client.submit(f"/t/{thread.id}/reply", {"body": "My *own* reply", "page": "1"})
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/t/{thread.id}/{thread.slug}?page=2#p")
    page = await client.get(location.split("#")[0])
    assert "My <em>own</em> reply" in page.text


async def test_reply_with_htmx_returns_the_post_and_pushes_its_url(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=1)
    await client.login("ann@example.com")
    response = await client.htmx(f"/t/{thread.id}/reply", {"body": "Fragment reply", "page": "1"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<article")
    assert "Fragment reply" in response.text and "<html" not in response.text
    assert re.fullmatch(rf"/t/{thread.id}/{thread.slug}#p\d+", response.headers["HX-Push-Url"])


async def test_htmx_reply_from_an_earlier_page_goes_to_the_last(
    client: Client, world: World
) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=6)
    await client.login("ann@example.com")
    response = await client.htmx(f"/t/{thread.id}/reply", {"body": "Late reply", "page": "1"})
    assert response.headers["HX-Redirect"].startswith(f"/t/{thread.id}/{thread.slug}?page=2#p")


async def test_empty_reply_is_refused_and_the_form_reshown(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await client.login("ann@example.com")
    plain = await client.submit(f"/t/{thread.id}/reply", {"body": "   ", "page": "1"})
    assert plain.status_code == 422 and "The message cannot be empty." in plain.text
    fragment = await client.htmx(f"/t/{thread.id}/reply", {"body": "", "page": "1"})
    assert fragment.status_code == 422
    assert fragment.headers["HX-Retarget"] == "#reply-form"
    assert "The message cannot be empty." in fragment.text


async def test_edit_own_post_and_title(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await client.login("ann@example.com")
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    post_id = re.search(r'id="p(\d+)"', page.text).group(1)
    form = await client.get(f"/p/{post_id}/edit")
    assert "Body of **How do I reset my router?**" in form.text
    saved = await client.submit(
        f"/p/{post_id}/edit", {"title": "How do I factory-reset my router?", "body": "Now _edited_"}
    )
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"].split("#")[0])
    assert "How do I factory-reset my router?" in page.text
    assert "Now <em>edited</em>" in page.text and "edited</span>" in page.text


async def test_members_cannot_edit_or_delete_others_posts(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "bob@example.com")
    thread = await world.thread("acme", ann)
    await client.login("bob@example.com")
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    post_id = re.search(r'id="p(\d+)"', page.text).group(1)
    assert f"/p/{post_id}/edit" not in page.text
    assert (await client.get(f"/p/{post_id}/edit")).status_code == 403
    assert (await client.submit(f"/p/{post_id}/edit", {"body": "defaced"})).status_code == 403
    assert (await client.submit(f"/p/{post_id}/delete", {})).status_code == 403
    assert "defaced" not in (await client.get(f"/t/{thread.id}/{thread.slug}")).text


async def test_moderators_may_edit_others_posts(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    thread = await world.thread("acme", ann)
    await client.login("mod@example.com")
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    post_id = re.search(r'id="p(\d+)"', page.text).group(1)
    edited = await client.submit(f"/p/{post_id}/edit", {"title": thread.title, "body": "Tidied"})
    assert edited.status_code == 303


async def test_deleting_a_reply_leaves_a_placeholder(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, replies=1)
    await client.login("ann@example.com")
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    reply_id = re.findall(r'id="p(\d+)"', page.text)[1]
    response = await client.submit(f"/p/{reply_id}/delete", {})
    assert response.status_code == 303
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    assert "This post was deleted." in page.text and "Reply number 1" not in page.text


async def test_deleting_the_question_deletes_the_thread(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Please remove this question")
    await client.login("ann@example.com")
    page = await client.get(f"/t/{thread.id}/{thread.slug}")
    post_id = re.search(r'id="p(\d+)"', page.text).group(1)
    assert (await client.submit(f"/p/{post_id}/delete", {})).headers["location"] == "/"
    assert (await client.get(f"/t/{thread.id}/{thread.slug}")).status_code == 404
    assert "Please remove this question" not in (await client.get("/")).text


async def test_a_remote_image_in_a_post_is_shown_as_a_link(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann)
    await client.login("ann@example.com")
    body = "Mine: ![our logo](/static/logo.png) theirs: ![a pixel](https://tracker.example/p.gif)"
    response = await client.submit(f"/t/{thread.id}/reply", {"body": body, "page": "1"})
    page = await client.get(response.headers["location"].split("#")[0])
    assert '<img src="/static/logo.png" alt="our logo">' in page.text
    assert "tracker.example/p.gif" in page.text and ">image: a pixel</a>" in page.text
    assert '<img src="https://tracker.example' not in page.text
