"""A brand's page on another origin (127.0.0.1, another port) pastes the snippets: the
community shows in an iframe that takes its content's height as threads open, keeps the
thread in the brand page's address (a shared link opens it), a widget shows the top
questions, a member votes in the idea widget; a site not on the allow-list is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from community.config import Settings
from community.forums.models import Thread
from community.ideas.models import Idea
from tests.conftest import World
from tests.ideas import make_board, make_idea
from tests.identity.tokens import configure, hs256, serve

pytestmark = pytest.mark.anyio

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme help</title></head>
<body><h1>Acme shop: help</h1>{snippets}<p id="after">Acme footer</p></body></html>"""
SNIPPET = '<script src="{community}/embed.js" data-parvis-path="{path}" data-parvis-title="{title}"{extra} async></script>'


def brand_pages(community: str) -> Any:
    def snippet(path: str, title: str, extra: str = "") -> str:
        return SNIPPET.format(community=community, path=path, title=title, extra=extra)

    def page(path: str) -> tuple[str, bytes]:
        if path.startswith("/ideas"):  # the brand's server signs its customer in
            token = hs256(aud=community)
            snippets = snippet("/embed/widgets/ideas", "Ideas", f' data-parvis-token="{token}"')
        elif path.startswith("/widget"):
            snippets = snippet("/embed/widgets/questions", "Top questions")
        else:
            snippets = snippet("/", "Community") + snippet(
                "/embed/widgets/questions", "Top questions"
            )
        return "text/html; charset=utf-8", PAGE.format(snippets=snippets).encode()

    return page


@pytest.fixture
def brand_site(live_server: str) -> Iterator[str]:
    with serve(brand_pages(f"http://{live_server}")) as base:
        yield base


@pytest.fixture
def other_site(live_server: str) -> Iterator[str]:
    with serve(brand_pages(f"http://{live_server}")) as base:
        yield base


async def frame_height(page: Any, title: str) -> float:
    height: float = await page.locator(f'iframe[title="{title}"]').evaluate(
        "frame => frame.getBoundingClientRect().height"
    )
    return height


@pytest.fixture
async def threads(
    world: World, settings: Settings, live_server: str, brand_site: str
) -> list[Thread]:
    await configure(
        world, settings.secret_key, origins=[brand_site], audience=f"http://{live_server}"
    )
    ann = await world.member("acme", "ann@example.com")
    long = await world.thread("acme", ann, title="Why is my bill higher this month?", replies=12)
    short = await world.thread("acme", ann, title="Where is my parcel?")
    return [long, short]


async def test_the_brand_page_shows_the_community_resized_with_deep_links_and_a_widget(
    browser: Any, brand_site: str, threads: list[Thread]
) -> None:
    long, short = threads
    page = await browser.new_page(viewport={"width": 1000, "height": 700})
    await page.goto(brand_site + "/help")
    community = page.frame_locator('iframe[title="Community"]')
    await community.get_by_role("link", name=short.title).first.wait_for()
    await page.wait_for_function(
        "() => document.querySelector('iframe[title=\"Community\"]').style.height !== '600px'"
    )
    home = await frame_height(page, "Community")
    inner = page.frame(url=lambda url: "embed=1" in url and "/embed/widgets" not in url)
    assert inner is not None
    content = await inner.evaluate("() => document.documentElement.getBoundingClientRect().height")
    assert abs(home - content) <= 2  # no inner scrollbar, no gap
    assert await community.locator(".site-footer").is_hidden()  # the brand's page is the chrome

    await community.get_by_role("link", name=long.title).first.click()
    await page.wait_for_function(f"() => location.hash === '#!/t/{long.id}/{long.slug}'")
    await community.locator("h1", has_text=long.title).wait_for()
    await page.wait_for_function(
        f"() => parseFloat(document.querySelector('iframe[title=\"Community\"]').style.height) > {home + 50}"
    )  # twelve replies: the frame grew with the thread

    widget = page.frame_locator('iframe[title="Top questions"]')
    listed = widget.get_by_test_id("widget-questions")
    await listed.wait_for()
    assert long.title in await listed.inner_text()

    # The brand page's address, shared: it opens on the same thread.
    shared = await browser.new_page()
    await shared.goto(f"{brand_site}/help#!/t/{short.id}/{short.slug}")
    await (
        shared.frame_locator('iframe[title="Community"]')
        .locator("h1", has_text=short.title)
        .wait_for()
    )
    await shared.close()
    await page.close()


async def test_a_member_signed_in_by_the_brand_votes_in_the_idea_widget(
    browser: Any, brand_site: str, threads: list[Thread], world: World
) -> None:
    await make_board(world)
    ann = await world.member("acme", "ann2@example.com")
    idea: Idea = await make_idea(world, ann, "A dark mode for the app")
    page = await browser.new_page()
    await page.goto(brand_site + "/ideas")
    widget = page.frame_locator('iframe[title="Ideas"]')
    await widget.get_by_test_id(f"widget-vote-{idea.id}").click()
    await widget.get_by_test_id(f"widget-votes-{idea.id}").filter(has_text="1").wait_for()
    await page.reload()  # kept: the vote was saved for the member the brand signed in
    assert await widget.get_by_test_id(f"widget-votes-{idea.id}").inner_text() == "1"
    assert "Withdraw my vote" in await widget.get_by_test_id(f"widget-vote-{idea.id}").inner_text()
    await page.close()


async def test_a_site_not_on_the_allow_list_is_refused_by_the_browser(
    browser: Any, other_site: str, threads: list[Thread]
) -> None:
    page = await browser.new_page()
    async with page.expect_console_message(lambda m: "frame-ancestors" in m.text) as refusal:
        await page.goto(other_site + "/widget")
    assert "The request has been blocked" in (await refusal.value).text
    (frame,) = page.main_frame.child_frames
    await frame.wait_for_url("chrome-error://**")  # the browser's error page, not the community
    browser.violations.clear()  # the refusals this test expects
    await page.close()
