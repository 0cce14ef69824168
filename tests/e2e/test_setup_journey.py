"""A community manager sets up the community in the browser; a member then posts there."""

from pathlib import Path

import pytest

from community.identity.models import Role
from tests.conftest import World
from tests.e2e.test_journeys import log_in

pytestmark = pytest.mark.anyio


async def test_an_admin_sets_up_categories_and_a_domain_and_a_member_posts(
    browser, live_server: str, world: World, tmp_path: Path
) -> None:
    await world.member("acme", "boss@example.com", Role.ADMIN)
    await world.member("acme", "ann@example.com")
    base = f"http://{live_server}"
    admin = await log_in(browser, base, "boss@example.com", "/admin/categories")

    await admin.get_by_label("Name", exact=True).fill(
        ""
    )  # the form refuses an empty name, field marked
    await admin.get_by_role("button", name="Create", exact=True).click()
    assert await admin.get_by_label("Name", exact=True).get_attribute("aria-invalid") == "true"
    assert await admin.get_by_text("Give the category a name.").is_visible()

    await admin.get_by_label("Name", exact=True).fill("Installation help")
    await admin.get_by_label("Description").fill("Setting up your router")
    await admin.get_by_label("Kind").select_option("questions")
    await admin.get_by_role("button", name="Create", exact=True).click()
    await admin.get_by_text("The category was created.").wait_for()
    await admin.get_by_label("Name", exact=True).fill("Wishlist")
    await admin.get_by_label("Kind").select_option("ideas")
    await admin.get_by_role("button", name="Create", exact=True).click()
    rows = admin.get_by_test_id("category-row")
    assert await rows.count() == 4
    assert "Installation help" in await rows.nth(2).inner_text()

    await admin.get_by_role("button", name="Move up Installation help").click()
    await admin.get_by_role("button", name="Move up Installation help").click()
    await admin.get_by_text("The order was saved").wait_for()
    assert "Installation help" in await rows.nth(0).inner_text()
    await admin.screenshot(path=str(tmp_path / "categories-1280.png"), full_page=True)

    await admin.get_by_test_id("admin-nav").get_by_role("link", name="Domains").click()
    await admin.get_by_label("Domain", exact=True).fill("https://help.acme.example/")
    await admin.get_by_role("button", name="Add the domain").click()
    assert await admin.get_by_label("Domain", exact=True).get_attribute("aria-invalid") == "true"
    await admin.get_by_label("Domain", exact=True).fill("help.acme.example")
    await admin.get_by_role("button", name="Add the domain").click()
    await admin.get_by_text("The domain was added.").wait_for()
    await admin.get_by_role("button", name="Make canonical help.acme.example").click()
    await admin.get_by_text("The community is now served at this domain").wait_for()
    domains = admin.get_by_test_id("domain-row")
    assert "canonical" in await domains.first.inner_text()
    assert "help.acme.example" in await domains.first.inner_text()

    member = await log_in(browser, base, "ann@example.com", "/")
    sidebar = member.locator("ul.category-list a")
    assert await sidebar.first.inner_text() == "Installation help"  # the admin's order
    await sidebar.first.click()
    await member.get_by_role("link", name="Ask a question").last.click()
    await member.get_by_label("Title").fill("Which cable goes into the grey port?")
    await member.get_by_label("Your message").fill("The manual does not say.")
    await member.get_by_role("button", name="Post your question").click()
    await member.wait_for_url(f"{base}/t/**")
    await member.goto(f"{base}/c/installation-help")
    assert await member.get_by_text("Which cable goes into the grey port?").is_visible()
    await member.set_viewport_size({"width": 375, "height": 812})
    await admin.set_viewport_size({"width": 375, "height": 812})
    await admin.goto(f"{base}/admin/categories")
    await admin.screenshot(path=str(tmp_path / "categories-375.png"), full_page=True)
    scroll = "document.documentElement.scrollWidth <= window.innerWidth"
    assert await admin.evaluate(scroll), "the categories page scrolls sideways at 375 px"
    await admin.goto(f"{base}/admin/domains")
    assert await admin.evaluate(scroll), "the domains page scrolls sideways at 375 px"
