"""In a browser: an admin uploads a logo, tries an unreadable pair of colours (refused, the
ratio shown, the preview following the choice live), saves a readable one, and every page
then shows the new look: logo, colours, favicon, header link. Screenshots at 375 and 1280 px
go to the test's tmp_path."""

from pathlib import Path

import pytest

from community.identity.models import Role
from tests.conftest import World
from tests.e2e.test_journeys import log_in
from tests.tenancy.test_brand import png

pytestmark = pytest.mark.anyio


async def test_an_admin_makes_the_community_look_like_the_brand(
    browser, live_server: str, world: World, tmp_path: Path
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    base = f"http://{live_server}"
    page = await log_in(browser, base, "boss@example.com", "/admin/brand")
    logo = tmp_path / "logo.png"
    logo.write_bytes(png((900, 300)))
    await page.locator("#logo-file").set_input_files(str(logo))
    await page.get_by_test_id("logo-upload").click()
    await page.get_by_test_id("image-saved").wait_for()
    assert await page.get_by_test_id("brand-logo").get_attribute("src") is not None

    await page.locator("#colour-text").fill("#999999")
    await page.locator("#colour-background").fill("#aaaaaa")
    preview = page.get_by_test_id("brand-preview")
    assert "1.2" in await preview.inner_text()  # the live ratio, before saving
    await page.get_by_test_id("brand-save").click()
    error = page.get_by_test_id("text-error")
    await error.wait_for()
    assert "contrast of 1.2" in await error.inner_text()

    await page.locator("#colour-text").fill("#101820")
    await page.locator("#colour-background").fill("#fdf6e3")
    await page.locator("#colour-primary").fill("#7a1f5c")
    await page.locator("#header_label_0").fill("Our shop")
    await page.locator("#header_url_0").fill("https://shop.example/")
    await page.get_by_test_id("brand-save").click()
    await page.get_by_test_id("brand-saved").wait_for()

    await page.goto(f"{base}/")
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(253, 246, 227)"
    button = page.get_by_role("link", name="Ask a question")
    assert await button.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(122, 31, 92)"
    assert await page.get_by_test_id("brand-header-link").inner_text() == "Our shop"
    assert await page.get_by_test_id("brand-logo").is_visible()
    for width in (375, 1280):
        await page.set_viewport_size({"width": width, "height": 800})
        await page.screenshot(path=str(tmp_path / f"home-{width}.png"), full_page=True)
        await page.goto(f"{base}/admin/brand")
        scroll = await page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        assert scroll, f"the brand page scrolls sideways at {width} px"
        await page.screenshot(path=str(tmp_path / f"brand-{width}.png"), full_page=True)
        await page.goto(f"{base}/")
