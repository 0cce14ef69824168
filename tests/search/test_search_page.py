"""The search page and GET /api/v1/search, as a member uses them."""

import re

import pytest
from sqlalchemy import select

from community.forums import services as forums
from community.forums.models import Thread
from community.identity.models import Member, Role
from community.tags import services as tags
from community.tags.models import Tag
from tests.conftest import Client, World

pytestmark = pytest.mark.anyio


async def seed(world: World) -> Member:
    ann = await world.member("acme", "ann@example.com")
    await world.thread("acme", ann, title="Router keeps cutting the wifi every night")
    await world.thread("acme", ann, title="Refund for a returned order", category="billing")
    await world.thread("acme", ann, title="Invoice shows a refund twice", category="billing")
    return ann


async def tag_the_router_thread(world: World) -> tuple[Member, Tag, Thread]:
    """A moderator tags the router thread "Wi-Fi"."""
    mod = await world.member("acme", "mod@example.com", Role.MODERATOR)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        wifi = await tags.create_tag(scope, "Wi-Fi")
        thread = await session.scalar(select(Thread).where(Thread.title.startswith("Router")))
        assert thread is not None
        await tags.set_thread_tags(scope, thread, [wifi])
    return mod, wifi, thread


def titles(html: str) -> list[str]:
    return re.findall(r'class="thread-title" href="[^"]+">([^<]+)<', html)


async def test_the_header_has_an_accessible_search_box(client: Client, world: World) -> None:
    page = await client.get("/")
    box = re.search(
        r'<form method="get" action="/search" role="search"[^>]*>(.*?)</form>', page.text, re.S
    )
    assert box is not None
    assert 'for="header-q"' in box.group(1) and 'id="header-q"' in box.group(1)
    assert 'name="q"' in box.group(1)


async def test_a_search_finds_threads_with_highlighted_snippets(
    client: Client, world: World
) -> None:
    await seed(world)
    page = await client.get("/search?q=refund")
    assert page.status_code == 200
    assert sorted(titles(page.text)) == [
        "Invoice shows a refund twice",
        "Refund for a returned order",
    ]
    assert "<mark>" in page.text
    assert "2 results for “refund”" in page.text
    only_billing = await client.get("/search?q=router&category=billing")
    assert titles(only_billing.text) == []


async def test_a_post_with_markup_shows_escaped(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.create_thread(
            scope, category_slug="general", title="Strange script in my modem page",
            body="The page shows <script>alert('modem')</script> at the top",
        )  # fmt: skip
    page = await client.get("/search?q=modem")
    assert "Strange script in my modem page" in page.text
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page.text, re.S)
    assert snippet is not None and "&lt;script&gt;" in snippet.group(1)
    assert "<script>alert" not in page.text


async def test_the_page_offers_an_empty_state_and_asking(client: Client, world: World) -> None:
    await seed(world)
    start = await client.get("/search")
    assert start.status_code == 200 and "Tips" in start.text
    nothing = await client.get("/search?q=zzzqqq+xylophone")
    assert "Nothing matches “zzzqqq xylophone” yet." in nothing.text
    assert 'href="/ask?title=zzzqqq%20xylophone"' in nothing.text
    await client.login("ann@example.com")
    ask = await client.get("/ask?title=zzzqqq%20xylophone")
    assert 'value="zzzqqq xylophone"' in ask.text


async def test_did_you_mean_links_to_the_suggestion(client: Client, world: World) -> None:
    await seed(world)
    page = await client.get("/search?q=rooter&category=general")
    if 'data-testid="did-you-mean"' not in page.text:
        assert titles(page.text), "a misspelling finds something, or suggests"
        return
    link = re.search(r'href="([^"]+)" data-testid="did-you-mean"', page.text)
    assert link is not None and "category=general" in link.group(1)


async def test_results_paginate(client: Client, world: World) -> None:
    ann = await world.member("acme", "ann@example.com")
    for n in range(7):  # pages of 5 in tests
        await world.thread("acme", ann, title=f"Router question number {n:02d}")
    first = await client.get("/search?q=router&sort=newest")
    second = await client.get("/search?q=router&sort=newest&page=2")
    assert len(titles(first.text)) == 5 and len(titles(second.text)) == 2
    assert (
        "Page 1 of 2" in first.text
        and 'href="/search?q=router&amp;sort=newest&amp;page=2"' in first.text
    )
    assert set(titles(first.text)).isdisjoint(titles(second.text))
    past = await client.get("/search?q=router&page=3")
    assert past.status_code == 400 and "There is no page 3 of these results." in past.text


