"""Personal data in a thread's title is masked as it is in bodies: on the page, in the slug
and in the API, when the thread is asked and when its title is edited."""

from html import unescape

import pytest
from sqlalchemy import select

from community.forums.models import Post, Thread
from community.moderation.models import QueueItem
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio

PHONE = "06 12 34 56 78"


async def test_a_phone_number_in_a_title_is_masked_on_the_page_in_the_slug_and_the_api(
    client: Client, world: World
) -> None:
    await world.member("acme", "ann@example.com")
    await client.login("ann@example.com")
    asked = await client.submit(
        "/ask",
        {"category": "general", "kind": "question", "title": f"Call me back on {PHONE}",
         "body": "My line is down since Monday."},
    )  # fmt: skip
    assert asked.status_code == 303
    location = asked.headers["location"]
    assert "06-12" not in location and "0612" not in location
    assert location.endswith("/call-me-back-on-phone-number-hidden")
    page = unescape((await client.get(location)).text)
    assert PHONE not in page and "Call me back on [phone number hidden]" in page
    listing = (await client.get("/api/v1/threads")).json()
    assert [t["title"] for t in listing["items"]] == ["Call me back on [phone number hidden]"]
    assert PHONE not in str(listing)
    async with world.unit() as session:
        thread = await session.scalar(select(Thread))
        assert thread is not None
        item = await session.scalar(select(QueueItem))
    assert item is not None and "personal_data" in item.reasons, "a moderator can look"
    anonymous = unescape((await client.get("/")).text)
    assert PHONE not in anonymous


async def test_an_edited_title_and_the_api_are_masked_too(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    thread = await world.thread("acme", ann, title="Line down since Monday")
    await client.login("ann@example.com")
    async with world.unit() as session:
        first = await session.scalar(select(Post).where(Post.thread_id == thread.id))
        assert first is not None
    edited = await client.submit(
        f"/p/{first.id}/edit",
        {"title": "Line down, write to ann.perso@example.org", "body": first.body_md},
    )
    assert edited.status_code == 303
    assert edited.headers["location"].startswith(f"/t/{thread.id}/line-down-write-to-email-hidden")
    shown = (await client.get(f"/api/v1/threads/{thread.id}")).json()
    assert shown["thread"]["title"] == "Line down, write to [email hidden]"

    created = await client.api_post(
        "/api/v1/threads",
        {"category": "general", "title": f"API title with {PHONE}", "body": "Body", "kind": "question"},
    )  # fmt: skip
    assert created.status_code == 201
    assert created.json()["title"] == "API title with [phone number hidden]"
    assert PHONE not in created.json()["url"]


async def test_a_french_community_masks_titles_in_french(client_for: object, world: World) -> None:
    await world.member("globex", "claire@example.fr")
    client: Client = client_for("globex.test")  # type: ignore[operator]
    await client.login("claire@example.fr")
    asked = await client.submit(
        "/ask",
        {"category": "general", "kind": "question", "title": f"Rappelez-moi au {PHONE}",
         "body": "Ma ligne est coupée."},
    )  # fmt: skip
    assert asked.status_code == 303
    assert "numero-de-telephone" in asked.headers["location"], asked.headers["location"]
