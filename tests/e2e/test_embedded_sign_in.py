"""A brand's page on another site embeds the community in an iframe and signs its customer
in with a token its server signed: the member is signed in inside the frame, and a forged
token is refused there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from community.config import Settings
from tests.conftest import World
from tests.identity.tokens import configure, hs256, serve

pytestmark = pytest.mark.anyio

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme shop</title></head>
<body><h1>Acme shop: help</h1>
<iframe title="Community" src="{src}" width="900" height="700"></iframe></body></html>"""


@pytest.fixture
def brand_site(live_server: str) -> Iterator[str]:
    """The brand's site on 127.0.0.1 (another site than acme.localhost): its server signs a
    token for its signed-in customer on each page (/forged: with a secret that is not ours)."""
    community = f"http://{live_server}"

    def page(path: str) -> tuple[str, bytes]:
        secret = {"secret": "a-forger-guessing-the-secret-" + "f" * 20}
        token = hs256(aud=community, **(secret if path == "/forged" else {}))
        src = f"{community}/auth/token?jwt={quote(token)}&return_to=/ideas"
        return "text/html; charset=utf-8", PAGE.format(src=src).encode()

    with serve(page) as base:
        yield base


async def open_menu(frame: Any) -> None:
    """A frame narrower than a desktop folds the community's navigation into its Menu."""
    await frame.locator("header nav").wait_for(state="attached")
    toggle = frame.get_by_test_id("nav-toggle")
    if await toggle.is_visible():
        await toggle.click()
    await frame.get_by_test_id("viewer-name").wait_for()


async def test_the_brand_page_signs_the_member_in_inside_its_iframe(
    browser: Any, live_server: str, brand_site: str, world: World, settings: Settings
) -> None:
    await configure(
        world, settings.secret_key, origins=[brand_site], audience=f"http://{live_server}"
    )
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(brand_site + "/")
    frame = page.frame_locator("iframe")
    await open_menu(frame)
    assert await frame.get_by_test_id("viewer-name").inner_text() == "Dana Brand"
    assert "/ideas" in page.frames[1].url
    # The embedded session lasts from page to page inside the frame.
    await frame.locator("a[href='/leaderboard']").first.click()
    await page.frames[1].wait_for_url("**/leaderboard")
    await open_menu(frame)
    assert await frame.get_by_test_id("viewer-name").inner_text() == "Dana Brand"
    # The community's own tab, first-party, does not share the brand's partitioned cookie.
    own = await context.new_page()
    await own.goto(f"http://{live_server}/")
    assert await own.get_by_test_id("viewer-name").count() == 0

    forged = await context.new_page()
    await forged.goto(brand_site + "/forged")
    refused = forged.frame_locator("iframe").get_by_test_id("token-refused")
    await refused.wait_for()
    assert "signature is wrong" in await refused.inner_text()
    await context.close()