async def test_filters_on_tag_kind_status_and_dates(client: Client, world: World) -> None:
    await seed(world)
    await tag_the_router_thread(world)
    tagged = await client.get("/search?q=router+wifi+refund&tag=wi-fi")
    assert titles(tagged.text) == ["Router keeps cutting the wifi every night"]
    ideas = await client.get("/search?q=refund&kind=idea")
    assert titles(ideas.text) == []
    unresolved = await client.get("/search?q=refund&resolved=no")
    assert len(titles(unresolved.text)) == 2
    assert titles((await client.get("/search?q=refund&resolved=yes")).text) == []
    assert titles((await client.get("/search?q=refund&certified=yes")).text) == []
    future = await client.get("/search?q=refund&from=2999-01-01")
    assert titles(future.text) == []
    ranged = await client.get("/search?q=refund&from=2000-01-01&to=2999-12-31")
    assert len(titles(ranged.text)) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("category=nope", "There is no such category."),
        ("tag=nope", "There is no such tag."),
        ("from=2024-13-45", "Enter a date as YYYY-MM-DD."),
        ("from=2024-05-01&to=2024-04-01", "The end date comes before the start date."),
        ("kind=poem", "Search questions, discussions or ideas."),
        ("sort=random", "Sort by relevance, newest or votes."),
        ("resolved=maybe", "Filter on resolved, unresolved or certified threads."),
    ],
)
async def test_bad_parameters_answer_400_with_a_message(
    client: Client, world: World, query: str, message: str
) -> None:
    page = await client.get(f"/search?q=router&{query}")
    assert page.status_code == 400 and message in page.text
    assert 'role="search"' in page.text, "the form is shown again"
    api = await client.get(f"/api/v1/search?q=router&{query}")
    assert api.status_code == 400 and message in api.json()["errors"].values()


async def test_the_api_answers_the_same_search(client: Client, world: World) -> None:
    await seed(world)
    found = (await client.get("/api/v1/search?q=refund&category=billing")).json()
    assert found["pagination"]["total"] == 2
    hit = found["items"][0]
    assert hit["category"] == "billing" and hit["url"].startswith(f"/t/{hit['id']}/")
    assert "<mark>" in hit["snippet_html"]
    empty = (await client.get("/api/v1/search")).json()
    assert empty["items"] == [] and empty["pagination"]["total"] == 0
    too_long = await client.get("/api/v1/search?q=" + "x" * 201)
    assert too_long.status_code == 400


async def test_the_page_is_in_french_for_a_french_community(
    client_for: object, world: World
) -> None:
    client = client_for("globex.test")  # type: ignore[operator]
    page = await client.get("/search?q=zzz")
    assert "Rien ne correspond" in page.text


async def test_retagging_and_renaming_a_tag_reach_the_index(client: Client, world: World) -> None:
    await seed(world)
    mod, wifi, thread = await tag_the_router_thread(world)
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        await tags.update_tag(scope, wifi.id, "Wireless", "")
    renamed = await client.get("/search?q=router&tag=wireless")
    assert titles(renamed.text) == ["Router keeps cutting the wifi every night"]
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, mod.id))
        await tags.set_thread_tags(scope, await scope.one(Thread, thread.id), [])
    assert titles((await client.get("/search?q=router&tag=wireless")).text) == []


async def test_htmx_gets_only_the_results(client: Client, world: World) -> None:
    await seed(world)
    live = await client.get("/search?q=refund", headers={"HX-Request": "true"})
    assert live.status_code == 200 and "<html" not in live.text
    assert live.text.lstrip().startswith('<section id="search-results"')
    assert len(titles(live.text)) == 2
    refused = await client.get("/search?q=refund&from=soon", headers={"HX-Request": "true"})
    assert refused.status_code == 400 and "Enter a date as YYYY-MM-DD." in refused.text
