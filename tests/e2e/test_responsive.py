"""Every main page fits the screen, member and staff, on a phone, a tablet and a desktop:
nothing scrolls sideways, and on a phone the header folds its navigation into a menu.

Set PARVIS_SCREENSHOTS=DIR to keep a full-page screenshot of each page at each width.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from community.forums import services as forums
from community.identity.models import Member, Role
from community.web.admin_nav import ADMIN_PAGES
from tests.conftest import World
from tests.e2e.test_journeys import log_in
from tests.e2e.test_page_quality import community_with_everything

pytestmark = pytest.mark.anyio

WIDTHS = (375, 768, 1280)
PHONE = WIDTHS[0]
CLOSED_HEADER_AT_MOST = 120  # px, at 375 px wide: the page's content starts on the first screen
LONG_URL = "https://support.example.com/" + "very-long-path-segment-" * 8 + "?q=" + "x" * 60
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen" * 2

# What a guest reaches without signing in.
GUEST_PAGES = {"guest-home": "/", "login": "/login", "register": "/register",
               "forgot": "/password/forgot"}  # fmt: skip


async def staff_pages(world: World) -> tuple[dict[str, str], dict[str, str]]:
    """The moderator's pages (member pages included) and the admin's: every page of the admin
    navigation, whatever capabilities have added to it, and the detail pages behind them."""
    pages = await community_with_everything(world)
    await long_words_thread(world, pages)
    await world.member("acme", "boss@example.com", Role.ADMIN)
    admin = {name: path for name, path in pages.items() if name.startswith("admin-")}
    admin |= {
        "admin" + page.path.removeprefix("/admin").replace("/", "-"): page.path
        for page in ADMIN_PAGES
    }
    admin["account"] = "/account"
    member = {name: path for name, path in pages.items() if name not in admin}
    return member, admin


async def long_words_thread(world: World, pages: dict[str, str]) -> None:
    """A thread whose title, body and reply hold words and links longer than a phone is wide."""
    ann = await world.member("acme", "annabelle-maximiliane-von-und-zu@example.com")
    thread = await world.thread("acme", ann, title=f"Why does {LONG_WORD[:80]} break?")
    async with world.unit() as session:
        scope = await world.scope(session, "acme", await session.get(Member, ann.id))
        await forums.reply(scope, thread.id, f"See {LONG_URL} and `{LONG_WORD}` in the logs.")
    pages["long-thread"] = f"/t/{thread.id}/{thread.slug}"


async def test_no_page_scrolls_sideways_and_the_phone_header_stays_short(
    browser, live_server: str, world: World
) -> None:
    member, admin = await staff_pages(world)
    base = f"http://{live_server}"
    guest = await (await browser.new_context()).new_page()
    moderator = await log_in(browser, base, "mod@example.com", "/")
    boss = await log_in(browser, base, "boss@example.com", "/")
    problems: list[str] = []
    for page, pages in ((guest, GUEST_PAGES), (moderator, member), (boss, admin)):
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 812})
            for name, path in pages.items():
                problems += await _fits(page, f"{name}@{width}", f"{base}{path}", width)
    assert not problems, "\n".join(problems)


async def _fits(page: Any, name: str, url: str, width: int) -> list[str]:
    response = await page.goto(url)
    assert response.ok, f"{name}: {response.status}"
    problems = []
    sizes = await page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                   header: document.querySelector(".site-header").getBoundingClientRect().height,
                   wide: [...document.querySelectorAll("main *")]
                     .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                     .slice(0, 3).map((el) => el.tagName + "." + el.className)})"""
    )
    if sizes["scroll"] > sizes["inner"]:
        problems.append(f"{name}: {sizes['scroll']} px wide in {sizes['inner']} ({sizes['wide']})")
    if width == PHONE and sizes["header"] > CLOSED_HEADER_AT_MOST:
        problems.append(f"{name}: the closed header is {sizes['header']:.0f} px tall")
    await _snap(page, name)
    return problems


async def _snap(page: Any, name: str) -> None:
    if folder := os.environ.get("PARVIS_SCREENSHOTS"):
        await page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


async def _moderator_at(browser: Any, base: str, world: World, width: int) -> Any:
    """A moderator's page on the home page, in a window `width` px wide."""
    await world.member("acme", "mod@example.com", Role.MODERATOR)
    page = await log_in(browser, base, "mod@example.com", "/")
    await page.set_viewport_size({"width": width, "height": 812})
    return page


async def test_on_a_phone_the_menu_opens_reaches_staff_pages_and_escape_closes_it(
    browser, live_server: str, world: World
) -> None:
    base = f"http://{live_server}"
    page = await _moderator_at(browser, base, world, PHONE)
    queue = page.get_by_test_id("queue-link")
    toggle = page.get_by_test_id("nav-toggle")
    assert not await queue.is_visible()
    assert await page.get_by_role("searchbox").is_visible()  # search stays out of the menu

    await toggle.click()
    assert await queue.is_visible()
    await _snap(page, "menu-open@375")
    await page.keyboard.press("Escape")
    assert not await queue.is_visible()
    assert await page.evaluate("document.activeElement.tagName") == "SUMMARY"

    await page.keyboard.press("Enter")  # the keyboard opens it too, and the links follow
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.textContent.trim()") == "Home"
    await page.mouse.click(5, 805)  # a click elsewhere on the page (below the menu) closes it
    assert not await queue.is_visible()
    await toggle.click()
    await queue.click()
    await page.wait_for_url(f"{base}/mod/queue")


async def test_on_a_desktop_the_navigation_shows_without_a_menu(
    browser, live_server: str, world: World
) -> None:
    base = f"http://{live_server}"
    page = await _moderator_at(browser, base, world, WIDTHS[-1])
    assert not await page.get_by_test_id("nav-toggle").is_visible()
    await page.get_by_test_id("queue-link").click()
    await page.wait_for_url(f"{base}/mod/queue")


async def test_without_javascript_the_phone_menu_still_opens_and_closes(
    browser, live_server: str, world: World
) -> None:
    context = await browser.new_context(
        java_script_enabled=False, viewport={"width": PHONE, "height": 812}
    )
    page = await context.new_page()
    await page.goto(f"http://{live_server}/")
    log_in_link = page.get_by_role("link", name="Log in")
    assert not await log_in_link.is_visible()
    await page.get_by_test_id("nav-toggle").click()
    assert await log_in_link.is_visible()
    await page.get_by_test_id("nav-toggle").click()
    assert not await log_in_link.is_visible()
